/**
 * The CDR insert: the statement and its parameters. One statement stores a batch
 * (records of unknown customers and stored callIds are left out), appends the new
 * calls to the per-minute buckets (call-buckets.ts), and answers per customer; the parameters
 * are one array per column.
 */
import { negateDecimal, normaliseDecimal } from '../../platform/common/decimal';
import { DistinctValues, epochMsToTimestamptz, plainArrayLiteral, textArrayLiteral } from '../../platform/db/array-literal';
import type { BalanceDelta } from '../balance/balance-ledger';
import { addToCallBucketsSql } from './call-buckets';
import type { ChargedCdr } from './charged-cdr';
import type { ValidCdr } from './cdr-validation';
import type { Resolved } from './customer-resolution';

/**
 * A callId is unique within the UTC day of its started_at: cdrs is partitioned by
 * that day and each day has a unique index on call_id of its own
 * (migrations/1732406401620-cdr-callid-per-day.ts); ON CONFLICT without a target
 * arbitrates on the unique indexes of the day a row goes to.
 * Rows go in sorted by call_id. Every batch then takes its unique-index entries in
 * the same global order, so two batches sharing callIds wait for each other (the
 * second skips the first's rows once it commits) but never deadlock on the index.
 * Customer rows are locked only after the insert, in id order, by the ledger.
 * The per-minute call buckets are appended in the same statement over the inserted
 * rows (minute_buckets: unreferenced, it runs once the insert is done), so the rows
 * never travel back and forth and no statement is added.
 *
 * A customer whose balance or accrued charges the batch's charges would take out of
 * NUMERIC(28,10) (|value| < 10^18) gets none of its records inserted (`fits`), so the
 * ledger's update cannot fail the batch; the statement names it (overflow) and the
 * rest of the batch goes through. The sum counts every record sent, resubmissions
 * too: a bound, exact when nothing is a duplicate.
 */
export const CDR_INSERT_SQL = `
WITH batch_customers AS (
  SELECT k.id, k.at,
         c.balance - coalesce(s.total, 0) > -1e18 AND c.accrued_charges + coalesce(s.total, 0) < 1e18 AS fits
    FROM unnest($10::uuid[]) WITH ORDINALITY AS k(id, at)
    -- Each distinct customer is looked up once; records of unknown ones are left out.
    JOIN customers c ON c.id = k.id
    LEFT JOIN (SELECT s.customer_at, sum(s.charge) AS total FROM unnest($2::int[], $9::numeric[]) AS s(customer_at, charge) GROUP BY 1) s
      ON s.customer_at = k.at
  -- What the foreign key's check did per row, once per customer: deleting the customer waits for this batch.
     FOR KEY SHARE OF c
), inserted AS (
  INSERT INTO cdrs (call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge)
  SELECT u.call_id, u.customer_id, u.trunk_id, u.caller, u.callee, ${epochMsToTimestamptz('u.started_ms')}, u.duration, u.disposition, u.charge
    FROM (SELECT r.*, k.id AS customer_id, ($11::uuid[])[r.trunk_at] AS trunk_id, ($12::text[])[r.disposition_at] AS disposition
            FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int8[], $7::int[], $8::int[], $9::numeric[])
                 AS r(call_id, customer_at, trunk_at, caller, callee, started_ms, duration, disposition_at, charge)
            JOIN batch_customers k ON k.at = r.customer_at AND k.fits) u
  ON CONFLICT DO NOTHING
  RETURNING call_id, customer_id, started_at, duration, disposition, charge
), minute_buckets AS (
  ${addToCallBucketsSql('inserted')}
)
SELECT customer_id, count(*)::int AS calls, sum(charge)::text AS charges, NULL AS left_out, false AS overflow FROM inserted GROUP BY customer_id
UNION ALL
-- The batch's callIds are distinct: when every record went in, nothing is left out and the anti-join (a hash of every callId) is skipped.
SELECT NULL, NULL, NULL, u.call_id, false FROM unnest($1::text[]) AS u(call_id)
 WHERE (SELECT count(*) FROM inserted) < cardinality($1::text[]) AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.call_id = u.call_id)
UNION ALL
SELECT id, NULL, NULL, NULL, true FROM batch_customers WHERE NOT fits`;

/**
 * What the insert answers: a row per charged customer (its new calls and their exact
 * sum), a row per record it did not insert (left_out: a stored callId, a customer
 * that does not exist or one that would overflow), and a row per customer that would
 * overflow (overflow). Nothing per inserted record crosses back.
 */
export interface InsertOutcome {
  customer_id: string | null;
  calls: number | null;
  charges: string | null;
  left_out: string | null;
  overflow: boolean;
}

/** A batch ready for insertSql: its parameters, and the records they carry in order. */
export interface EncodedBatch {
  params: string[];
  /** The records sent, as they are charged if stored. */
  candidates: ChargedCdr[];
  /** candidates[i] came from candidateRows[i]. */
  candidateRows: ValidCdr[];
  /** Records whose customer could not be resolved (not sent). */
  unknown: ValidCdr[];
}

/**
 * Customers, trunks and dispositions go once each (a batch names a few hundred at
 * most); every record sends its positions in those lists instead of the values: a
 * quarter fewer bytes per record. Literals built here: node-postgres would escape all
 * 45,000 elements of a 5,000-row batch.
 */
export function encodeBatch(rows: readonly ValidCdr[], resolved: readonly (Resolved | undefined)[]): EncodedBatch {
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
  const unknown: ValidCdr[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const to = resolved[i];
    if (!to) {
      unknown.push(row);
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
  const params = [
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
  ];
  return { params, candidates, candidateRows, unknown };
}

/** The insert's answer: how many records it stored, the balance delta per charged customer, the callIds it left out and the customers that would overflow. */
export function readOutcome(rows: readonly InsertOutcome[]): { stored: number; deltas: BalanceDelta[]; leftOut: Set<string>; overflowing: Set<string> } {
  let stored = 0;
  const deltas: BalanceDelta[] = [];
  const leftOut = new Set<string>();
  const overflowing = new Set<string>();
  for (const o of rows) {
    if (o.left_out !== null) {
      leftOut.add(o.left_out);
      continue;
    }
    if (o.overflow) {
      overflowing.add(o.customer_id!);
      continue;
    }
    stored += o.calls!;
    const sum = normaliseDecimal(o.charges!);
    // Free calls (all charges 0) leave the balance alone: no ledger row, no event.
    if (sum !== '0') deltas.push({ customerId: o.customer_id!, delta: negateDecimal(sum), accruedDelta: sum, cdrCount: o.calls! });
  }
  return { stored, deltas, leftOut, overflowing };
}
