import { Field, InputType } from 'type-graphql';

@InputType('SettingsInput', { description: 'Fields left out are unchanged.' })
export class SettingsInput {
  @Field(() => [String], { nullable: true })
  alertEmails?: string[] | null;

  @Field(() => [String], { nullable: true })
  alertPhones?: string[] | null;

  @Field(() => [String], { nullable: true })
  alertWebhookUrls?: string[] | null;

  @Field(() => [String], { nullable: true })
  statusWebhookUrls?: string[] | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;
}
