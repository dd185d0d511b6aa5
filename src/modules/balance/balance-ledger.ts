/**
 * BalanceLedger: the only writer of customers.balance and accrued_charges. Every call
 * locks the customers in id order, applies all deltas and writes one ledger row per
 * customer in one statement, runs the balance-changed reaction (alerts, notifications)
 * in the same transaction, and publishes BalanceChange events after commit.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { EventBus } from '../../platform/pubsub/event-bus';
import { negateDecimal, normaliseDecimal } from '../../platform/common/decimal';
import type { AppliedBalanceChange, BalanceChangedReaction, BalanceReason } from './balance-change';
import { markCustomersLocked } from './customer-locks';
import { preparedSql, sizedSql } from '../../platform/db/prepared-sql';
import { BALANCE_CHANGED } from './balance.topics';
import { awaitSettled } from './ledger-order';
import type { Queryable } from '../../platform/db/sql';
import type { Logger } from '../../platform/logger';

export interface BalanceDelta {
  /** Local customer id. Several deltas of one customer are summed into one change. */
  customerId: string;
  /** Added to balance (negative for charges). */
  delta: string;
  /** Added to accrued_charges (charges as positive amounts); default 0. */
  accruedDelta?: string;
  reference?: string | null;
  note?: string | null;
  /** CDR charges: how many records the delta charges. */
  cdrCount?: number;
}

interface Row {
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

/**
 * Locks, updates every customer and records the ledger in one statement. `locked`
 * locks the rows in id order (row locking above the sort), and every input row comes
 * through it, so each customer is locked, in id order, before the UPDATE reaches it:
 * the one lock order every writer of customers keeps. In READ COMMITTED the UPDATE
 * applies the delta to the newest balance even when another transaction committed
 * while this one waited for the lock.
 */
const APPLY_SQL = preparedSql('balance.apply', `
WITH locked AS (
  SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE
), input AS (
  SELECT t.customer_id, sum(t.delta) AS delta, sum(t.accrued_delta) AS accrued_delta,
         max(t.reference) AS reference, max(t.note) AS note, sum(t.cdr_count)::int AS cdr_count
  FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::text[], $5::text[], $7::int[])
       AS t(customer_id, delta, accrued_delta, reference, note, cdr_count)
  JOIN locked l ON l.id = t.customer_id
  GROUP BY t.customer_id
), updated AS (
  UPDATE customers c
     SET balance = c.balance + i.delta,
         accrued_charges = CASE WHEN $6 = 'RESET' THEN 0 ELSE c.accrued_charges + i.accrued_delta END,
         updated_at = now()
    FROM input i
   WHERE c.id = i.customer_id
  RETURNING c.id, i.delta, c.balance - i.delta AS previous_balance, c.balance,
            c.accrued_charges, c.credit_limit, c.low_balance_threshold, i.accrued_delta, i.reference, i.note, i.cdr_count
), ledger AS (
  INSERT INTO balance_ledger (customer_id, reason, delta, previous_balance, balance, accrued_delta, accrued_charges, reference, note, cdr_count, api_key_id)
  SELECT id, $6, delta, previous_balance, balance, accrued_delta, accrued_charges, reference, note, cdr_count, $8::uuid FROM updated
  RETURNING id, tx, customer_id, occurred_at
)
SELECT l.id AS ledger_id, l.tx::text AS ledger_tx, u.id AS customer_id, u.delta, u.previous_balance, u.balance,
       CASE WHEN $6 = 'RESET' THEN u.accrued_delta ELSE u.accrued_charges - u.accrued_delta END AS previous_accrued,
       u.accrued_charges AS accrued, u.credit_limit, u.low_balance_threshold, u.reference, l.occurred_at
  FROM updated u JOIN ledger l ON l.customer_id = u.id
 ORDER BY u.id`);

export class BalanceLedger {
  constructor(
    private readonly db: Queryable,
    private readonly events: EventBus,
    private readonly reactToChange: BalanceChangedReaction,
    private readonly logger?: Logger,
  ) {}

