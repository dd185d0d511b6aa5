/**
 * Live fan-out: graphql-ws clients all subscribed to alertEvents while alert events are
 * raised at a steady rate, Lineguard (production build, its own process, limits raised
 * through its environment) against a bare graphql-ws + graphql-redis-subscriptions server
 * (fanout-bare-server.ts) carrying the same payload at the same rate, in the same run.
 *
 * Lineguard's events are real: one submitCdrs per event, a call longer than the
 * customer's callDurationTrigger, so each is an alert event written, committed and
 * published by the CDR path. The bare server's are published on Redis by this process,
 * with the payload a Lineguard client received. The clients run in separate load processes
 * (fanout-load.ts), which also take each event's publish time from the Redis channel, so
 * delivery delay is measured the same way for both. Server CPU and RSS are read from
 * /proc/<pid> of the server process.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 npm run bench:fanout
 *   BENCH_FANOUT_CLIENTS (1000), BENCH_FANOUT_RATE events/s (20), BENCH_FANOUT_SECONDS measured (20),
 *   BENCH_FANOUT_LOADERS load processes (2)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import Redis from 'ioredis';
import { startAppProcess, type AppProcess } from './app-process';
import { openBenchServer } from './bench-env';
import { writeBenchmarkSections } from './benchmarks-file';
import { startBareServer } from './fanout-bare-server';
import { startLoad, type LoadReport } from './fanout-load';

const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 1_000);
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_FANOUT_SECONDS ?? 20);
const LOADERS = Number(process.env.BENCH_FANOUT_LOADERS ?? 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WARMUP_MS = 3_000;
/** After the last event, how long clients have to receive it before what is missing counts as lost. */
const DRAIN_MS = 3_000;
const TARGET = 1.2;
const ADMIN_KEY = `lg_bench_${randomBytes(12).toString('hex')}`;

const SUBSCRIPTION = `subscription { alertEvents { id cursor kind area value threshold subject message occurredAt customer { id name } } }`;

interface Result {
  name: string;
  report: LoadReport;
  cpuSeconds: number;
  maxRssMb: number;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of a process, seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 100 Hz). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Runs the load against one server: clients connect, warm up, then `produce` runs at RATE for SECONDS. */
async function measure(name: string, url: string, pid: number, key: string | undefined, channel: string, produce: () => Promise<void>): Promise<Result> {
  const loads = Array.from({ length: LOADERS }, (_, i) =>
    startLoad({ url, key, clients: Math.floor(CLIENTS / LOADERS) + (i < CLIENTS % LOADERS ? 1 : 0), redisUrl: REDIS_URL, channel, query: SUBSCRIPTION }),
  );
  try {
    await Promise.all(loads.map((l) => l.ready));
    // Warm-up events: subscriptions are live on the server and its code paths are hot.
    const warmEnd = Date.now() + WARMUP_MS;
    while (Date.now() < warmEnd) {
      await produce();
      await sleep(1000 / RATE);
    }
    await sleep(500);
    const from = now();
    const cpu0 = cpuSeconds(pid);
    let maxRss = rssMb(pid);
    const interval = 1000 / RATE;
    for (let i = 0; i < SECONDS * RATE; i++) {
      const due = from + i * interval;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      await produce();
      if (i % RATE === 0) maxRss = Math.max(maxRss, rssMb(pid));
    }
    const to = now();
    const cpu = cpuSeconds(pid) - cpu0;
    await sleep(DRAIN_MS);
    maxRss = Math.max(maxRss, rssMb(pid));
    const reports = await Promise.all(loads.map((l) => l.report(from, to)));
    const report: LoadReport = {
      delays: reports.flatMap((r) => r.delays),
      lost: reports.reduce((n, r) => n + r.lost, 0),
      duplicates: reports.reduce((n, r) => n + r.duplicates, 0),
      expected: reports[0].expected,
    };
    return { name, report, cpuSeconds: cpu, maxRssMb: maxRss };
  } finally {
    await Promise.all(loads.map((l) => l.stop()));
  }
}

