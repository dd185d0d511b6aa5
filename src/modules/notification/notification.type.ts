import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { LOG_COUNT_DESCRIPTION } from '../../platform/common/keyset';
import { Connection } from '../../platform/common/pagination';
import { DateTimeScalar } from '../../platform/common/scalars';
import { NotificationKind } from '../notification-template/notification-kind';
import type { NotificationRow } from './notification-outbox';

export enum NotificationChannel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  WEBHOOK = 'WEBHOOK',
}
registerEnumType(NotificationChannel, { name: 'NotificationChannel' });

export enum NotificationStatus {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}
registerEnumType(NotificationStatus, { name: 'NotificationStatus' });

@ObjectType('Notification', { implements: Node, description: 'One message to one recipient, kept as a delivery log entry.' })
export class NotificationType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  customerLocalId!: string | null;
  alertEventLocalId!: string | null;

  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => NotificationChannel)
  channel!: NotificationChannel;

  @Field()
  recipient!: string;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field(() => NotificationStatus)
  status!: NotificationStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  sentAt!: Date | null;

  static from(r: NotificationRow): NotificationType {
    const t = new NotificationType();
    t.id = toGlobalId('Notification', r.id);
    t.localId = r.id;
    t.customerLocalId = r.customer_id;
    t.alertEventLocalId = r.alert_event_id;
    t.kind = r.kind as NotificationKind;
    t.channel = r.channel as NotificationChannel;
    t.recipient = r.recipient;
    t.subject = r.subject;
    t.body = r.body;
    t.status = r.status as NotificationStatus;
    t.attempts = r.attempts;
    t.lastError = r.last_error;
    t.createdAt = r.created_at;
    t.sentAt = r.sent_at;
    return t;
  }
}

@ObjectType('NotificationConnection')
export class NotificationConnection extends Connection(NotificationType, 'Notification', LOG_COUNT_DESCRIPTION) {}
