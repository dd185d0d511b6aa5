import { Field, ID, Int, ObjectType } from 'type-graphql';
import { dec } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import type { CustomerEntity } from './customer.entity';
import { AccountType, CustomerStatus, PaymentTerms } from './customer.enums';

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

  @Field(() => DecimalScalar)
  availableCredit!: string;

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

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  static from(e: CustomerEntity): CustomerType {
    const t = new CustomerType();
    Object.assign(t, e);
    t.id = toGlobalId('Customer', e.id);
    t.localId = e.id;
    t.customerClassLocalId = e.customerClassId;
    t.availableCredit = dec(e.balance).plus(e.creditLimit).toFixed();
    return t;
  }
}
