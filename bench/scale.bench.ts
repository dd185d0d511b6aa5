/**
 * Ingest at carrier scale with many rules: CDR/s through the real GraphQL endpoint from two
 * feeds (two switches submitting concurrently) into 20,000 customers, with the built-in rules
 * only (customers' triggers off) versus 1,000 alert rules, in the same run, each scenario on
 * a fresh database seeded alike. The 1,000 rules are what a carrier ends up with: 900 on one
 * customer each, 80 on classes (4 per class of 1,000 customers) and 20 on an account type,
 * over every area, windowed ones over 5, 15 and 60 minutes; mostly quiet, as in production,
 * with a call duration rule firing on a few calls per batch. The background jobs run every
 * second, as in production (the windows' re-evaluation and the call-delta compaction among
 * them); BENCH_SCALE_SCHEDULER_MS=0 measures the request path alone. Calls start within the
 * last 10 minutes, so windowed rules aggregate real calls.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:scale
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { startApp, type App } from '../src/app/app';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { BENCH_RATE_LIMITS, openBenchServer, type BenchServer } from './bench-env';
import { writeBenchmarkSections } from './benchmarks-file';

const CUSTOMERS = Number(process.env.BENCH_SCALE_CUSTOMERS ?? 20_000);
const CLASSES = 20;
const RULES = 1_000;
const FEEDS = 2;
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
/**
 * Measured batches a feed: 72 since 2026-12-05 at 10:50 UTC (24 from 04:52 that day, 8
 * before), so that a scenario's measured part holds several call-delta compaction passes
 * (paced once per 5 s, 0.7-1.4 s of PostgreSQL time each on this machine) and not one
 * more or less by chance. With 8 and the jobs on (a scenario's measured part ~3-4 s), the
 * built-ins-only scenario mostly ended before its first pass with deltas to move, while
 * the rules scenario, longer by its rules' creation, had one inside: over a run, its
 * compaction moved 218,608 bucket rows against 67,607 for the same CDRs
 * (pg_stat_statements); with 24, 848,849 against 826,243 over a run, but a measured part
 * (~9-11 s) held one pass or two by its phase: in ten parts on 2026-12-05 (10:34-10:41
 * UTC, five of each scenario, on a PostgreSQL 15 of its own with pg_stat_statements
 * reset at each part's start), one or two passes of 0.7-1.4 s each, moving 91,400 to
 * 166,365 bucket rows, in either scenario. One pass more or less is ~4-7% of a part's
 * CPU, as much as the difference the target asks about. With 72 (~30 s a part) a part
 * holds about six passes. Changed for that spread, before any run with it.
 */
const BATCHES = Number(process.env.BENCH_BATCHES ?? 72);
const WARMUP = 2;
// Five rounds since the night of 2026-12-04 (two before): two runs of the same code, two rounds each,
// measured 1.103x and 0.772x, so a best of two said more about the VM than the code.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * The app's SCHEDULER_INTERVAL_MS: 1000 (the default since 2026-12-05 at 04:50 UTC, the app's
 * own) runs the background jobs as production does; 0 (the default until then) measures the
 * request path alone (BENCH_SCALE_SCHEDULER_MS=0 npm run bench:scale; BENCH_SCALE_WINDOW_INTERVAL_MS
 * sets how often the windows are, ALERT_WINDOW_INTERVAL_MS). Changed after seeing results: with
 * the jobs on, the rules had cost far more than with them off until that day's changes to the
 * windows' pass, and two runs after them met the target with the jobs on; production runs them,
 * and bench:cdr always has.
 */
const SCHEDULER_MS = process.env.BENCH_SCALE_SCHEDULER_MS ?? '1000';
/** With the jobs on, how often the windows are re-evaluated (the app's ALERT_WINDOW_INTERVAL_MS; its default when unset). */
const WINDOW_INTERVAL_MS = process.env.BENCH_SCALE_WINDOW_INTERVAL_MS;
const ADMIN_KEY = `lg_bench_${randomBytes(12).toString('hex')}`;
const TARGET = 0.8;

