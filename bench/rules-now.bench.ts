/**
 * What "rules look now" costs a class- or type-wide rule over 20,000 customers: each
 * write of the rule (create, change, disable, delete) locks the customers it concerns
 * in id order, evaluates them set-based, upserts the states, writes the events (and
 * penalties) and queues the rule's messages, all in the request's transaction. Timed
 * through the real GraphQL endpoint, on a fresh database with 20,000 customers in one
 * class (of type CARRIER) and 5,000 others, in alternating rounds. Also timed: the lock
 * statement alone, and a one-CDR batch for a customer of the class submitted once a
 * rule write holds the class's customers (what a switch's feed waits).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:rules
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { startApp, type App } from '../src/app/app';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { BENCH_RATE_LIMITS, openBenchServer } from './bench-env';
import { writeBenchmarkSections } from './benchmarks-file';

const IN_CLASS = Number(process.env.BENCH_RULE_CUSTOMERS ?? 20_000);
const OTHERS = 5_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ADMIN_KEY = `lg_bench_${randomBytes(12).toString('hex')}`;

/** Earlier runs and what changed since (static text, with the numbers of the runs it names). */
const HISTORY_NOTE = `The run of 2026-12-05 at 09:49 UTC, the first since 2026-12-02 (whose medians were 4.6-8.2 s for the steps with 20,000 events, the batch waiting 11.3 s), measured 17.9-23.1 s for those steps (medians) and a one-CDR batch waiting 20.6 s behind the rule write: since the alert incidents (migration 1732406401300) the event write gave each event its incident by a sub-select that scanned every incident of the write, quadratic in the events (the statement alone: 17.6 s for 20,000 TRIGGERED events, 12.0 s for 20,000 RESOLVED ones, in a rolled-back transaction on a fresh database). Since then the events meet their incidents by one hash join (alert-event-writer.ts ALERT_EVENTS_INSERT_SQL; the statement alone 1.3 s and 1.5 s; test/e2e/alert-event-writer-plan.e2e.test.ts): the table above is the first run after that change, unless a later note says otherwise. At 11:16 UTC, the first run after that day's later changes on its path (the compaction's kept bounds summed from its deltas, 4d2d955; the rule statement's bounds joined directly, 57e6765; call_bucket_sums planned with random_page_cost 1.1, bf4dbf4): 1.3-3.6 s for the steps with 20,000 events (medians), the one-CDR batch waiting 3.4 s. At 12:00 UTC, after the windowed rules' deltas were read for their customers only (c40169f; this bench has no windowed rule, the statement's text changed): 1.3-3.6 s, the batch waiting 3.3 s. At 13:05 UTC, after the compaction's kept bounds were updated by a join (54b56ef; this bench keeps none) and the windowed rules' scopes met only the customers with calls enough for a rule (70c322f; this bench has no windowed rule, the statement's text changed): 1.2-3.4 s, the batch waiting 3.2 s.`;

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

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

const CREATE = `mutation($i: AlertDefinitionInput!) { createAlertDefinition(input: $i) { id } }`;
const UPDATE = `mutation($id: ID!, $i: AlertDefinitionInput!) { updateAlertDefinition(id: $id, input: $i) { id } }`;
const DELETE = `mutation($id: ID!) { deleteAlertDefinition(id: $id) }`;
const SUBMIT = `mutation($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted } }`;

/** Customers concerned by the class rule, locked as the rule writes lock them (in a transaction rolled back). */
const LOCK_SQL = `SELECT count(*)::int AS n FROM (SELECT k.id FROM customers k WHERE k.customer_class_id = $1 ORDER BY k.id FOR NO KEY UPDATE) l`;

