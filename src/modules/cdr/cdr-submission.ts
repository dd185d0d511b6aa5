/**
 * submitCdrs, the hot path: validate in JS, then ONE transaction of a fixed number
 * of set-based statements whatever the batch size (resolve trunk names and source
 * IPs: one query each when used; the insert with its call deltas, per-customer sums,
 * customer locks, balances and ledger: one; leftovers: one when any record was not
 * inserted; alert rules: one when a rule may apply to a customer of the batch, plus
 * states and events when something transitions). Arrays travel as one bind parameter
 * per column (unnest), so the statement count and the parameter count do not grow with
 * the batch.
 */
import { dec } from '../../platform/common/decimal';
import { badInput, NUMERIC_OUT_OF_RANGE, sqlState } from '../../platform/common/errors';
import type { Database } from '../../platform/db/database';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { BalanceChangeType } from '../balance/balance-change.type';
import type { BalanceLedger } from '../balance/balance-ledger';
import { markCustomersLocked } from '../balance/customer-locks';
import type { CdrBatchReaction } from './charged-cdr';
import type { CdrInput } from './cdr.inputs';
import { epochMsToTimestamptz } from '../../platform/db/array-literal';
import { DAY_MS, dayOf } from '../../platform/db/day-partitions';
import { CDR_INSERT, encodeBatch, readOutcome, type InsertOutcome } from './cdr-insert';
import type { CdrPartitions } from './cdr-partitions';
import { CdrBatchResult } from './cdr.type';
import { rejection, validateCdrs, type ValidCdr } from './cdr-validation';
import { resolveCustomers, type Resolved } from './customer-resolution';

/**
 * The stored records of the left-out callIds, each on the UTC day of its start (a
 * callId is unique per day): one probe of the day's call_id index per callId, whatever
 * the batch's size (the LIMIT keeps the lookup a nested loop; planned for thousands of
 * keys against partitions it had no statistics for, the join went to a hash over whole
 * days). The outer range on started_at lets the planner keep only the batch's days.
 */
const STORED_SQL = `
SELECT c.call_id, c.customer_id, c.caller, c.callee, c.started_at, c.duration, c.disposition, c.charge
  FROM unnest($1::text[], $2::int8[]) AS k(call_id, day_ms)
 CROSS JOIN LATERAL (
   SELECT s.* FROM cdrs s
    WHERE s.call_id = k.call_id
      AND s.started_at >= ${epochMsToTimestamptz('k.day_ms')} AND s.started_at < ${epochMsToTimestamptz('(k.day_ms + 86400000)')}
      AND s.started_at >= ${epochMsToTimestamptz('$3::int8')} AND s.started_at < ${epochMsToTimestamptz('$4::int8')}
    LIMIT 1
 ) c`;

const OVERFLOW_REASON = "this batch's charges would take its customer's balance or accrued charges beyond ±10^18, the largest amount the ledger holds";

interface StoredRow {
  call_id: string;
  customer_id: string;
  caller: string | null;
  callee: string;
  started_at: Date;
  duration: number;
  disposition: string;
  charge: string;
}

export class CdrSubmission<Outcome> {
  constructor(
    private readonly db: Database,
    private readonly ledger: BalanceLedger,
    private readonly reactToBatch: CdrBatchReaction<Outcome>,
    private readonly maxBatch: number,
    private readonly partitions: CdrPartitions,
  ) {}

  async submit(inputs: readonly CdrInput[], now = Date.now()): Promise<CdrBatchResult<Outcome>> {
    if (inputs.length > this.maxBatch) {
      throw badInput(`At most ${this.maxBatch} CDRs per call (MAX_CDR_BATCH); got ${inputs.length}: split the batch`, 'cdrs');
    }
    const { valid, rejected } = validateCdrs(inputs, now, this.partitions.keptSinceMs(now));
    valid.sort(byCallId);
    const result = valid.length === 0 ? emptyResult<Outcome>() : await this.storeInDays(valid);
    result.rejected = rejected.concat(result.rejected).sort((a, b) => a.index - b.index);
    return result;
  }

  /**
   * Makes sure the batch's days exist, outside its transaction (creating a day waits for no
   * batch, and none waits for it), then stores it. A day this instance believed to exist
   * but that is gone (dropped by hand, or a database restored from an older dump) fails the
   * insert as a whole: the days are looked up again, created, and the batch runs once more.
   */
  private async storeInDays(rows: ValidCdr[]): Promise<CdrBatchResult<Outcome>> {
    const starts = rows.map((r) => r.startedAtMs);
    await this.partitions.ensureFor(starts);
    try {
      return await this.storeInTransaction(rows);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      this.partitions.forget();
      await this.partitions.ensureFor(starts);
      return this.storeInTransaction(rows);
    }
  }

