/**
 * Does ingest slow down as days of CDRs are kept? submitCdrs batches (1,000 records, one
 * client, bench:cdr's kind of workload) on a database with the app's own partitions, then
 * on one with DAYS more past days of cdrs attached (empty: what a partition costs a
 * statement's plan, not what its rows cost; CDR_BENCH_STORED measures the rows). Per
 * batch: wall time, the app's CPU and the PostgreSQL backends' CPU (/proc, so PostgreSQL on
 * this host).
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/partition-days.js
 * Env: DATABASE_URL (a server: databases of its own are created and dropped), DAYS
 * (comma list, default 0,365), N (150 measured batches each), REDIS_URL (the app publishes there).
 */
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { Client } = require('pg');
const { postGraphql, startApp, stopApp } = require('./spawned-app');

const KEY = 'partition-days-admin-key-0123456789abcdef';
const SERVER = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const N = Number(process.env.N || 150);
const WARM = 20;
const DAY_MS = 86_400_000;
const Q = 'mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index code field reason } balanceChanges { balance } } }';

const dbUrl = (name) => Object.assign(new URL(SERVER.href), { pathname: `/${name}` }).href;

async function query(url, sql, params) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

function cpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

const sumCpuMs = (pids) => pids.reduce((sum, pid) => sum + (fs.existsSync(`/proc/${pid}`) ? cpuMs(pid) : 0), 0);

/** `days` past days (ending two days ago) attached to cdrs the way the partition job attaches a day. */
async function attachPastDays(url, days) {
  const today = Math.floor(Date.now() / DAY_MS);
  for (let day = today - 2 - days; day < today - 2; day++) {
    const name = `cdrs_p${new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
    await query(
      url,
      `CREATE TABLE ${name} (LIKE cdrs INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
       CREATE UNIQUE INDEX ${name}_call_id_key ON ${name} (call_id);
       ALTER TABLE cdrs ATTACH PARTITION ${name} FOR VALUES FROM ('${new Date(day * DAY_MS).toISOString()}') TO ('${new Date((day + 1) * DAY_MS).toISOString()}')`,
    );
  }
}

function body(ids) {
  const t0 = Date.now() - 3_600_000;
  const cdrs = Array.from({ length: 1000 }, (_, i) => ({
    callId: crypto.randomBytes(8).toString('hex'),
    customerId: ids[i % ids.length],
    caller: '442070000000',
    callee: `49301${String(i).padStart(6, '0')}`,
    startedAt: new Date(t0 + Math.floor(Math.random() * 3_500_000)).toISOString(),
    duration: 1 + (i % 600),
    disposition: 'ANSWERED',
    charge: '0.012345',
  }));
  return Buffer.from(JSON.stringify({ query: Q, variables: { cdrs } }));
}

async function run(days) {
  const name = `partition_days_${days}_${process.pid}`;
  const url = dbUrl(name);
  await query(SERVER.href, `CREATE DATABASE ${name}`);
  try {
    await stopApp(await startApp({ port: 4962, env: { DATABASE_URL: url, ADMIN_API_KEY: KEY } }));
    await attachPastDays(url, days);
    const [{ n }] = await query(url, `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'cdrs'::regclass`);
    const redis = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: name } : {};
    const app = await startApp({ port: 4963, env: { DATABASE_URL: url, ADMIN_API_KEY: KEY, ...redis } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ids = (await query(url, `INSERT INTO customers (name) SELECT 'days ' || g FROM generate_series(1, 100) g RETURNING id`)).map((r) => `cus_${r.id}`);
      const bodies = Array.from({ length: N + WARM }, () => body(ids));
      for (let i = 0; i < WARM; i++) await postGraphql(agent, 4963, KEY, bodies[i]);
      const pids = (await query(SERVER.href, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, [name])).map((r) => r.pid);
      const [app0, pg0, t0] = [cpuMs(app.pid), sumCpuMs(pids), performance.now()];
      for (let i = WARM; i < N + WARM; i++) await postGraphql(agent, 4963, KEY, bodies[i]);
      const perBatch = (ms) => +(ms / N).toFixed(2);
      console.log(JSON.stringify({ cdrPartitions: n, batches: N, wallMs: perBatch(performance.now() - t0), appCpuMs: perBatch(cpuMs(app.pid) - app0), pgCpuMs: perBatch(sumCpuMs(pids) - pg0) }));
    } finally {
      agent.destroy();
      await stopApp(app);
    }
  } finally {
    await query(SERVER.href, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

(async () => {
  for (const days of (process.env.DAYS || '0,365').split(',').map(Number)) await run(days);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