/**
 * What the built-ins-only scenario measures since the rule statement is left out for
 * customers without rules (static text, with the numbers of the runs it names).
 */
const BASELINE_NOTE = `Since 2026-12-04 a batch evaluates rules only for the customers a rule may apply to: the built-ins-only scenario (no customer has a trigger set) runs no rule statement, where until then both scenarios ran it over every customer of the batch, so the ratio measures the whole cost of the 1,000 rules (the last run before that change: 21,407 against 17,603 CDR/s, 0.82x; the first after it: 27,700 against 18,159, 0.66x). Later the same day: call_bucket_deltas hashes the batch's customers (PL/pgSQL keeps its generic plan from a connection's sixth call, which searched the customer array for every delta row: about a second a batch once a feed had sent more than eight) and returns the deltas unsummed, and the rules are filtered by the whole batch before they meet its customers (first run after: 26,770 against 18,621, 0.70x); then the rule statement is named at every size, so that the server keeps its generic plan after five batches of a connection (21,310 against 28,323, 0.75x). Where the rules' batch went then (the server's statement log of two feeds of ten batches over this bench's data): the CDR insert ~294 ms a batch, as without rules; the rule statement, on its plan for the values (the first five batches of a connection, half of a feed's ten here), 36-61 ms to plan and 33-41 ms to run, on its generic plan 5-21 ms to bind and 47-70 ms to run. Since the evening of 2026-12-04 the statement reads the batch's customers once for its three parts, a scope none of whose rules the batch-wide filters leave meets no customer, and the windows are bounded by deltas summed per customer: its round trip over 4,400 of this bench's customers went from 66-74 ms to 48-52 on its generic plan, from 78-83 to 58-63 on the plan for its values (\`node bench/scale-probe.js\` with RULE_TIMES=1, three rounds against the commit before). Most of what is left is the sum of the deltas, which this bench never compacts (schedulers off): ~18 ms over ~99,000 of them at a feed's tenth batch. Then the CDR insert's and the rule statement's array parameters went in PostgreSQL's binary format (cb5b216): the statement's round trip over ~4,400 customers 39-40 ms against 46-69 on its generic plan (scale-probe, two rounds); the first run after it measured 21,485 against 27,781, 0.77x (both scenarios slower than the run before on this VM, the built-ins-only one by more). Then a batch's later statements bind generic plans from a connection's first batch (d394429: the statement's planning for the values had taken 34-60 ms at bind in each connection's first five batches, three of a feed's eight measured ones here) and the rules' JS with the customers locked was cut (a0ebf4e: uuids decoded by character code, the call ranges taken from the batch's encoding): first run after both, 21,193 against 26,530, 0.7988x (printed 0.80x, so the ratio now prints three decimals and its verdict). Then the CDR insert finds the customers with rules of their own by an index probe per customer (68df1a5; on its generic plan the lookup had compared each of the 1,000 rules with the batch's 4,400 ids one by one, ~15 ms a batch, against ~6 ms for the probes and ~3.5 ms for them when no customer has a rule): the first run after it measured 24,093 against 21,853, 1.103x, met, but its built-ins-only rounds (19,676 and 21,853) came in below every earlier run's (22,883 to 32,304) while nothing in that scenario's path got slower by more than those ~3.5 ms, so the VM moved more than the code did; the run before measured 0.7988x. A second run of the same code right after it (22:30 UTC, not kept in the table above, which holds the first run after a change): 18,249 against 23,640, 0.772x, not met. Both runs together: the rules scenario at 0.77x to 1.10x of the built-ins-only one, the target not shown to hold. From the night of 2026-12-04 the bench runs five alternating rounds (two before; a best of two swung from 0.77x to 1.10x with the code unchanged), and its process, which hosts the app, starts with the production image's young-generation flags (\`npm run bench:scale\`; bench/app-node-flags.json), which it lacked: the app's GC time per 5,000-record batch halves with them (7493281). The first run so (23:52 UTC): 24,496 against 29,194 CDR/s, 0.839x best to best, 0.820x median to median, met; round by round 0.836x, 0.873x, 0.895x, 0.666x and 0.877x. On 2026-12-05 at 02:12 UTC, the first run after that day's changes to the ingest path (call-bucket compaction, which this bench does not run; text arrays in one pass; answers without ETag: both scenarios alike): 39,568 against 49,571 CDR/s, 0.798x best to best, 0.852x median to median, not met (round by round 0.840x, 0.733x, 0.902x, 0.888x and 0.786x). Four more runs of the same code (02:14-02:17 UTC, not kept in the table above) measured 0.812x, 0.822x, 0.839x and 0.733x best to best and 0.795x, 0.776x, 0.815x and 0.792x median to median: the 1,000 rules cost 15-22% of the built-ins-only rate in every run (medians), and the verdict, which asks both ratios for 0.8x, came out met in one run of five. The run after the windows' re-evaluation went in chunks (173ddb8, a background job, which this bench with its jobs off does not run: the request path is the one of the five runs before), at 02:33 UTC: 37,082 against 45,794 CDR/s, 0.810x best to best, 0.827x median to median, met; with those five, met in two runs of six. On 2026-12-05 at 04:09 UTC, the first run after the rule statements read the compacted buckets through call_bucket_sums, planned for its values at each call (47ad755: this bench with its jobs off compacts nothing, so its buckets stay empty and the function adds only its planning), and after the windows' pass began to lock only the customers whose windows have something to do (3c52011, a background job, which this bench does not run; the later changes to that pass, 131a04f and 3f1bfb6, are off the batches' path too, and the rule changes' write to its mark is in the bench's setup): 26,370 against 30,948 CDR/s, 0.852x best to best, 0.824x median to median, met (both scenarios about a third below the 02:33 run's rates, on this session's machine, idle at start). Two more runs of the same request path (04:11-04:16 UTC, not kept in the table above): 0.903x and 0.834x best to best, 0.850x and 0.763x median to median; met in two of the three. Runs with the background jobs on (BENCH_SCALE_SCHEDULER_MS=1000, not kept in the table above), that day: before its changes to the windows' pass, 0.47x-0.73x median to median (four runs); with the pass locking only the customers with something to do and the buckets read through call_bucket_sums (3c52011, 47ad755; 04:17-04:22 UTC), 0.757x and 0.791x best to best, 0.620x and 0.523x median to median; with the pass reading, after a complete one, only the customers with calls that left a window since (131a04f; by minute buckets, 04:31-04:36), 0.740x and 0.762x, 0.748x and 0.751x; with those calls found in cdrs to the second (3f1bfb6; 04:40-04:44), 0.835x and 0.822x, 0.826x and 0.800x, met in both. From 04:45 UTC the bench runs the jobs by default, as production does and bench:cdr always has (a default changed after seeing those results; BENCH_SCALE_SCHEDULER_MS=0 for the request path alone). The first run so (04:45 UTC, eight measured batches a feed): 22,304 against 27,768 CDR/s, 0.803x best to best, 0.765x median to median, not met. In it, and in every jobs-on run before, the call-delta compaction (once per 5 s) ran mostly in the rules scenario's measured part, which its rules' creation had shifted, and mostly not in the built-ins-only one's: so from 04:52 UTC each feed sends 24 measured batches (a change after seeing results, for that reason; the constant's comment has the counts). The first run so (04:52 UTC): 22,662 against 29,297 CDR/s, 0.774x best to best, 0.772x median to median, not met. Where the rules' batch goes now (auto_explain, one round on a PostgreSQL of its own, the rule statement at a feed's last batches): 80-145 ms a statement, of which the customers' bounds ~65 ms (their compacted buckets ~38-53 ms, a hash join over every bucket of the last hour, 142,000 rows for the 4,400 customers' 31,000; their deltas ~22-27 ms, a scan of all 109,000 stored); with the jobs on, the windows' pass ~7 ms for its listing (~230 customers a pass) and ~86 ms a call for their windows' statement, whose bounds read the same buckets and deltas (pg_stat_statements, a run of five rounds: 71 calls), and a compaction pass every 5 s, ~880 ms each. Then call_bucket_sums planned with random_page_cost 1.1 (b3b9326: on 140,000 synthetic buckets a pass's 230 customers by the primary key in 2-4 ms against 40-46 by hashing, a batch's 4,400 in 49-51 ms against 70-77): the first run after it (05:27 UTC) measured 18,431 against 28,967 CDR/s, 0.636x best to best, 0.580x median to median, not met, and a second (05:31 UTC, not kept in the table above) 0.702x and 0.650x, against 0.774x and 0.772x before it: on this bench's buckets the batches' 4,400 customers probed one by one cost more than the hash, so it was reverted. The first run after the revert (05:35 UTC): 23,789 against 30,361 CDR/s, 0.784x best to best, 0.784x median to median, not met. Then the compaction keeps each customer's calls and spend from the widest window's first minute, and the bounds read one row per customer from them instead of every bucket of the hour (3bfc5f6; the built-ins-only scenario, without a windowed rule, keeps none and compacts as before): the first run after it (06:36 UTC) measured 22,282 against 27,567 CDR/s, 0.808x best to best, 0.804x median to median, met (both scenarios below the 05:35 run's rates, the built-ins-only one by 9%, with nothing in its path changed but one statement per compaction pass). Runs of the same code not kept in the table above: with the compaction every 2 s instead of 5 (an uncommitted change to its default, 06:40 UTC), 0.842x best to best, 0.768x median to median; then with the default, at 07:06 and 07:10 UTC, 0.808x and 0.757x best to best, 0.751x and 0.766x median to median, not met. With the recorded run, met in one run of three: the rules scenario's rounds ranged 16,566-22,282 CDR/s and the built-ins-only one's 19,086-27,984, and on this machine the same rule statement over the same database took 45 ms at 06:58 and 64 ms at 07:14 (bench runs stopped both times). Where its batch goes now (the rules scenario's database as a run left it, a batch's 4,400 customers, binary parameters): the rule statement ~45 ms, of which ~13 ms sum the deltas not compacted yet (all ~59,000 of them scanned), ~7 ms read the customers by their primary key, ~5 ms read their kept bounds; it runs with the batch's customers locked, and the other feed's next batch, which shares about a fifth of them, waits for its commit. Then alert_call_bounds got half-empty pages (ade487a): every compaction pass updates each calling customer's row, and on full pages almost none of those updates stayed on their page, so the table and its key grew with every pass (487 heap pages for 20,000 rows after one round; reading a batch's 4,400 rows ~13 ms against ~4). The first run after it (07:53 UTC): 20,130 against 25,726 CDR/s, 0.782x best to best, 0.869x median to median, not met (the machine slower than in the morning's runs: built-ins-only rounds 19,000-25,726). A second run right after it (07:58 UTC, not kept in the table above): 19,812 against 21,683, 0.914x best to best, 0.928x median to median, met. Where a batch's time goes with the rules and without (08:44-08:52 UTC, one round each, timers around every statement of the batch's transaction in the built app, not committed; the machine's PostgreSQL 15): a feed's batch took ~388 ms without rules and ~449 ms with them (25,797 against 22,260 CDR/s, 0.863x). The CDR insert took the same in both (medians 263 and 261 ms); the difference is what follows it up to the commit, with the batch's customers locked: 15.9 ms without rules (median; the commit and ~7 ms of the app's JS), 75.6 ms with them, of which the rule statement's round trip 51.2 ms, the events' insert, the notices' two lookups and the commit ~12 ms, the app's JS ~11 ms. A feed sends its next batch when the last is answered, and a batch's alert events are written in its transaction (CdrBatchResult in the contract), so that part adds to every batch of every feed: for 0.8x it may take up to a quarter of a built-ins-only batch (~97 ms in that round), and it takes ~60; a run whose built-ins-only rounds are fast, or whose rule statement runs slow (45 against 64 ms on the same database earlier that day), goes below. A round with the customers' table seeded at fillfactor 70 (a trial, not a change): the rule statement 51.7 ms, the same. A full run of that code at 09:06 UTC (not kept in the table above): 0.824x best to best, 0.798x median to median, not met. Then a batch reads its customers' triggered states through alert_triggered_defs, planned at each call (9517d76: on generic plans made while alert_states was empty, 20,000 states triggered later cost the insert ~230 ms and the rule statement ~250 ms a batch; this bench triggers none, so each statement adds a function call and its planning, 5.4 against 5.5 ms and 38-44 against 37-39 on a kept database): the first run after it (09:23-09:27 UTC) measured 21,299 against 27,029 CDR/s, 0.788x best to best, 0.760x median to median, not met. Then the alert events meet their incidents by a join instead of a sub-select per event (d914039; a batch here writes a few events, so it changes little): the first run after it (09:58-10:01 UTC) measured 21,336 against 26,970 CDR/s, 0.791x best to best, 0.739x median to median, not met. Then the compaction sums the kept bounds from the deltas it moves instead of re-reading its folded rows (4d2d955: a pass over 44,000 deltas ~305 ms against ~335), the rule statement joins its bounds' two functions to the customers directly (57e6765: 36.4-37.2 ms against 38.6-38.7 over a batch's 4,400 customers), and from 10:50 UTC each feed sends 72 measured batches instead of 24 (ce2dbc1; the constant's comment has why: a 24-batch part held one or two compaction passes by chance, each ~4-7% of its CPU). The first run so (10:48-10:54 UTC): 23,050 against 31,446 CDR/s, 0.733x best to best, 0.760x median to median, not met. Its rounds spread far less than the 24-batch runs' (built-ins-only 28,647-31,446, rules 21,753-23,050 CDR/s), and put the 1,000 rules' cost at ~24% of the built-ins-only rate, where the eight 24-batch runs of the day centred on ~21% (0.739x-0.928x median to median). Then call_bucket_sums plans with random_page_cost 1.1 again (bf4dbf4: it now sums buckets only for the exact windows of the customers the bounds let through, 73 customers' windows 30.2 ms against 2.3 ms): the first run after it (11:06-11:13 UTC) measured 23,056 against 30,011 CDR/s, 0.768x best to best, 0.771x median to median, not met. Then the call-delta compaction runs every 2.5 s while a windowed rule exists, every 5 s otherwise (c4fbeb6; this bench's rules scenario at 2.5 s: 23,800 CDR/s against 22,700 at 5 s in six alternating single-scenario rounds each; its built-ins-only scenario, which keeps no bounds, stays at 5 s): the first run after it (11:45-11:51 UTC) measured 24,856 against 32,348 CDR/s, 0.768x best to best, 0.801x median to median, not met (the rules rounds 22,946-24,856, up ~5% on the run before; the built-ins-only rounds 29,489-30,529 but for a last one at 32,348, which sets the best to best). Then the windowed rules read the per-minute deltas only for the customers with a window left (c40169f): the first run after it (11:53-11:59 UTC) measured 25,219 against 31,977 CDR/s, 0.789x best to best, 0.791x median to median, not met (rules rounds 24,023-25,219, built-ins-only 30,541-31,977). Then the compaction updates the kept bounds it has by a join to the moved sums instead of an upsert of every calling customer (54b56ef: a pass over 19,700 deltas 176 ms against 195-204), and the windowed rules join their scopes only to the customers whose bounds reach the fewest calls a rule needs, carrying only the scopes' columns through the bounds (70c322f: the rule statement over 4,400 customers 46.1-46.6 ms against 49.6-50.3): the first run after them (12:51-12:57 UTC) measured 26,755 against 32,200 CDR/s, 0.831x best to best, 0.873x median to median, met (rules rounds 25,020-26,755, built-ins-only 28,831-32,200). A second run right after it (12:57-13:03 UTC, not kept in the table above), on a slower spell of the VM: 24,614 against 29,710 CDR/s, 0.828x and 0.806x, met (rules rounds 22,444-24,614, built-ins-only 26,134-29,710).`;