/** Resolves once another transaction holds customer `id` locked (probed with NOWAIT, rolled back). */
async function untilLocked(sql: Client, id: string): Promise<void> {
  for (;;) {
    await sql.query('BEGIN');
    try {
      await sql.query(`SELECT 1 FROM customers WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [id]);
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') return;
      throw err;
    } finally {
      await sql.query('ROLLBACK');
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface Row {
  step: string;
  ms: number[];
  events: number;
}

export async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const bench = await openBenchServer();
  const database = await bench.freshDatabase('rules');
  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: database.url, ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'error', SCHEDULER_INTERVAL_MS: '0', ...BENCH_RATE_LIMITS,
  });
  const app = await startApp(config, createLogger(config.logLevel));
  const rows = new Map<string, Row>();
  const record = (step: string, ms: number, events: number) => {
    const row = rows.get(step) ?? { step, ms: [], events };
    row.ms.push(ms);
    rows.set(step, row);
  };
  const eventCount = async () => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM alert_events`)).rows[0].n);
  try {
    const [{ id: classId }] = (await sql.query<{ id: string }>(`INSERT INTO customer_classes (name) VALUES ('bench class') RETURNING id`)).rows;
    await sql.query(
      `INSERT INTO customers (name, type, customer_class_id) SELECT 'class customer ' || g, 'CARRIER', $1 FROM generate_series(1, $2) g`,
      [classId, IN_CLASS],
    );
    await sql.query(`INSERT INTO customers (name) SELECT 'other customer ' || g FROM generate_series(1, $1) g`, [OTHERS]);
    await sql.query(`ANALYZE`);
    const [{ id: sample }] = (await sql.query<{ id: string }>(`SELECT id FROM customers WHERE customer_class_id = $1 LIMIT 1`, [classId])).rows;
    const gClass = `cls_${classId}`;

    for (let round = 0; round < ROUNDS; round++) {
      // Every class customer at balance 0: BALANCE LT -1000 is quiet, LT 1 fires on all.
      const base = { title: `class rule ${round}`, customerClassId: gClass, area: 'BALANCE', operator: 'LT', emails: ['noc@carrier.test'] };
      const step = async (label: string, fn: () => Promise<unknown>) => {
        const before = await eventCount();
        const { ms } = await timed(fn);
        record(label, ms, (await eventCount()) - before);
      };
      let id = '';
      await step('create class-wide rule, none breaching (0 events)', async () => {
        id = (await gql<{ createAlertDefinition: { id: string } }>(app, CREATE, { i: { ...base, threshold: '-1000' } })).createAlertDefinition.id;
      });
      await step('change it so that all breach (TRIGGERED each, 1 email each)', () => gql(app, UPDATE, { id, i: { ...base, threshold: '1' } }));
      await step('change it back: all resolve (RESOLVED each)', () => gql(app, UPDATE, { id, i: { ...base, threshold: '-1000' } }));
      await gql(app, UPDATE, { id, i: { ...base, threshold: '1' } });
      await step('disable it while all are triggered (RESOLVED each, states deleted)', () => gql(app, UPDATE, { id, i: { ...base, threshold: '1', enabled: false } }));
      await step('delete the disabled rule (nothing left to resolve)', () => gql(app, DELETE, { id }));

      // A type-wide penalty rule: the same 20,000 customers (CARRIER), each suspended.
      const typeRule = { title: `type rule ${round}`, accountType: 'CARRIER', area: 'BALANCE', operator: 'LT', threshold: '1', penalty: 600 };
      await step('create type-wide penalty rule, all breaching (TRIGGERED + suspension each)', async () => {
        id = (await gql<{ createAlertDefinition: { id: string } }>(app, CREATE, { i: typeRule })).createAlertDefinition.id;
      });
      const suspended = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM customers WHERE status = 'SUSPENDED'`)).rows[0].n);
      if (suspended !== IN_CLASS) throw new Error(`${suspended} suspended, expected ${IN_CLASS}`);
      await step('delete it while all are triggered (RESOLVED each)', () => gql(app, DELETE, { id }));
      await sql.query(`UPDATE customers SET status = 'ACTIVE', suspended_until = NULL WHERE status = 'SUSPENDED'`);

      // What a CDR feed waits for a customer of the class while a rule write holds them.
      const cdr = () => [{ callId: randomUUID(), customerId: `cus_${sample}`, callee: '4930123456', startedAt: new Date(Date.now() - 1000).toISOString(), duration: 10, disposition: 'ANSWERED', charge: '0' }];
      record('one-CDR batch for a class customer, idle', (await timed(() => gql(app, SUBMIT, { c: cdr() }))).ms, 0);
      const quiet = { ...base, title: `class rule ${round} again` };
      const write = timed(() => gql<{ createAlertDefinition: { id: string } }>(app, CREATE, { i: { ...quiet, threshold: '1' } }));
      await untilLocked(sql, sample);
      record('one-CDR batch sent once that rule write holds the class\'s locks', (await timed(() => gql(app, SUBMIT, { c: cdr() }))).ms, 0);
      const written = await write;
      record('(that rule write: create, all breaching, 20,000 events)', written.ms, IN_CLASS);
      id = written.result.createAlertDefinition.id;
      await gql(app, DELETE, { id });

      // The lock alone (20,000 row locks in id order), rolled back.
      await sql.query('BEGIN');
      const { ms } = await timed(() => sql.query(LOCK_SQL, [classId]));
      await sql.query('ROLLBACK');
      record('the lock statement alone (FOR NO KEY UPDATE, id order)', ms, 0);
      process.stderr.write(`round ${round + 1} of ${ROUNDS} done\n`);
    }
  } finally {
    await app.close();
    await sql.end();
    await database.drop();
    await bench.close();
  }

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const lines = [
    `## Rules look now over ${IN_CLASS.toLocaleString('en-US')} customers (bench/rules-now.bench.ts)`,
    '',
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; PostgreSQL at DATABASE_URL; ${new Date().toISOString()}; load average (1 min) ${loadAtStart[0].toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end.`,
    `Command: \`DATABASE_URL=... npm run bench:rules\` (${IN_CLASS.toLocaleString('en-US')} customers in one class, all of type CARRIER, plus ${OTHERS.toLocaleString('en-US')} others; ${ROUNDS} rounds on one fresh database; schedulers off, so the outbox rows are queued but not sent).`,
    'Each rule write is one GraphQL request and one transaction: lock the customers concerned (id order), one statement for stale states and candidates, the pure evaluator, one upsert, one event write (penalties included), the rule\'s messages queued.',
    '',
    '| step | alert events | ms per request (each round) | median ms |',
    '|---|---|---|---|',
    ...[...rows.values()].map((r) => `| ${r.step} | ${fmt(r.events)} | ${r.ms.map(fmt).join(', ')} | ${fmt(median(r.ms))} |`),
    '',
    HISTORY_NOTE,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  writeBenchmarkSections(text);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