  /**
   * The batch's transaction. The insert refuses the records of customers that would
   * overflow, but a payment committed between that check and the ledger's update
   * (which locks) can still push a balance out of range: the rerun sees it and
   * refuses those records instead. Past the reruns the batch is refused, rolled back.
   */
  private async storeInTransaction(rows: ValidCdr[]): Promise<CdrBatchResult<Outcome>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((uow) => this.store(uow, rows));
      } catch (err) {
        if (sqlState(err) !== NUMERIC_OUT_OF_RANGE) throw err;
        if (attempt === 3) throw badInput(OVERFLOW_REASON, 'cdrs');
      }
    }
  }

  /** Everything that touches the database; runs again from scratch if the transaction is retried. */
  private async store(uow: UnitOfWork, rows: ValidCdr[]): Promise<CdrBatchResult<Outcome>> {
    const result = emptyResult<Outcome>();
    const resolved = await resolveCustomers(uow, rows);
    const batch = encodeBatch(rows, resolved);
    result.rejected.push(...batch.unknown.map((row) => rejection(row.index, row.callId, 'UNKNOWN_CUSTOMER', refField(row), unknownReason(row))));
    if (batch.candidates.length === 0) return result;
    // Stores, locks the customers with stored calls and charges them (cdr-insert.ts), and
    // makes the batch's later statements keep their generic plans (plan_mode there).
    const outcome = await uow.query<InsertOutcome>(CDR_INSERT, batch.params);
    const { stored, locked, ruled, charges, leftOut, overflowing } = readOutcome(outcome);
    // The rules read alert state only of customers this transaction holds: those the insert locked.
    markCustomersLocked(uow, locked);
    const changes = this.ledger.recordCharges(uow, charges);
    result.accepted = stored;
    let charged = batch.candidates;
    const pending: { row: ValidCdr; to: Resolved }[] = [];
    if (leftOut.size > 0) {
      charged = [];
      batch.candidates.forEach((c, i) => {
        if (leftOut.has(c.callId)) pending.push({ row: batch.candidateRows[i], to: { customerId: c.customerId, trunkId: c.trunkId } });
        else charged.push(c);
      });
    }
    // The records left out either collided with a stored record (committed before our
    // insert finished), name a customer that does not exist, or one that would overflow.
    if (pending.length > 0) this.classifyLeftovers(result, pending, await uow.query<StoredRow>(STORED_SQL, storedParams(pending.map((p) => p.row))), overflowing);
    // A batch of duplicates only stored nothing new: nothing to react to.
    if (charged.length > 0) result.outcome = await this.reactToBatch(uow, { cdrs: charged, callRanges: batch.callRanges, balanceChanges: changes, ruled });
    result.balanceChanges = changes.map((c) => BalanceChangeType.from(c));
    return result;
  }

  private classifyLeftovers(result: CdrBatchResult<Outcome>, pending: { row: ValidCdr; to: Resolved }[], stored: StoredRow[], overflowing: Set<string>): void {
    // One record per callId in a batch (DUPLICATE_IN_BATCH), so the callId finds its stored pair.
    const storedById = new Map(stored.map((s) => [s.call_id, s]));
    for (const { row, to } of pending) {
      const s = storedById.get(row.callId);
      const differs = s && differingField(s, row, to);
      if (!s && overflowing.has(to.customerId)) result.rejected.push(rejection(row.index, row.callId, 'OVERFLOW', 'charge', OVERFLOW_REASON));
      else if (!s) result.rejected.push(rejection(row.index, row.callId, 'UNKNOWN_CUSTOMER', refField(row), unknownReason(row)));
      else if (differs) result.rejected.push(rejection(row.index, row.callId, 'DUPLICATE_CONFLICT', differs, `callId is already stored with a different ${differs}`));
      else result.duplicates++;
    }
  }
}

/** The first field in which a stored record differs from a resubmitted one, if any. */
function differingField(s: StoredRow, row: ValidCdr, to: Resolved): string | undefined {
  if (s.customer_id !== to.customerId) return refField(row);
  if (s.started_at.getTime() !== row.startedAtMs) return 'startedAt';
  if (s.duration !== row.duration) return 'duration';
  if (s.disposition !== row.disposition) return 'disposition';
  if (!dec(s.charge).eq(row.charge)) return 'charge';
  if (s.callee !== row.callee) return 'callee';
  if (s.caller !== row.caller) return 'caller';
  return undefined;
}

/** PostgreSQL's "no partition of relation ... found for row" (a check violation without a constraint). */
function isMissingPartition(err: unknown): boolean {
  return sqlState(err) === '23514' && err instanceof Error && err.message.startsWith('no partition of relation');
}

/** Per left-out record its callId and the start of its UTC day; the whole days they span. */
function storedParams(rows: ValidCdr[]): unknown[] {
  const days = rows.map((r) => dayOf(r.startedAtMs) * DAY_MS);
  return [rows.map((r) => r.callId), days, Math.min(...days), Math.max(...days) + DAY_MS];
}

function refField(row: ValidCdr): string {
  return row.ref.kind === 'id' ? 'customerId' : row.ref.kind === 'trunk' ? 'trunk' : 'sourceIp';
}

function unknownReason(row: ValidCdr): string {
  if (row.ref.kind === 'id') return 'no customer has this id';
  if (row.ref.kind === 'trunk') return `no ingress trunk is named "${row.ref.value}"`;
  return `no enabled host of an ingress trunk covers ${row.ref.value}`;
}

function byCallId(a: ValidCdr, b: ValidCdr): number {
  return a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;
}

function emptyResult<Outcome>(): CdrBatchResult<Outcome> {
  const r = new CdrBatchResult<Outcome>();
  r.accepted = 0;
  r.duplicates = 0;
  r.rejected = [];
  r.balanceChanges = [];
  return r;
}
