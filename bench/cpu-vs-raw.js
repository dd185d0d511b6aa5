/**
 * Where a 1,000-record batch's time goes, GraphQL against the raw pg floor, from one
 * client: per batch the wall time, the sender's CPU (the app process for GraphQL, this
 * process for raw pg) and the CPU of the PostgreSQL backends serving it (/proc/<pid>/stat),
 * rounds interleaved. bench:cdr's ratios say how far apart the two are; this says on which
 * side of the wire the difference is. bench:cdr's workload: 100 customers, starts spread
 * over the last hour, random callIds, the raw floor's statement (bench/cdr-scenarios.ts).
 *   npm run build && node bench/cpu-vs-raw.js
 *   REDIS_URL=redis://127.0.0.1:6379 node bench/cpu-vs-raw.js   # the app publishing to Redis
 * Env: BATCH (1000), N (200 measured batches a round), ROUNDS (3), SCHED (the app's
 * SCHEDULER_INTERVAL_MS, 0: background jobs off; default as in production), APP_ENV (JSON of
 * more settings for the app, e.g. '{"CALL_BUCKET_COMPACTION_MS":"15000"}'), PGPORT (5432: a second cluster
 * with pg_stat_statements or auto_explain loaded, say), APP_NODE_ARGS and APP_STDOUT (spawned-app.js);
 * PostgreSQL on 127.0.0.1 of this host (psql on PATH; backends' CPU is read from /proc).
 */
const { execSync } = require('child_process');
const http = require('http');
const { Client } = require('pg');
const { backendsCpuMs, benchCdrs, postGraphql, procCpuMs, startApp, stopApp } = require('./spawned-app');

const KEY = 'cpu-vs-raw-admin-key-0123456789abcdef';
const BATCH = Number(process.env.BATCH || 1000);
const N = Number(process.env.N || 200);
const ROUNDS = Number(process.env.ROUNDS || 3);
const WARM = 20;
const PG = `postgres://postgres@127.0.0.1:${process.env.PGPORT || 5432}`;
const Q = 'mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index code field reason } balanceChanges { balance } } }';
// The raw floor's statement, as bench:cdr runs it (built by `npm run build`).
const { RAW_SQL } = require('../dist/bench/cdr-scenarios');

async function backendPids(db) {
  const c = new Client({ connectionString: `${PG}/postgres` });
  await c.connect();
  try {
    return (await c.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [db])).rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

const workload = (ids) => benchCdrs(ids, BATCH);

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const post = (port, body) => postGraphql(agent, port, KEY, body);

function startBatchApp(db, port) {
  return startApp({
    port,
    env: {
      DATABASE_URL: `${PG}/${db}`,
      ADMIN_API_KEY: KEY,
      ...(process.env.SCHED ? { SCHEDULER_INTERVAL_MS: process.env.SCHED } : {}),
      ...(process.env.APP_ENV ? JSON.parse(process.env.APP_ENV) : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: db } : {}),
    },
  });
}

async function seedCustomers(db) {
  const c = new Client({ connectionString: `${PG}/${db}` });
  await c.connect();
  try {
    return (await c.query(`INSERT INTO customers (name) SELECT 'cpu ' || g FROM generate_series(1, 100) g RETURNING id`)).rows.map((r) => r.id);
  } finally {
    await c.end();
  }
}

function perBatch(wallMs, senderMs, pgMs) {
  return { wallMs: +(wallMs / N).toFixed(2), senderCpuMs: +(senderMs / N).toFixed(2), pgCpuMs: +(pgMs / N).toFixed(2) };
}

async function graphqlRound(round) {
  const db = `cpu_vs_raw_gql_${process.pid}_${round}`;
  execSync(`psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${db}"`);
  const port = 4890 + round;
  const app = await startBatchApp(db, port);
  try {
    const ids = (await seedCustomers(db)).map((id) => `cus_${id}`);
    const bodies = Array.from({ length: N + WARM }, () => Buffer.from(JSON.stringify({ query: Q, variables: { cdrs: workload(ids) } })));
    for (let i = 0; i < WARM; i++) await post(port, bodies[i]);
    const pids = await backendPids(db);
    const [a0, p0, w0] = [procCpuMs(app.pid), backendsCpuMs(pids), performance.now()];
    for (let i = WARM; i < N + WARM; i++) await post(port, bodies[i]);
    const [wall, app1, p1] = [performance.now() - w0, procCpuMs(app.pid), backendsCpuMs(pids)];
    // Backends the pool opened meanwhile: all of their CPU is in the window.
    const opened = (await backendPids(db)).filter((pid) => !pids.includes(pid));
    return perBatch(wall, app1 - a0, p1 - p0 + backendsCpuMs(opened));
  } finally {
    await stopApp(app);
    execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  }
}

async function rawRound(round) {
  const db = `cpu_vs_raw_raw_${process.pid}_${round}`;
  execSync(`psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${db}"`);
  // The app migrates the database and creates the days' partitions, then leaves it to the raw floor.
  await stopApp(await startBatchApp(db, 4880 + round));
  const c = new Client({ connectionString: `${PG}/${db}` });
  await c.connect();
  try {
    const ids = await seedCustomers(db);
    const batches = Array.from({ length: N + WARM }, () => workload(ids));
    const send = async (b) => {
      const params = [b.map((r) => r.callId), b.map((r) => r.customerId), b.map((r) => r.caller), b.map((r) => r.callee), b.map((r) => r.startedAt), b.map((r) => r.duration), b.map((r) => r.disposition), b.map((r) => r.charge)];
      await c.query('BEGIN');
      await c.query(RAW_SQL, params);
      await c.query('COMMIT');
    };
    for (let i = 0; i < WARM; i++) await send(batches[i]);
    const [{ pid }] = (await c.query('SELECT pg_backend_pid() AS pid')).rows;
    const [s0, p0, w0] = [process.cpuUsage(), procCpuMs(pid), performance.now()];
    for (let i = WARM; i < N + WARM; i++) await send(batches[i]);
    const s = process.cpuUsage(s0);
    return perBatch(performance.now() - w0, (s.user + s.system) / 1000, procCpuMs(pid) - p0);
  } finally {
    await c.end();
    execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  }
}

(async () => {
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [['raw pg', rawRound], ['GraphQL', graphqlRound]] : [['GraphQL', graphqlRound], ['raw pg', rawRound]];
    for (const [target, run] of order) console.log(JSON.stringify({ target, round: r, batch: BATCH, redis: Boolean(process.env.REDIS_URL), ...(await run(r)) }));
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
