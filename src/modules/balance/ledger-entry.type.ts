import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { normaliseDecimal } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { LOG_COUNT_DESCRIPTION } from '../../platform/common/keyset';
import { Connection, encodeCursor } from '../../platform/common/pagination';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { BalanceChangeReason } from './balance-change.type';

/** The ledger columns every reader selects (alias l). */
export const LEDGER_COLUMNS = `l.id, l.tx::text AS tx, l.customer_id, l.reason, l.delta, l.balance, l.accrued_charges,
  coalesce(l.reference, l.note) AS reference, l.api_key_id, l.cdr_count, l.occurred_at`;

export interface LedgerRow {
  id: string;
  tx: string;
  customer_id: string;
  reason: string;
  delta: string;
  balance: string;
  accrued_charges: string;
  reference: string | null;
  api_key_id: string | null;
  cdr_count: number | null;
  occurred_at: Date;
}

/** The cursor of an entry: its place in the ledger's order (ledger-order.ts), the same in every list and feed. */
export function ledgerCursor(tx: string, localId: string): string {
  return encodeCursor([tx, localId]);
}

@ObjectType('LedgerEntry', {
  implements: Node,
  description:
    "One committed change of one customer's balance, as stored. cursor orders all entries\n(commit order); a client passes the last cursor it saw to catch up with nothing lost.",
})
export class LedgerEntryType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  /** The id of the transaction that wrote the entry (with localId, its place in the ledger's order). */
  tx!: string;
  customerLocalId!: string;
  /** The API key whose request made the change (LedgerEntry.actor reads its name). */
  actorKeyId!: string | null;

  @Field({ description: 'Where this entry stands in the ledger: pass it as after to ledgerEntryAdded (or a list) to continue from here.' })
  cursor!: string;

  @Field(() => BalanceChangeReason)
  reason!: BalanceChangeReason;

  @Field(() => DecimalScalar)
  delta!: string;

  @Field(() => DecimalScalar, { description: 'The balance after this change.' })
  balance!: string;

  @Field(() => DecimalScalar, { description: 'The accrued charges after this change.' })
  accruedCharges!: string;

  @Field(() => String, { nullable: true, description: 'Payment reference or adjustment note.' })
  reference!: string | null;

  @Field(() => Int, { nullable: true, description: 'CDR_CHARGES only: how many records this entry charged.' })
  cdrCount!: number | null;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  static from(r: LedgerRow): LedgerEntryType {
    const t = new LedgerEntryType();
    const id = String(r.id);
    t.id = toGlobalId('LedgerEntry', id);
    t.localId = id;
    t.tx = r.tx;
    t.customerLocalId = r.customer_id;
    t.actorKeyId = r.api_key_id;
    t.cursor = ledgerCursor(r.tx, id);
    t.reason = r.reason as BalanceChangeReason;
    t.delta = normaliseDecimal(r.delta);
    t.balance = normaliseDecimal(r.balance);
    t.accruedCharges = normaliseDecimal(r.accrued_charges);
    t.reference = r.reference;
    t.cdrCount = r.cdr_count;
    t.occurredAt = r.occurred_at;
    return t;
  }
}

@ObjectType('LedgerEntryConnection')
export class LedgerEntryConnection extends Connection(LedgerEntryType, 'LedgerEntry', LOG_COUNT_DESCRIPTION) {}

@InputType('LedgerFilter', { description: 'Every given field narrows the result (AND). from is inclusive, to exclusive (occurredAt).' })
export class LedgerFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => [BalanceChangeReason], { nullable: true })
  reasons?: BalanceChangeReason[] | null;

  @Field(() => DateTimeScalar, { nullable: true })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  to?: Date | null;
}
