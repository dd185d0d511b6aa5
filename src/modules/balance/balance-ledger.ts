/**
 * BalanceLedger: payments, adjustments and resets, and the report of a CDR batch's
 * charges. Every call locks the customers in id order, applies all deltas and writes one
 * ledger row per customer in one statement, runs the balance-changed reaction (alerts,
 * notifications) in the same transaction, and publishes BalanceChange events after
 * commit. customers.balance and accrued_charges are written only through ledger-write.ts:
 * by this ledger's statement, and by the CDR insert for its batch (cdr-insert.ts).
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { AppliedBalanceChange, BalanceChangedReaction, BalanceReason } from './balance-change';
import { markCustomersLocked } from './customer-locks';
import { preparedSql, sizedSql } from '../../platform/db/prepared-sql';
import { BALANCE_CHANGED } from './balance.topics';
import { negateDecimal } from '../../platform/common/decimal';
import { awaitSettled } from './ledger-order';
import { appliedChange, ledgerWriteColumns, ledgerWriteCtes, type LedgerWriteRow, type LedgerWriteSql } from './ledger-write';
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
}

/** How the payments, adjustments and resets ($6; the acting key $7) write: a reset zeroes accrued charges; no CDRs. */
const APPLY_WRITE: LedgerWriteSql = {
  input: 'input',
  reason: '$6',
  accruedCharges: `CASE WHEN $6 = 'RESET' THEN 0 ELSE c.accrued_charges + i.accrued_delta END`,
  previousAccrued: `CASE WHEN $6 = 'RESET' THEN u.accrued_delta ELSE u.accrued_charges - u.accrued_delta END`,
  apiKeyId: '$7::uuid',
};

/**
 * Locks, updates every customer and records the ledger in one statement. `locked`
 * locks the rows in id order (row locking above the sort), and every input row comes
 * through it, so each customer is locked, in id order, before the UPDATE reaches it:
 * the one lock order every writer of customers keeps.
 */
const APPLY_SQL = preparedSql('balance.apply', `
WITH locked AS (
  SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE
), input AS (
  SELECT t.customer_id, sum(t.delta) AS delta, sum(t.accrued_delta) AS accrued_delta,
         max(t.reference) AS reference, max(t.note) AS note, NULL::int AS cdr_count
  FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::text[], $5::text[])
       AS t(customer_id, delta, accrued_delta, reference, note)
  JOIN locked l ON l.id = t.customer_id
  GROUP BY t.customer_id
), ${ledgerWriteCtes(APPLY_WRITE)}
SELECT u.id AS customer_id, ${ledgerWriteColumns(APPLY_WRITE)}
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
   * A CDR batch's charges, written by the statement that stored its calls (cdr-insert.ts,
   * with ledgerWriteCtes), every customer locked there: reports them as this ledger's
   * changes and publishes them after commit. The reaction is the caller's: the batch
   * reacts to its balance changes and its calls together, once (CdrBatchReaction). It
   * does not wait for its entries to settle: BalanceChange.ledgerEntry does, when asked for.
   */
  recordCharges(uow: UnitOfWork, rows: readonly LedgerWriteRow[]): AppliedBalanceChange[] {
    return this.record(uow, 'CDR_CHARGES', rows);
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
    const rows = await uow.query<LedgerWriteRow>(sizedSql(APPLY_SQL, deltas.length), [
      deltas.map((d) => d.customerId),
      deltas.map((d) => d.delta),
      deltas.map((d) => d.accruedDelta ?? '0'),
      deltas.map((d) => d.reference ?? null),
      deltas.map((d) => d.note ?? null),
      reason,
      actorKeyId,
    ]);
    markCustomersLocked(uow, deltas.map((d) => d.customerId));
    return this.record(uow, reason, rows);
  }

  /** The changes of a statement's ledger write; BalanceChange events go out after commit. */
  private record(uow: UnitOfWork, reason: BalanceReason, rows: readonly LedgerWriteRow[]): AppliedBalanceChange[] {
    const changes = rows.map((r) => appliedChange(r, reason));
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
