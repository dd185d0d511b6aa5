import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import type { AppliedBalanceChange } from './balance-change';
import type { BalanceChangedPayload } from './balance.topics';

export enum BalanceChangeReason {
  CDR_CHARGES = 'CDR_CHARGES',
  PAYMENT = 'PAYMENT',
  ADJUSTMENT = 'ADJUSTMENT',
  RESET = 'RESET',
}

registerEnumType(BalanceChangeReason, { name: 'BalanceChangeReason' });

@ObjectType('BalanceChange', { description: "One committed change of one customer's balance." })
export class BalanceChangeType {
  customerLocalId!: string;
  /** The ledger row of this change (BalanceChange.ledgerEntry). */
  ledgerLocalId!: string;

  @Field(() => DecimalScalar)
  previousBalance!: string;

  @Field(() => DecimalScalar)
  balance!: string;

  @Field(() => DecimalScalar)
  delta!: string;

  @Field(() => BalanceChangeReason)
  reason!: BalanceChangeReason;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  static from(c: AppliedBalanceChange | BalanceChangedPayload): BalanceChangeType {
    const t = new BalanceChangeType();
    t.customerLocalId = c.customerId;
    t.ledgerLocalId = c.ledgerId;
    t.previousBalance = c.previousBalance;
    t.balance = c.balance;
    t.delta = c.delta;
    t.reason = c.reason as BalanceChangeReason;
    t.occurredAt = typeof c.occurredAt === 'string' ? new Date(c.occurredAt) : c.occurredAt;
    return t;
  }
}
