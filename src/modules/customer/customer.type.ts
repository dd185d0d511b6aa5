import { Field, ID, Int, ObjectType } from 'type-graphql';
import { dec } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { AccountType, CustomerStatus, PaymentTerms } from './customer.enums';
import { LowBalanceReminder, reminderColumnsOf, reminderFrom, type ReminderColumns } from '../customer-class/low-balance-reminder';

/**
 * A customers row as CUSTOMER_COLUMNS selects it (`FROM customers c`). Money columns are
 * NUMERIC, read as exact strings; balance and accrued_charges change only through the
 * BalanceLedger.
 */
export interface CustomerRow extends ReminderColumns {
  id: string;
  name: string;
  company: string | null;
  type: AccountType;
  status: CustomerStatus;
  suspended_until: Date | null;
  terms: PaymentTerms;
  balance: string;
  credit_limit: string;
  accrued_charges: string;
  test_credit: string;
  call_limit: number | null;
  cps_limit: number | null;
  min_profitability: string | null;
  main_email: string | null;
  noc_email: string | null;
  billing_email: string | null;
  rates_email: string | null;
  phone: string | null;
  tax_id: string | null;
  address: string | null;
  customer_class_id: string | null;
  prepaid_balance_trigger: string | null;
  call_duration_trigger: number;
  low_balance_threshold: string | null;
  notifications_enabled: boolean;
  time_zone: string | null;
  created_at: Date;
  updated_at: Date;
}

export const CUSTOMER_COLUMNS = `c.id, c.name, c.company, c.type, c.status, c.suspended_until, c.terms, c.balance, c.credit_limit,
  c.accrued_charges, c.test_credit, c.call_limit, c.cps_limit, c.min_profitability, c.main_email, c.noc_email, c.billing_email,
  c.rates_email, c.phone, c.tax_id, c.address, c.customer_class_id, c.prepaid_balance_trigger, c.call_duration_trigger,
  c.low_balance_threshold, c.notifications_enabled, c.time_zone, ${reminderColumnsOf('c')}, c.created_at, c.updated_at`;

@ObjectType('Customer', {
  implements: Node,
  description:
    'A customer (or carrier) account. balance goes down with every charged call and\nup with payments; availableCredit = balance + creditLimit. accruedCharges is the\nsum of charges since the last resetBalance.',
})
export class CustomerType implements Node {
  @Field(() => ID)
  id!: string;

  /** Local (uuid) id, for field resolvers and services. */
  localId!: string;
  /** Local id of the class, for the customerClass field resolver. */
  customerClassLocalId!: string | null;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  company!: string | null;

  @Field(() => AccountType)
  type!: AccountType;

  @Field(() => CustomerStatus)
  status!: CustomerStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  suspendedUntil!: Date | null;

  @Field(() => PaymentTerms)
  terms!: PaymentTerms;

  @Field(() => DecimalScalar)
  balance!: string;

  @Field(() => DecimalScalar)
  creditLimit!: string;

  /** balance + creditLimit, computed when read: a page of 500 customers rarely selects it, and the Decimal sum was ~3% of the page's CPU. */
  @Field(() => DecimalScalar)
  get availableCredit(): string {
    return dec(this.balance).plus(this.creditLimit).toFixed();
  }

  @Field(() => DecimalScalar)
  accruedCharges!: string;

  @Field(() => DecimalScalar)
  testCredit!: string;

  @Field(() => Int, { nullable: true })
  callLimit!: number | null;

  @Field(() => Int, { nullable: true })
  cpsLimit!: number | null;

  @Field(() => DecimalScalar, { nullable: true })
  minProfitability!: string | null;

  @Field(() => String, { nullable: true })
  mainEmail!: string | null;

  @Field(() => String, { nullable: true })
  nocEmail!: string | null;

  @Field(() => String, { nullable: true })
  billingEmail!: string | null;

  @Field(() => String, { nullable: true })
  ratesEmail!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164 number for SMS notifications to the customer.' })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  taxId!: string | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'CDR2Cloud pre-paid balance trigger: notify when accruedCharges reaches this amount. Null: off.',
  })
  prepaidBalanceTrigger!: string | null;

  @Field(() => Int, { description: 'CDR2Cloud call duration trigger, seconds: notify for any call lasting at least this long. 0: off.' })
  callDurationTrigger!: number;

  @Field(() => DecimalScalar, { nullable: true, description: 'Notify when balance falls below this amount. Null: off.' })
  lowBalanceThreshold!: string | null;

  @Field()
  notificationsEnabled!: boolean;

  @Field(() => String, { nullable: true, description: "IANA time zone of the customer (reminder times, dates in messages). Null: the settings' one." })
  timeZone!: string | null;

  @Field(() => LowBalanceReminder, { nullable: true, description: "Low-balance reminders for this customer; null: the class's, if any." })
  lowBalanceReminder!: LowBalanceReminder | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(r: CustomerRow): CustomerType {
    const t = new CustomerType();
    t.id = toGlobalId('Customer', r.id);
    t.localId = r.id;
    t.customerClassLocalId = r.customer_class_id;
    t.name = r.name;
    t.company = r.company;
    t.type = r.type;
    t.status = r.status;
    t.suspendedUntil = r.suspended_until;
    t.terms = r.terms;
    t.balance = r.balance;
    t.creditLimit = r.credit_limit;
    t.accruedCharges = r.accrued_charges;
    t.testCredit = r.test_credit;
    t.callLimit = r.call_limit;
    t.cpsLimit = r.cps_limit;
    t.minProfitability = r.min_profitability;
    t.mainEmail = r.main_email;
    t.nocEmail = r.noc_email;
    t.billingEmail = r.billing_email;
    t.ratesEmail = r.rates_email;
    t.phone = r.phone;
    t.taxId = r.tax_id;
    t.address = r.address;
    t.prepaidBalanceTrigger = r.prepaid_balance_trigger;
    t.callDurationTrigger = r.call_duration_trigger;
    t.lowBalanceThreshold = r.low_balance_threshold;
    t.notificationsEnabled = r.notifications_enabled;
    t.timeZone = r.time_zone;
    t.lowBalanceReminder = reminderFrom(r);
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    return t;
  }
}