  /**
   * Applies payments or adjustments and runs the balance-changed reaction. Returns the
   * applied changes (customers that do not exist are skipped: callers check existence
   * where that is an error). `actorKeyId` is the API key whose request made the change
   * (the ledger's actor); null when nobody asked for it.
   */
  async apply(uow: UnitOfWork, reason: 'PAYMENT' | 'ADJUSTMENT', deltas: BalanceDelta[], actorKeyId: string | null): Promise<AppliedBalanceChange[]> {
    const changes = await this.run(uow, reason, deltas, actorKeyId);
    if (changes.length) await this.reactToChange(uow, changes);
    this.answerWhenSettled(uow, changes);
    return changes;
  }

  /**
   * Applies a CDR batch's charges. The reaction is the caller's: the batch reacts to
   * its balance changes and its calls together, once (CdrBatchReaction). It does not
   * wait for its entries to settle: BalanceChange.ledgerEntry does, when asked for.
   */
  charge(uow: UnitOfWork, deltas: BalanceDelta[]): Promise<AppliedBalanceChange[]> {
    return this.run(uow, 'CDR_CHARGES', deltas, null);
  }

  /** Sets balance and accrued charges of one customer to 0 (reason RESET). */
  async reset(uow: UnitOfWork, customerId: string, actorKeyId: string | null, note?: string | null): Promise<AppliedBalanceChange | undefined> {
    // Read under lock so the delta brings exactly this balance to 0.
    const [row] = await uow.query<{ balance: string; accrued_charges: string }>(
      `SELECT balance, accrued_charges FROM customers WHERE id = $1 FOR NO KEY UPDATE`,
      [customerId],
    );
    if (!row) return undefined;
    markCustomersLocked(uow, [customerId]);
    const changes = await this.run(uow, 'RESET', [{ customerId, delta: negateDecimal(row.balance), accruedDelta: row.accrued_charges, note }], actorKeyId);
    if (changes.length) await this.reactToChange(uow, changes);
    this.answerWhenSettled(uow, changes);
    return changes[0];
  }

  /**
   * A balance mutation answers once its entry has settled (ledger-order.ts): its
   * BalanceChange.ledgerEntry.cursor is then safe to resume from, and the lists already
   * show the entry. Usually at once; it waits only for older transactions still running.
   */
  private answerWhenSettled(uow: UnitOfWork, changes: AppliedBalanceChange[]): void {
    if (changes.length) uow.afterCommit(async () => void (await awaitSettled(this.db, changes[0].ledgerTx, this.logger)));
  }

  private async run(uow: UnitOfWork, reason: BalanceReason, deltas: BalanceDelta[], actorKeyId: string | null): Promise<AppliedBalanceChange[]> {
    if (deltas.length === 0) return [];
    const rows = await uow.query<Row>(sizedSql(APPLY_SQL, deltas.length), [
      deltas.map((d) => d.customerId),
      deltas.map((d) => d.delta),
      deltas.map((d) => d.accruedDelta ?? '0'),
      deltas.map((d) => d.reference ?? null),
      deltas.map((d) => d.note ?? null),
      reason,
      deltas.map((d) => d.cdrCount ?? null),
      actorKeyId,
    ]);
    markCustomersLocked(uow, deltas.map((d) => d.customerId));
    const changes: AppliedBalanceChange[] = rows.map((r) => ({
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
    }));
    uow.afterCommit(() =>
      this.events.publishAll(
        BALANCE_CHANGED,
        changes.map((c) => ({
          ledgerId: c.ledgerId,
          customerId: c.customerId,
          previousBalance: c.previousBalance,
          balance: c.balance,
          delta: c.delta,
          reason: c.reason,
          occurredAt: c.occurredAt.toISOString(),
        })),
      ),
    );
    return changes;
  }
}
