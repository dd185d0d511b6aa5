/**
 * The CDR insert: the statement and its parameters. One statement stores a batch
 * (records of unknown customers and stored callIds are left out), appends the new
 * calls to the per-minute buckets (call-buckets.ts), charges the batch (ledger-write.ts)
 * and answers per customer; the parameters are one array per column.
 */
import { DistinctValues, epochMsToTimestamptz, plainArrayLiteral } from '../../platform/db/array-literal';
import { binaryInt4Array, binaryInt8Array, binaryTextArray, binaryUuidArray } from '../../platform/db/binary-array';
import { preparedSql } from '../../platform/db/prepared-sql';
import { ledgerWriteColumns, ledgerWriteCtes, type LedgerWriteRow, type LedgerWriteSql } from '../balance/ledger-write';
import { OWN_TRIGGERS_ON_SQL } from '../customer/customer-rules-change';
import { addToCallBucketsSql } from './call-buckets';
import type { CallRanges, ChargedCdr } from './charged-cdr';
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
 * Customer rows are locked only once the insert is done, in id order (`locked` below).
 * The per-minute call buckets are appended in the same statement over the inserted
 * rows (minute_buckets: unreferenced, it runs once the insert is done), so the rows
 * never travel back and forth and no statement is added.
 *
 * A customer whose balance or accrued charges the batch's charges would take out of
 * NUMERIC(28,10) (|value| < 10^18) gets none of its records inserted (`fits`), so the
 * ledger's update cannot fail the batch; the statement names it (overflow) and the
 * rest of the batch goes through. The sum counts every record sent, resubmissions
 * too: a bound, exact when nothing is a duplicate.
 *
 * The same statement then charges the batch (ledger-write.ts): `locked` takes the row
 * of every customer with a stored call, in id order, once every record is in (it reads
 * `sums`, which reads all of `inserted`), the lock order every writer of customers keeps;
 * the ledger writes the customers whose calls cost something (free calls leave the
 * balance alone: no ledger row, no event). One statement instead of an insert and a
 * ledger statement: a round trip less, and the per-customer sums never travel to the
 * app and back (a 1,000-record batch's ledger statement was 4.5 ms in the server alone).
 * The customers come back with `locked` set only as `locked` returned them, so the app
 * marks as held exactly the rows this statement locked.
 *
 * `plan_mode`: the batch's later statements (alert rules, states, events, notices) keep
 * generic plans from a connection's first batch. Left to choose, the server plans a
 * named statement for the values at the first five binds of each connection, and for
 * thousands of keys that planning is the costliest step: the rule statement over 4,400
 * customers (bench:scale) took 34-60 ms to plan at bind, against ~12 ms to build its
 * generic plan once and 1-2 ms to bind it after (the server's statement log; the planner
 * weighs every element of a key array it is given as a value), and at 100 customers 5 of
 * a 1,000-record batch's ~40 ms. A pool's connection closes after a minute idle, so a
 * feed sending a batch a minute would have paid that on every batch. Safe at every size
 * because none of those statements searches a key array outside an index: the rule
 * statement hashes its keys (alert-engine.ts, CDR_BATCH_RULES_SQL, whose generic plan's
 * rows test/e2e/cdr-rules-generic-plan.e2e.test.ts compares with the plan for the values),
 * states and events go through unnest, the leftovers probe the day's call_id index and
 * the lookups by id a primary key. The setting (set_config, local to the transaction) is
 * made here, once the customers are known, rather than by a SET of its own (a round trip).
 * Until 2026-12-04 it was made only up to GENERIC_PLAN_MAX_KEYS customers: a generic plan
 * then searched the key array element by element for every delta row (the rule statement
 * of 4,400 customers took 0.8 s, 0.67 s of it in that search), which the deltas' hash
 * join (call_bucket_deltas, call_bucket_delta_sums) has ended.
 *
 * This statement itself is named (CDR_INSERT) and left to plan_cache_mode's choice,
 * which settles on its generic plan after five runs on a connection. Unnamed, it was
 * parsed and planned at every batch: 0.7 ms of parse and ~1.5 ms of bind of a
 * 1,000-record batch's ~24 ms in the server. The generic plan estimates every array and
 * CTE at a few rows, so it must never join two of them by a nested loop: it joins the
 * records to the batch's customers by hash and reaches customers by index, and `locked`
 * carries the sums so that no CTE is joined to another (when `input` joined sums to
 * locked, the generic plan compared them pair by pair: 4 million comparisons for 2,000
 * customers). With 20,000 customers, 10,000 records took 189 ms on the generic plan
 * against 287 on the plan for their sizes over 2,000 customers, 487 against 860 over
 * 10,000 (EXPLAIN ANALYZE; test/e2e/cdr-plan-mode.e2e.test.ts checks the plan).
 *
 * The same sub-select turns parallel query off for the rest of the batch, whatever its
 * size: its statements probe the batch's customers by index, and a Gather's workers are
 * started at every execution, used or not. A generic rule plan made just after the
 * call-delta compaction's VACUUM (which invalidated it while the rule statement named
 * the deltas table, before call_bucket_deltas) counted on the deltas' size and
 * put its bounds under a Gather: from then on every batch waited ~22 ms for workers that
 * scanned nothing, behind a one-time filter (auto_explain, bench/cpu-vs-raw.js's workload).
 */
const CDR_WRITE: LedgerWriteSql = {
  input: 'input',
  reason: `'CDR_CHARGES'`,
  accruedCharges: 'c.accrued_charges + i.accrued_delta',
  previousAccrued: 'u.accrued_charges - u.accrued_delta',
  apiKeyId: 'NULL::uuid',
};

/** An enabled global rule (not a built-in: those read the customer's own triggers), over d. */
const GLOBAL_RULE = `d.customer_id IS NULL AND d.customer_class_id IS NULL AND d.enabled AND coalesce(d.builtin, '') = ''`;

/**
 * Whether an alert rule may apply to customer k (a row of `locked`, read as locked):
 * one of its own built-in triggers is set, an enabled rule names it or its class, an
 * enabled global rule covers its account type, or it has a triggered state. A customer
 * none of that holds for has nothing for the batch's rule statement to evaluate, and
 * the statement leaves it out (AlertEngine.onCdrsCharged; no statement at all when no
 * customer of the batch has a rule). It may say yes where no rule fires (a disabled
 * built-in, a rule of another area), never no where one could: the rule statement
 * decides. A customer the statement did not lock (none here) counts as yes.
 *
 * Read with the batch's lock on the customer: a change of its triggers, class or type
 * waits for the batch, then evaluates the customer's rules itself (alert-rule-changes.ts),
 * as does a rule created, enabled or widened meanwhile for the balance areas; a
 * CALL_DURATION rule created meanwhile starts with the next batch, as it would have if
 * created a moment later.
 *
 * Each kind of rule is read once per statement, not once per customer: the rules naming
 * the batch's customers ($10) and their triggered states by index, the class rules and
 * the few global ones whole, each into a hash (uncorrelated sub-selects). Probed per
 * customer they would be up to four index scans for each of a 5,000-record batch's ~4,400
 * customers. \`coalesce(builtin, '') = ''\` rather than \`builtin IS NULL\`: the builtin key's
 * index is no way to find the few others. The rules naming a customer are the exception:
 * probed per customer by their customer_id index (EXISTS). Read once as the rules naming
 * any of the batch's ids (\`customer_id = ANY($10)\`), the statement's generic plan scanned
 * the rules and compared each with the ids one by one (a plan for the values hashes the
 * array, a generic one cannot): ~15 ms a batch with 1,000 rules over 4,400 customers
 * (bench:scale) against ~6 ms for the probes, which cost ~3.5 ms without any such rule.
 * Joined to the ids instead (IN an unnest), the plan depended on the rules' statistics
 * (with a handful of rules, a nested loop over rules x ids), and every enabled customer
 * rule hashed whole would stop being hashable past the hash memory (~100,000 rules). The
 * triggered states come from alert_triggered_defs, planned at each call: read here with
 * \`customer_id = ANY($10)\`, the generic plan made while alert_states was empty scanned
 * its triggered states and compared each with every id of the batch
 * (migrations/1732406402700-alert-triggered-defs.ts).
 */
const MAY_HAVE_RULES = `(k.id IS NULL OR k.own_triggers
   OR EXISTS (SELECT FROM alert_definitions d WHERE d.customer_id = k.id AND d.enabled)
   OR coalesce(k.customer_class_id IN (SELECT d.customer_class_id FROM alert_definitions d WHERE d.customer_class_id IS NOT NULL AND d.enabled), false)
   OR coalesce((SELECT bool_or(d.account_type IS NULL) FROM alert_definitions d WHERE ${GLOBAL_RULE}), false)
   OR k.type IN (SELECT d.account_type FROM alert_definitions d WHERE ${GLOBAL_RULE} AND d.account_type IS NOT NULL)
   OR k.id IN (SELECT t.customer_id FROM alert_triggered_defs($10::uuid[]) t))`;

/** The ledger columns of outcome rows that are not a customer's (NULL each). */
const NO_LEDGER = `NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;

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
  SELECT u.call_id, u.customer_id, u.trunk_id, u.caller, u.callee, ${epochMsToTimestamptz('($13::int8 + u.started_offset_ms)')}, u.duration, u.disposition, u.charge
    FROM (SELECT r.*, k.id AS customer_id, ($11::uuid[])[r.trunk_at] AS trunk_id, ($12::text[])[r.disposition_at] AS disposition
            FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int8[], $7::int[], $8::int[], $9::numeric[])
                 AS r(call_id, customer_at, trunk_at, caller, callee, started_offset_ms, duration, disposition_at, charge)
            JOIN batch_customers k ON k.at = r.customer_at AND k.fits) u
  ON CONFLICT DO NOTHING
  RETURNING call_id, customer_id, started_at, duration, disposition, charge
), minute_buckets AS (
  ${addToCallBucketsSql('inserted')}
), sums AS MATERIALIZED (
  SELECT customer_id, count(*)::int AS calls, sum(charge) AS charges FROM inserted GROUP BY customer_id
), locked AS MATERIALIZED (
  -- Carries the sums: input then reads this CTE alone (a join of two CTEs is a nested loop
  -- in the generic plan, which estimates either at a few rows: quadratic in the customers).
  SELECT c.id, s.calls, s.charges, c.customer_class_id, c.type,
         ${OWN_TRIGGERS_ON_SQL} AS own_triggers
    FROM sums s JOIN customers c ON c.id = s.customer_id ORDER BY c.id FOR NO KEY UPDATE OF c
), input AS (
  SELECT l.id AS customer_id, -l.charges AS delta, l.charges AS accrued_delta, NULL::text AS reference, NULL::text AS note, l.calls AS cdr_count
    FROM locked l
   WHERE l.charges <> 0
), ${ledgerWriteCtes(CDR_WRITE)}
SELECT s.customer_id, s.calls, NULL AS left_out, false AS overflow, k.id IS NOT NULL AS locked, ${MAY_HAVE_RULES} AS rules,
       (SELECT set_config('max_parallel_workers_per_gather', '0', true) || set_config('plan_cache_mode', 'force_generic_plan', true)) AS plan_mode,
       ${ledgerWriteColumns(CDR_WRITE)}
  FROM sums s
  LEFT JOIN locked k ON k.id = s.customer_id
  LEFT JOIN (updated u JOIN ledger l ON l.customer_id = u.id) ON u.id = s.customer_id
UNION ALL
-- The batch's callIds are distinct: when every record went in, nothing is left out and the anti-join (a hash of every callId) is skipped.
SELECT NULL, NULL, u.call_id, false, false, NULL, NULL, ${NO_LEDGER} FROM unnest($1::text[]) AS u(call_id)
 WHERE (SELECT count(*) FROM inserted) < cardinality($1::text[]) AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.call_id = u.call_id)
UNION ALL
SELECT id, NULL, NULL, true, false, NULL, NULL, ${NO_LEDGER} FROM batch_customers WHERE NOT fits`;

/** CDR_INSERT_SQL as the named statement the batch runs (see plan_mode above on why named). */
export const CDR_INSERT = preparedSql('cdr.insert', CDR_INSERT_SQL);

/**
 * What the insert answers: a row per customer with stored calls (their count, whether
 * the statement locked the customer, and its ledger entry when the calls cost
 * something), a row per record it did not insert (left_out: a stored callId, a customer
 * that does not exist or one that would overflow), and a row per customer that would
 * overflow (overflow). Nothing per inserted record crosses back.
 */
export type InsertOutcome = Omit<LedgerWriteRow, 'customer_id' | 'ledger_id'> & {
  customer_id: string | null;
  calls: number | null;
  left_out: string | null;
  overflow: boolean;
  locked: boolean;
  /** On a customer's row: whether an alert rule may apply to it (MAY_HAVE_RULES). */
  rules: boolean | null;
  ledger_id: string | null;
};

/** A batch ready for insertSql: its parameters, and the records they carry in order. */
export interface EncodedBatch {
  params: (string | Buffer)[];
  /** The records sent, as they are charged if stored. */
  candidates: ChargedCdr[];
  /** candidates[i] came from candidateRows[i]. */
  candidateRows: ValidCdr[];
  /** Records whose customer could not be resolved (not sent). */
  unknown: ValidCdr[];
  /** The customers sent ($10's order), each with its shortest and longest call sent. */
  callRanges: CallRanges;
}

/**
 * Customers, trunks and dispositions go once each (a batch names a few hundred at
 * most); every record sends its positions in those lists instead of the values: a
 * quarter fewer bytes per record. Every column but the charges goes as an array in the
 * binary format (binary-array.ts: the server reads a 5,000-element text[] in about half
 * the CPU its literal takes, and node-postgres copies a Buffer as it is); the charges go
 * as a literal built here (numeric's binary form is base-10000 digit groups, not worth
 * its code for what numeric_in costs), which node-postgres would otherwise build by
 * escaping every element.
 *
 * Starts go as milliseconds from the batch's first record ($13, epoch ms), not as epoch
 * milliseconds: an epoch millisecond (13 digits, above 2^31) is a heap number in V8, and
 * turning 5,000 of them into text took ~1 ms of a 5,000-record batch, against ~0.2 ms
 * for offsets within 12 days either way (small integers), which are also half the
 * digits to send and parse (bench:cdr's batches span an hour; its bind-parameter table
 * measures both). Exact: both are integers below 2^53 and the sum is taken in int8.
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
  const startOffsets: number[] = [];
  const durations: number[] = [];
  const dispositionAt: number[] = [];
  const charges: string[] = [];
  const candidates: ChargedCdr[] = [];
  const candidateRows: ValidCdr[] = [];
  const unknown: ValidCdr[] = [];
  const shortest: number[] = [];
  const longest: number[] = [];
  const startBase = rows.length > 0 ? rows[0].startedAtMs : 0;
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
    const at = customers.position(to.customerId);
    customerAt.push(at);
    // Positions count from 1 in first-seen order: a new customer's is the next one.
    if (at > shortest.length) {
      shortest.push(row.duration);
      longest.push(row.duration);
    } else if (row.duration < shortest[at - 1]) shortest[at - 1] = row.duration;
    else if (row.duration > longest[at - 1]) longest[at - 1] = row.duration;
    trunkAt.push(to.trunkId === null ? null : trunks.position(to.trunkId));
    callers.push(row.caller);
    callees.push(row.callee);
    startOffsets.push(row.startedAtMs - startBase);
    durations.push(row.duration);
    dispositionAt.push(dispositions.position(row.disposition));
    charges.push(row.charge);
  }
  const params = [
    binaryTextArray(callIds),
    binaryInt4Array(customerAt),
    // No trunk at all (records named by customerId): an empty array, which unnest pads with NULLs.
    binaryInt4Array(trunks.size === 0 ? [] : trunkAt),
    binaryTextArray(callers),
    binaryTextArray(callees),
    binaryInt8Array(startOffsets),
    binaryInt4Array(durations),
    binaryInt4Array(dispositionAt),
    plainArrayLiteral(charges),
    binaryUuidArray(customers.values),
    binaryUuidArray(trunks.values),
    binaryTextArray(dispositions.values),
    String(startBase),
  ];
  return { params, candidates, candidateRows, unknown, callRanges: { customerIds: customers.values, shortest, longest } };
}

/**
 * The insert's answer: how many records it stored, the customers it locked, those an
 * alert rule may apply to, the ledger entries it wrote (in customer id order, as every
 * ledger write reports them), the callIds it left out and the customers that would overflow.
 */
export function readOutcome(rows: readonly InsertOutcome[]): {
  stored: number;
  locked: string[];
  ruled: Set<string>;
  charges: LedgerWriteRow[];
  leftOut: Set<string>;
  overflowing: Set<string>;
} {
  let stored = 0;
  const locked: string[] = [];
  const ruled = new Set<string>();
  const charges: LedgerWriteRow[] = [];
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
    if (o.locked) locked.push(o.customer_id!);
    if (o.rules) ruled.add(o.customer_id!);
    if (o.ledger_id !== null) charges.push(o as LedgerWriteRow);
  }
  charges.sort((a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0));
  return { stored, locked, ruled, charges, leftOut, overflowing };
}
