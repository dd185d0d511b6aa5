/**
 * What alert evaluation costs submitCdrs: CDR/s through the real GraphQL endpoint with
 * no alert definitions (only the three built-in rules, customers' triggers off) versus
 * 100 active definitions that apply to every customer (balance, windowed over three
 * sample periods, call duration), in the same run, each scenario on a fresh database
 * with the same data. Calls start within the last 10 minutes, so every windowed rule
 * really aggregates the calls in its window. Schedulers are off (the request path only).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:alerts
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { startApp, type App } from '../src/app/app';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { BENCH_RATE_LIMITS } from './bench-env';
import { writeBenchmarkSections } from './benchmarks-file';

const CUSTOMERS = 100;
const BATCH = Number(process.env.BENCH_BATCH ?? 5000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 10);
const WARMUP = 2;
// Four alternating rounds: this kind of VM has slow spells of a second or two, and one
// round is ten batches (about a second); the best and the median of four ride them out.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const ADMIN_KEY = `lg_bench_${randomBytes(12).toString('hex')}`;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(base: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: withDatabase(base, 'postgres') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

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

/**
 * 100 rules, every one applying to every customer, mostly quiet as in production; two
 * fire: an ASR rule (triggers once per customer, then stays triggered, so its state is
 * kept current on every batch) and a call duration rule (about 20 events per batch).
 */
function definitions(): Record<string, unknown>[] {
  const defs: Record<string, unknown>[] = [];
  const periods = [300, 900, 3600];
  for (let i = 0; i < 100; i++) {
    const title = `bench rule ${i}`;
    switch (i % 8) {
      case 0: defs.push({ title, area: 'BALANCE', operator: 'LT', threshold: String(-1000 - i) }); break;
      case 1: defs.push({ title, area: 'AVAILABLE_CREDIT', operator: 'LTE', threshold: String(-5000 - i), repeatInterval: 600 }); break;
      case 2: defs.push({ title, area: 'ACCRUED_CHARGES', operator: 'GTE', threshold: String(200 + i * 10) }); break;
      case 3: defs.push({ title, area: 'ASR', operator: 'LTE', threshold: i === 3 ? '70' : '10', resetThreshold: i === 3 ? '75' : '12', samplePeriod: periods[i % 3], minCalls: 20 }); break;
      case 4: defs.push({ title, area: 'ACD', operator: 'LT', threshold: '5', samplePeriod: periods[i % 3], minCalls: 20 }); break;
      case 5: defs.push({ title, area: 'SPEND', operator: 'GT', threshold: String(500 + i), samplePeriod: periods[i % 3] }); break;
      case 6: defs.push({ title, area: 'CALL_COUNT', operator: 'GTE', threshold: String(100000 + i), samplePeriod: periods[i % 3] }); break;
      default: defs.push({ title, area: 'CALL_DURATION', operator: 'GTE', threshold: i === 7 ? '328' : String(7000 + i) });
    }
  }
  return defs;
}

async function scenario(base: string, withAlerts: boolean): Promise<{ cdrPerSec: number; events: number }> {
  const name = `lg_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  // Background jobs at their production period (call-bucket compaction, sliding windows, repeats).
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: withDatabase(base, name), ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'error', ...BENCH_RATE_LIMITS,
  });
  const app = await startApp(config, createLogger(config.logLevel));
  try {
    const customerIds: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const r = await gql<{ createCustomer: { id: string } }>(app, `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }`, { i: { name: `bench ${i}`, balance: '100000' } });
      customerIds.push(r.createCustomer.id);
    }
    if (withAlerts) {
      for (const d of definitions()) await gql(app, `mutation($i: AlertDefinitionInput!) { createAlertDefinition(input: $i) { id } }`, { i: d });
    }
    const batch = () => {
      const now = Date.now();
      return Array.from({ length: BATCH }, (_, j) => {
        const answered = j % 3 !== 0;
        return {
          callId: randomUUID(),
          customerId: customerIds[j % CUSTOMERS],
          callee: '4930123456',
          startedAt: new Date(now - 1000 - Math.floor(Math.random() * 600_000)).toISOString(),
          duration: answered ? 30 + (j % 300) : 0,
          disposition: answered ? 'ANSWERED' : 'NO_ANSWER',
          charge: answered ? '0.0125' : '0',
        };
      });
    };
    const submit = `mutation($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted alertEvents { id } } }`;
    for (let w = 0; w < WARMUP; w++) await gql(app, submit, { c: batch() });
    const batches = Array.from({ length: BATCHES }, batch);
    let events = 0;
    const started = process.hrtime.bigint();
    for (const b of batches) {
      const t0 = Date.now();
      const r = await gql<{ submitCdrs: { accepted: number; alertEvents: unknown[] } }>(app, submit, { c: b });
      if (r.submitCdrs.accepted !== BATCH) throw new Error(`accepted ${r.submitCdrs.accepted}`);
      events += r.submitCdrs.alertEvents.length;
      process.stderr.write(`${withAlerts ? 'with' : 'without'}: batch of ${BATCH} in ${Date.now() - t0} ms\n`);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { cdrPerSec: (BATCHES * BATCH) / seconds, events };
  } finally {
    await app.close();
    if (process.env.BENCH_KEEP_DB) process.stderr.write(`kept database ${name}\n`);
    else await adminQuery(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function main(): Promise<void> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('set DATABASE_URL to a PostgreSQL server (a database per scenario is created on it)');
  const results: { without: number[]; with: number[]; events: number } = { without: [], with: [], events: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    results.without.push((await scenario(base, false)).cdrPerSec);
    const w = await scenario(base, true);
    results.with.push(w.cdrPerSec);
    results.events += w.events;
  }
  const best = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = best(results.with) / best(results.without);
  const medianRatio = median(results.with) / median(results.without);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `## Alert evaluation cost on submitCdrs, batches of ${BATCH} (bench/alert.bench.ts)`,
    '',
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; PostgreSQL at DATABASE_URL; ${new Date().toISOString()}.`,
    `Command: \`DATABASE_URL=... npm run bench:alerts\` (batches of ${BATCH}, ${BATCHES} measured batches after ${WARMUP} warm-up, ${CUSTOMERS} customers, ${ROUNDS} alternating rounds, each on a fresh database).`,
    '',
    '| scenario | CDR/s through GraphQL (each round) | best |',
    '|---|---|---|',
    `| no alert definitions (built-ins only, triggers off) | ${results.without.map(fmt).join(', ')} | ${fmt(best(results.without))} |`,
    `| 100 active definitions on every customer | ${results.with.map(fmt).join(', ')} | ${fmt(best(results.with))} |`,
    '',
    `Ratio with/without: **${ratio.toFixed(2)}x** best to best, ${medianRatio.toFixed(2)}x median to median (target >= 0.8x). Alert events produced during the measured batches: ${results.events}.`,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  writeBenchmarkSections(text);
  if (Math.min(ratio, medianRatio) < 0.8) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
