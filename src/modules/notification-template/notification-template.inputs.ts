import { Field, InputType } from 'type-graphql';
import { NotificationKind } from './notification-kind';

@InputType()
export class NotificationMessageInput {
  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field(() => [String], { nullable: true })
  bcc?: string[] | null;

  @Field(() => String, { nullable: true, description: 'SMS text (a Handlebars template over the same data); null or empty: the subject is sent.' })
  sms?: string | null;
}

@InputType({ description: 'A whole template: its name and every message (a kind left out has no message).' })
export class NotificationTemplateInput {
  @Field()
  name!: string;

  @Field(() => [NotificationMessageInput])
  messages!: NotificationMessageInput[];
}
