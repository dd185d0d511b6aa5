import { Field, ID, InputType, Int } from 'type-graphql';
import { DecimalScalar } from '../../platform/common/scalars';
import { PaymentTerms } from './payment-terms';
import { NotificationKind } from '../notification-template/notification-kind';
import { LowBalanceReminderInput } from './low-balance-reminder';

/** On update, fields left out are unchanged and an explicit null clears a nullable field. */
@InputType()
export class CustomerClassInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  notificationTemplateId?: string | null;

  @Field(() => [NotificationKind], { nullable: true })
  enabledNotifications?: NotificationKind[] | null;

  @Field(() => PaymentTerms, { nullable: true })
  defaultTerms?: PaymentTerms | null;

  @Field(() => DecimalScalar, { nullable: true })
  defaultCreditLimit?: string | null;

  @Field(() => Int, { nullable: true })
  defaultCallLimit?: number | null;

  @Field(() => Int, { nullable: true })
  defaultCpsLimit?: number | null;

  @Field(() => LowBalanceReminderInput, { nullable: true })
  lowBalanceReminder?: LowBalanceReminderInput | null;
}