async function gql<T>(app: App, query: string, variables: unknown): Promise<T> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const PERIODS = [300, 900, 3600];

/** One rule of the 1,000, by index; its scope is set by the caller. Quiet but for CALL_DURATION at 3,500 s. */
function rule(i: number): Record<string, unknown> {
  const title = `scale rule ${i}`;
  const samplePeriod = PERIODS[i % 3];
  switch (i % 8) {
    case 0: return { title, area: 'BALANCE', operator: 'LT', threshold: String(-1_000_000 - i) };
    case 1: return { title, area: 'AVAILABLE_CREDIT', operator: 'LTE', threshold: String(-5_000_000 - i), repeatInterval: 600 };
    case 2: return { title, area: 'ACCRUED_CHARGES', operator: 'GTE', threshold: String(1_000_000 + i) };
    case 3: return { title, area: 'ASR', operator: 'LTE', threshold: '5', resetThreshold: '6', samplePeriod, minCalls: 50 };
    case 4: return { title, area: 'ACD', operator: 'LT', threshold: '2', samplePeriod, minCalls: 50 };
    case 5: return { title, area: 'SPEND', operator: 'GT', threshold: String(1_000_000 + i), samplePeriod };
    case 6: return { title, area: 'CALL_COUNT', operator: 'GTE', threshold: String(1_000_000 + i), samplePeriod };
    default: return { title, area: 'CALL_DURATION', operator: 'GTE', threshold: i % 64 === 7 ? '3500' : String(100_000 + i) };
  }
}

