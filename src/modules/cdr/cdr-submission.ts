/**
 * submitCdrs, the hot path: validate in JS, then ONE transaction of a fixed number
 * of set-based statements whatever the batch size (resolve trunk names and source
 * IPs: one query each when used; insert: one; leftovers: one when any record was
 * not inserted; balances: the ledger's two). Arrays travel as one bind parameter per column (unnest), so the statement
 * count and the parameter count do not grow with the batch.
 */
import { dec, negateDecimal, normaliseDecimal } from '../../common/decimal';
import { DistinctValues, epochMsToTimestamptz, plainArrayLiteral, textArrayLiteral } from '../../db/array-literal';
import { badInput } from '../../common/errors';
import type { Database } from '../../db/database';
import type { UnitOfWork } from '../../db/unit-of-work';
import { BalanceChangeType } from '../balance/balance-change.type';
import type { BalanceDelta, BalanceLedger } from '../balance/balance-ledger';
import { lockCustomers } from '../balance/customer-locks';
import { emitted, type ChargedCdr, type DomainHooks } from '../domain-hooks';
import type { CdrInput } from './cdr.inputs';
import { CdrBatchResult, type CdrRejection } from './cdr.type';
import { rejection, validateCdrs, type ValidCdr } from './cdr-validation';
import { resolveCustomers, type Resolved } from './customer-resolution';

/**
 * Rows go in sorted by call_id. Every batch then takes its unique-index entries in
 * the same global order, so two batches sharing callIds wait for each other (the
 * second skips the first's rows once it commits) but never deadlock on the index.
 * Customer rows are locked only after the insert, in id order, by the ledger.
 * Other modules' CdrInsertCtes (the alert engine's call buckets) run in the same
 * statement over the inserted rows; unreferenced, they run once the insert is done.
 */
function insertSql(ctes: string[]): string {
  return `
WITH inserted AS (
  INSERT INTO cdrs (call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge)
  SELECT u.call_id, u.customer_id, u.trunk_id, u.caller, u.callee, ${epochMsToTimestamptz('u.started_ms')}, u.duration, u.disposition, u.charge
    FROM (SELECT r.*, k.id AS customer_id, ($11::uuid[])[r.trunk_at] AS trunk_id, ($12::text[])[r.disposition_at] AS disposition
            FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int8[], $7::int[], $8::int[], $9::numeric[])
                 AS r(call_id, customer_at, trunk_at, caller, callee, started_ms, duration, disposition_at, charge)
            -- Each distinct customer is looked up once; records of unknown ones are left out.
            JOIN (SELECT k.id, k.at FROM unnest($10::uuid[]) WITH ORDINALITY AS k(id, at)
                   WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = k.id)) k ON k.at = r.customer_at) u
  ON CONFLICT (call_id) DO NOTHING
  RETURNING call_id, customer_id, started_at, duration, disposition, charge
)${ctes.map((sql, i) => `, also_${i} AS (${sql})`).join('')}
SELECT customer_id, count(*)::int AS calls, sum(charge)::text AS charges, NULL AS left_out FROM inserted GROUP BY customer_id
UNION ALL
SELECT NULL, NULL, NULL, u.call_id FROM unnest($1::text[]) AS u(call_id) WHERE NOT EXISTS (SELECT 1 FROM inserted i WHERE i.call_id = u.call_id)`;
}

/**
 * What the insert answers: a row per charged customer (its new calls and their exact
 * sum), and a row per record it did not insert (left_out: a stored callId, or a
 * customer that does not exist). Nothing per inserted record crosses back.
 */
interface InsertOutcome {
  customer_id: string | null;
  calls: number | null;
  charges: string | null;
  left_out: string | null;
}

const STORED_SQL = `
SELECT call_id, customer_id, caller, callee, started_at, duration, disposition, charge
  FROM cdrs WHERE call_id = ANY($1::text[])`;

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

export class CdrSubmission {
  constructor(
    private readonly db: Database,
    private readonly hooks: DomainHooks,
    private readonly ledger: BalanceLedger,
    private readonly maxBatch: number,
  ) {}

  async submit(inputs: readonly CdrInput[], now = Date.now()): Promise<CdrBatchResult> {
    if (inputs.length > this.maxBatch) {
      throw badInput(`At most ${this.maxBatch} CDRs per call (MAX_CDR_BATCH); got ${inputs.length}: split the batch`, 'cdrs');
    }
    const { valid, rejected } = validateCdrs(inputs, now);
    valid.sort(byCallId);
    const result = valid.length === 0 ? emptyResult() : await this.db.transaction((uow) => this.store(uow, valid));
    result.rejected = rejected.concat(result.rejected).sort((a, b) => a.index - b.index);
    return result;
  }

