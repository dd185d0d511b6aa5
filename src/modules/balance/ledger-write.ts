/**
 * The ledger's write as SQL: the UPDATE of customers and the INSERT of one ledger row
 * per customer, as two CTEs over an input CTE, and the columns a change is read back
 * with. BalanceLedger's own statement (payments, adjustments, resets) and the CDR insert
 * (cdr-insert.ts, which charges its batch in the statement that stores it) both build
 * their write from here, so a balance changes one way only.
 */
import { normaliseDecimal } from '../../platform/common/decimal';
import type { AppliedBalanceChange, BalanceReason } from './balance-change';

export interface LedgerWriteSql {
  /**
   * A CTE of one row per customer, every customer already locked (FOR NO KEY UPDATE, id
   * order) by the statement: customer_id, delta, accrued_delta, reference, note, cdr_count.
   */
  input: string;
  /** SQL of the reason (a parameter or a literal). */
  reason: string;
  /** SQL of the new accrued_charges, over `c` (the customer) and `i` (its input row). */
  accruedCharges: string;
  /** SQL of the previous accrued_charges, over `u` (the updated row). */
  previousAccrued: string;
  /** SQL of the acting API key's id (uuid or NULL). */
  apiKeyId: string;
}

/**
 * `updated` and `ledger`, to follow the input CTE in a WITH list. In READ COMMITTED the
 * UPDATE applies the delta to the newest balance even when another transaction committed
 * while this one waited for the lock.
 */
export function ledgerWriteCtes(w: LedgerWriteSql): string {
  return `updated AS (
  UPDATE customers c
     SET balance = c.balance + i.delta,
         accrued_charges = ${w.accruedCharges},
         updated_at = now()
    FROM ${w.input} i
   WHERE c.id = i.customer_id
  RETURNING c.id, i.delta, c.balance - i.delta AS previous_balance, c.balance,
            c.accrued_charges, c.credit_limit, c.low_balance_threshold, i.accrued_delta, i.reference, i.note, i.cdr_count
), ledger AS (
  INSERT INTO balance_ledger (customer_id, reason, delta, previous_balance, balance, accrued_delta, accrued_charges, reference, note, cdr_count, api_key_id)
  SELECT id, ${w.reason}, delta, previous_balance, balance, accrued_delta, accrued_charges, reference, note, cdr_count, ${w.apiKeyId} FROM updated
  RETURNING id, tx, customer_id, occurred_at
)`;
}

/** The columns of LedgerWriteRow, over `u` (updated) and `l` (ledger) joined on the customer. */
export function ledgerWriteColumns(w: LedgerWriteSql): string {
  return `l.id AS ledger_id, l.tx::text AS ledger_tx, u.delta, u.previous_balance, u.balance,
       ${w.previousAccrued} AS previous_accrued, u.accrued_charges AS accrued, u.credit_limit, u.low_balance_threshold,
       u.reference, l.occurred_at`;
}

/** A customer's change as the ledger's write reports it (ledgerWriteColumns plus customer_id). */
export interface LedgerWriteRow {
  ledger_id: string;
  ledger_tx: string;
  customer_id: string;
  delta: string;
  previous_balance: string;
  balance: string;
  previous_accrued: string;
  accrued: string;
  credit_limit: string;
  low_balance_threshold: string | null;
  reference: string | null;
  occurred_at: Date;
}

export function appliedChange(r: LedgerWriteRow, reason: BalanceReason): AppliedBalanceChange {
  return {
    ledgerId: String(r.ledger_id),
    ledgerTx: r.ledger_tx,
    customerId: r.customer_id,
    reason,
    delta: normaliseDecimal(r.delta),
    previousBalance: normaliseDecimal(r.previous_balance),
    balance: normaliseDecimal(r.balance),
    previousAccruedCharges: normaliseDecimal(r.previous_accrued),
    accruedCharges: normaliseDecimal(r.accrued),
    creditLimit: normaliseDecimal(r.credit_limit),
    lowBalanceThreshold: r.low_balance_threshold === null ? null : normaliseDecimal(r.low_balance_threshold),
    reference: r.reference,
    occurredAt: r.occurred_at,
  };
}
