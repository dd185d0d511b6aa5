import { Field, ID, InputType } from 'type-graphql';
import { NotificationKind } from '../notification-template/notification-kind';
import { NotificationChannel, NotificationStatus } from './notification.type';

@InputType('NotificationFilter')
export class NotificationFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => [NotificationKind], { nullable: true })
  kind?: NotificationKind[] | null;

  @Field(() => [NotificationChannel], { nullable: true })
  channel?: NotificationChannel[] | null;

  @Field(() => [NotificationStatus], { nullable: true })
  status?: NotificationStatus[] | null;
}