  /** Everything that touches the database; runs again from scratch if the transaction is retried. */
  private async store(uow: UnitOfWork, rows: ValidCdr[]): Promise<CdrBatchResult> {
    const result = emptyResult();
    const resolved = await resolveCustomers(uow, rows);
    const n = rows.length;
    // Customers, trunks and dispositions go once each (a batch names a few hundred at
    // most); every record sends its positions in those lists instead of the values.
    const customers = new DistinctValues();
    const trunks = new DistinctValues();
    const dispositions = new DistinctValues();
    const callIds: string[] = [];
    const customerAt: number[] = [];
    const trunkAt: (number | null)[] = [];
    const callers: (string | null)[] = [];
    const callees: string[] = [];
    const starts: number[] = [];
    const durations: number[] = [];
    const dispositionAt: number[] = [];
    const charges: string[] = [];
    const candidates: ChargedCdr[] = [];
    const candidateRows: ValidCdr[] = [];
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      const to = resolved[i];
      if (!to) {
        result.rejected.push(rejection(row.index, row.callId, 'UNKNOWN_CUSTOMER', refField(row), unknownReason(row)));
        continue;
      }
      candidates.push({ customerId: to.customerId, trunkId: to.trunkId, callId: row.callId, startedAtMs: row.startedAtMs, duration: row.duration, disposition: row.disposition, charge: row.charge });
      candidateRows.push(row);
      callIds.push(row.callId);
      customerAt.push(customers.position(to.customerId));
      trunkAt.push(to.trunkId === null ? null : trunks.position(to.trunkId));
      callers.push(row.caller);
      callees.push(row.callee);
      starts.push(row.startedAtMs);
      durations.push(row.duration);
      dispositionAt.push(dispositions.position(row.disposition));
      charges.push(row.charge);
    }
    if (callIds.length === 0) return result;

    // Literals built here: node-postgres would escape all 45,000 elements of a 5,000-row batch.
    const outcome = await uow.query<InsertOutcome>(insertSql(this.hooks.cdrInsertCtes('inserted')), [
      textArrayLiteral(callIds),
      plainArrayLiteral(customerAt),
      // No trunk at all (records named by customerId): an empty array, which unnest pads with NULLs.
      trunks.size === 0 ? '{}' : plainArrayLiteral(trunkAt),
      textArrayLiteral(callers),
      textArrayLiteral(callees),
      plainArrayLiteral(starts),
      plainArrayLiteral(durations),
      plainArrayLiteral(dispositionAt),
      plainArrayLiteral(charges),
      plainArrayLiteral(customers.values),
      plainArrayLiteral(trunks.values),
      plainArrayLiteral(dispositions.values),
    ]);
    const deltas: BalanceDelta[] = [];
    const leftOut = new Set<string>();
    for (const o of outcome) {
      if (o.left_out !== null) {
        leftOut.add(o.left_out);
        continue;
      }
      result.accepted += o.calls!;
      const sum = normaliseDecimal(o.charges!);
      // Free calls (all charges 0) leave the balance alone: no ledger row, no event.
      if (sum !== '0') deltas.push({ customerId: o.customer_id!, delta: negateDecimal(sum), accruedDelta: sum });
    }
    let charged = candidates;
    const pending: { row: ValidCdr; to: Resolved }[] = [];
    if (leftOut.size > 0) {
      charged = [];
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        if (leftOut.has(c.callId)) pending.push({ row: candidateRows[i], to: { customerId: c.customerId, trunkId: c.trunkId } });
        else charged.push(c);
      }
    }
    // The records left out either collided with a stored record (committed before our
    // insert finished) or name a customer that does not exist.
    if (pending.length > 0) this.classifyLeftovers(result, pending, await uow.query<StoredRow>(STORED_SQL, [pending.map((p) => p.row.callId)]));

    // The batch's customers are locked (in id order) before any rule reads their alert
    // state: the ledger's update locks those it charges; customers whose new calls were
    // all free get no balance change, so then the whole set is locked first, here.
    const batchCustomers = new Set(charged.map((c) => c.customerId));
    if (batchCustomers.size > deltas.length) await lockCustomers(uow, batchCustomers);
    const changes = await this.ledger.apply(uow, 'CDR_CHARGES', deltas);
    await this.hooks.emit('cdrsCharged', uow, charged);
    result.balanceChanges = changes.map((c) => BalanceChangeType.from(c));
    result.createdAlertEvents = [...emitted(uow, 'alertEventsCreated')];
    return result;
  }

  private classifyLeftovers(result: CdrBatchResult, pending: { row: ValidCdr; to: Resolved }[], stored: StoredRow[]): void {
    const storedById = new Map(stored.map((s) => [s.call_id, s]));
    for (const { row, to } of pending) {
      const s = storedById.get(row.callId);
      const differs = s && differingField(s, row, to);
      if (!s) result.rejected.push(rejection(row.index, row.callId, 'UNKNOWN_CUSTOMER', refField(row), unknownReason(row)));
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

function emptyResult(): CdrBatchResult {
  const r = new CdrBatchResult();
  r.accepted = 0;
  r.duplicates = 0;
  r.rejected = [];
  r.balanceChanges = [];
  r.createdAlertEvents = [];
  return r;
}