async function seed(url: string): Promise<{ customerIds: string[]; classIds: string[] }> {
  const sql = new Client({ connectionString: url });
  await sql.connect();
  try {
    const classIds = (
      await sql.query<{ id: string }>(`INSERT INTO customer_classes (name) SELECT 'scale class ' || g FROM generate_series(1, $1) g RETURNING id`, [CLASSES])
    ).rows.map((r) => r.id);
    // Half carriers, half customers; classes in turn.
    await sql.query(
      `INSERT INTO customers (name, type, customer_class_id)
       SELECT 'scale customer ' || g, CASE WHEN g % 2 = 0 THEN 'CARRIER' ELSE 'CUSTOMER' END, ($2::uuid[])[1 + g % $3]
         FROM generate_series(1, $1) g`,
      [CUSTOMERS, classIds, CLASSES],
    );
    await sql.query('ANALYZE');
    const customerIds = (await sql.query<{ id: string }>(`SELECT id FROM customers ORDER BY id`)).rows.map((r) => r.id);
    return { customerIds, classIds };
  } finally {
    await sql.end();
  }
}

async function createRules(app: App, customerIds: string[], classIds: string[]): Promise<void> {
  const create = `mutation($i: AlertDefinitionInput!) { createAlertDefinition(input: $i) { id } }`;
  for (let i = 0; i < RULES; i++) {
    const scope =
      i < 900
        ? { customerId: `cus_${customerIds[(i * 22) % customerIds.length]}` }
        : i < 980
          ? { customerClassId: `cls_${classIds[(i - 900) % CLASSES]}` }
          : { accountType: i % 2 === 0 ? 'CARRIER' : 'CUSTOMER' };
    await gql(app, create, { i: { ...rule(i), ...scope } });
  }
}