async function gql<T>(url: string, query: string, variables: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Lineguard: each produce() is one submitCdrs whose one call raises one alert event. */
async function lineguard(databaseUrl: string): Promise<{ result: Result; sample: Record<string, unknown> }> {
  const prefix = `lgbench-${randomBytes(4).toString('hex')}`;
  const app: AppProcess = await startAppProcess({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    ADMIN_API_KEY: ADMIN_KEY,
    WS_MAX_SOCKETS_PER_KEY: String(CLIENTS + 10),
    HTTP_MAX_CONNECTIONS: String(CLIENTS + 200),
  });
  try {
    const { createCustomer } = await gql<{ createCustomer: { id: string } }>(app.url, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`, {
      input: { name: `fanout ${randomUUID().slice(0, 8)}`, callDurationTrigger: 60, balance: '1000000' },
    });
    const produce = async () => {
      const cdr = { callId: randomUUID(), customerId: createCustomer.id, callee: '15550100', startedAt: new Date(Date.now() - 8_000_000).toISOString(), duration: 7200, disposition: 'ANSWERED', charge: '0.01' };
      const { submitCdrs } = await gql<{ submitCdrs: { accepted: number } }>(app.url, `mutation($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted } }`, { cdrs: [cdr] });
      if (submitCdrs.accepted !== 1) throw new Error('CDR not accepted');
    };
    const result = await measure('Lineguard', app.url, app.pid, ADMIN_KEY, `${prefix}:ALERT_EVENT`, produce);
    const { alertEvents } = await gql<{ alertEvents: { nodes: Record<string, unknown>[] } }>(
      app.url,
      `query { alertEvents(last: 1) { nodes { id cursor kind area value threshold subject message occurredAt customer { id name } } } }`,
      {},
    );
    return { result, sample: alertEvents.nodes[0] };
  } finally {
    await app.stop();
  }
}

/** The bare server: each produce() publishes on Redis an event shaped like Lineguard's, with its own id. */
async function bare(sample: Record<string, unknown>): Promise<Result> {
  const channel = `bare-${randomBytes(4).toString('hex')}:ALERT_EVENT`;
  const server = await startBareServer(REDIS_URL, channel);
  const publisher = new Redis(REDIS_URL);
  let n = 0;
  try {
    const produce = async () => {
      n++;
      await publisher.publish(channel, JSON.stringify({ ...sample, id: `ale_${n}`, cursor: Buffer.from(JSON.stringify([String(n)])).toString('base64url'), occurredAt: new Date().toISOString() }));
    };
    return await measure('bare graphql-ws + Redis', server.url, server.pid, undefined, channel, produce);
  } finally {
    publisher.disconnect();
    await server.stop();
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const bench = await openBenchServer();
  const db = await bench.freshDatabase('fanout');
  let results: Result[];
  try {
    const lg = await lineguard(db.url);
    results = [lg.result, await bare(lg.sample)];
  } finally {
    await db.drop();
    await bench.close();
  }
  const rows = results.map((r) => {
    const sorted = [...r.report.delays].sort((a, b) => a - b);
    return { ...r, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
  });
  const [lg, base] = rows;
  const ratio = lg.p99 / base.p99;
  const ms = (v: number) => v.toFixed(1);
  const text = [
    '## Live fan-out: alertEvents to graphql-ws clients vs a bare graphql-ws + Redis server (bench/fanout.bench.ts)',
    '',
    `Machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${new Date().toISOString()}; load average (1 min) ${loadAtStart[0].toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end.`,
    `Command: \`DATABASE_URL=... REDIS_URL=... BENCH_FANOUT_CLIENTS=${CLIENTS} BENCH_FANOUT_RATE=${RATE} BENCH_FANOUT_SECONDS=${SECONDS} npm run bench:fanout\` (${CLIENTS} clients, one socket and one subscription each, in ${LOADERS} load processes; ${RATE} events/s for ${SECONDS} s after ${WARMUP_MS / 1000} s of warm-up; both servers are single processes started by the bench).`,
    "Lineguard's events are alert events raised by submitCdrs (one long call per request) and published after COMMIT; the bare server's are published on Redis by the bench with the payload a Lineguard client received. Delay: a client's receive time minus the time the event's Redis message was seen by the load process (same method for both). Lost: events published in the measured period that a client never received (counted per client); duplicates: an event received twice by one client.",
    '',
    '| server | deliveries | p50 delay ms | p99 delay ms | max ms | lost | duplicates | server CPU s (of the period) | max RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.report.delays.length.toLocaleString('en-US')} (${r.report.expected} events) | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.report.lost} | ${r.report.duplicates} | ${r.cpuSeconds.toFixed(1)} of ${SECONDS} | ${r.maxRssMb.toFixed(0)} |`),
    '',
    `p99 Lineguard / bare: **${ratio.toFixed(2)}x** (target at most ${TARGET}x at 1,000 clients, 0 lost, 0 duplicate).`,
    '',
  ].join('\n');
  process.stdout.write(text);
  writeBenchmarkSections(text);
  if (ratio > TARGET || lg.report.lost || lg.report.duplicates) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
