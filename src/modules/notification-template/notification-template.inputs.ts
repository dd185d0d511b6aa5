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
}

@InputType()
export class NotificationTemplateInput {
  @Field()
  name!: string;

  @Field(() => [NotificationMessageInput])
  messages!: NotificationMessageInput[];
}