function batch(customerIds: string[]): Record<string, unknown>[] {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, j) => {
    const answered = j % 3 !== 0;
    return {
      callId: randomUUID(),
      customerId: `cus_${customerIds[Math.floor(Math.random() * customerIds.length)]}`,
      callee: '4930123456',
      startedAt: new Date(now - 1000 - Math.floor(Math.random() * 600_000)).toISOString(),
      duration: answered ? (j % 97 === 1 ? 3600 : 30 + (j % 300)) : 0,
      disposition: answered ? 'ANSWERED' : 'NO_ANSWER',
      charge: answered ? '0.0125' : '0',
    };
  });
}

async function scenario(bench: BenchServer, withRules: boolean): Promise<{ cdrPerSec: number; events: number }> {
  const database = await bench.freshDatabase(withRules ? 'scale_rules' : 'scale_builtin');
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'error', SCHEDULER_INTERVAL_MS: SCHEDULER_MS, ...(WINDOW_INTERVAL_MS ? { ALERT_WINDOW_INTERVAL_MS: WINDOW_INTERVAL_MS } : {}), ...BENCH_RATE_LIMITS,
  });
  const { customerIds, classIds } = await seed(database.url);
  const app = await startApp(config, createLogger(config.logLevel));
  try {
    if (withRules) await createRules(app, customerIds, classIds);
    const submit = `mutation($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted alertEvents { id } } }`;
    for (let w = 0; w < WARMUP; w++) await Promise.all(Array.from({ length: FEEDS }, () => gql(app, submit, { c: batch(customerIds) })));
    const prepared = Array.from({ length: FEEDS }, () => Array.from({ length: BATCHES }, () => batch(customerIds)));
    let events = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      prepared.map(async (feed) => {
        for (const b of feed) {
          const r = await gql<{ submitCdrs: { accepted: number; alertEvents: unknown[] } }>(app, submit, { c: b });
          if (r.submitCdrs.accepted !== BATCH) throw new Error(`accepted ${r.submitCdrs.accepted}`);
          events += r.submitCdrs.alertEvents.length;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(`${withRules ? `${RULES} rules` : 'built-ins'}: ${Math.round((FEEDS * BATCHES * BATCH) / seconds)} CDR/s, ${events} events\n`);
    return { cdrPerSec: (FEEDS * BATCHES * BATCH) / seconds, events };
  } finally {
    await app.close();
    await database.drop();
  }
}

export async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const bench = await openBenchServer();
  const results = { builtin: [] as number[], rules: [] as number[], events: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      results.builtin.push((await scenario(bench, false)).cdrPerSec);
      const r = await scenario(bench, true);
      results.rules.push(r.cdrPerSec);
      results.events += r.events;
    }
  } finally {
    await bench.close();
  }
  const best = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = best(results.rules) / best(results.builtin);
  const medianRatio = median(results.rules) / median(results.builtin);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `## Ingest with 1,000 rules on ${CUSTOMERS.toLocaleString('en-US')} customers, ${FEEDS} feeds (bench/scale.bench.ts)`,
    '',
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; PostgreSQL at DATABASE_URL; ${new Date().toISOString()}; load average (1 min) ${loadAtStart[0].toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end.`,
    `Command: \`DATABASE_URL=... npm run bench:scale\` (node with the production image's flags; ${FEEDS} concurrent feeds of ${BATCHES} batches of ${BATCH.toLocaleString('en-US')} random-callId CDRs over random customers, after ${WARMUP} warm-up batches each; ${ROUNDS} alternating rounds, each scenario on a fresh database; ${SCHEDULER_MS === '0' ? 'schedulers off (BENCH_SCALE_SCHEDULER_MS=0)' : `background jobs every ${SCHEDULER_MS} ms, as in production (BENCH_SCALE_SCHEDULER_MS)${WINDOW_INTERVAL_MS ? `, the windows every ${WINDOW_INTERVAL_MS} ms (BENCH_SCALE_WINDOW_INTERVAL_MS)` : ''}`}).`,
    `Rules: ${RULES.toLocaleString('en-US')} (900 on one customer each, 80 on the ${CLASSES} classes, 20 on an account type), every area, windowed over 5, 15 and 60 minutes; quiet but for a call duration rule on calls of an hour.`,
    '',
    '| scenario | CDR/s through GraphQL (each round) | best |',
    '|---|---|---|',
    `| built-in rules only (triggers off) | ${results.builtin.map(fmt).join(', ')} | ${fmt(best(results.builtin))} |`,
    `| ${RULES.toLocaleString('en-US')} rules | ${results.rules.map(fmt).join(', ')} | ${fmt(best(results.rules))} |`,
    '',
    // Three decimals and the verdict: 0.7988 printed as "0.80x" read as met.
    `Ratio with rules / built-ins only: **${ratio.toFixed(3)}x** best to best, ${medianRatio.toFixed(3)}x median to median (target >= ${TARGET}x: ${Math.min(ratio, medianRatio) < TARGET ? 'NOT MET' : 'met'}). Alert events produced during the measured batches: ${results.events}.`,
    '',
    BASELINE_NOTE,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  writeBenchmarkSections(text);
  if (Math.min(ratio, medianRatio) < TARGET) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
