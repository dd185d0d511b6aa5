import { Field, ID, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { PaymentTerms } from './payment-terms';
import { NotificationKind } from '../notification-template/notification-kind';
import { LowBalanceReminder, reminderColumnsOf, reminderFrom, type ReminderColumns } from './low-balance-reminder';

/**
 * A customer_classes row as CLASS_COLUMNS selects it: which notifications the class's
 * customers get (and from which template), and the defaults a new customer of the class
 * starts with ("create by template").
 */
export interface CustomerClassRow extends ReminderColumns {
  id: string;
  name: string;
  description: string | null;
  notification_template_id: string | null;
  enabled_notifications: NotificationKind[];
  default_terms: PaymentTerms | null;
  default_credit_limit: string | null;
  default_call_limit: number | null;
  default_cps_limit: number | null;
  created_at: Date;
  updated_at: Date;
}

export const CLASS_COLUMNS = `id, name, description, notification_template_id, enabled_notifications, default_terms,
  default_credit_limit, default_call_limit, default_cps_limit, ${reminderColumnsOf()}, created_at, updated_at`;

@ObjectType('CustomerClass', { implements: Node })
export class CustomerClassType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  notificationTemplateLocalId!: string | null;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [NotificationKind])
  enabledNotifications!: NotificationKind[];

  @Field(() => PaymentTerms, { nullable: true })
  defaultTerms!: PaymentTerms | null;

  @Field(() => DecimalScalar, { nullable: true })
  defaultCreditLimit!: string | null;

  @Field(() => Int, { nullable: true })
  defaultCallLimit!: number | null;

  @Field(() => Int, { nullable: true })
  defaultCpsLimit!: number | null;

  @Field(() => LowBalanceReminder, { nullable: true, description: "Default low-balance reminders for the class's customers." })
  lowBalanceReminder!: LowBalanceReminder | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(r: CustomerClassRow): CustomerClassType {
    const t = new CustomerClassType();
    t.id = toGlobalId('CustomerClass', r.id);
    t.localId = r.id;
    t.notificationTemplateLocalId = r.notification_template_id;
    t.name = r.name;
    t.description = r.description;
    t.enabledNotifications = r.enabled_notifications;
    t.defaultTerms = r.default_terms;
    t.defaultCreditLimit = r.default_credit_limit;
    t.defaultCallLimit = r.default_call_limit;
    t.defaultCpsLimit = r.default_cps_limit;
    t.lowBalanceReminder = reminderFrom(r);
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    return t;
  }
}
