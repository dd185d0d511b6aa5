/**
 * Whether bench:cdr's warm-up leaves the app warm: after WARM batches of WARM_SIZE records
 * over WARM_CUSTOMERS customers of their own, ROUNDS rounds of 20 batches of BATCH records
 * over 100 other customers (bench:cdr's round at 1,000), each round's wall time and, per
 * batch, the app process's CPU and its PostgreSQL backends' (/proc/<pid>/stat, 10 ms
 * ticks). A first round whose app CPU stands above the later ones' ran code V8 had not
 * optimised yet. bench/cdr-scenarios.ts (WARM_BATCHES) says what it showed.
 *   npm run build && node bench/cdr-warmup.js                                 # bench:cdr's warm-up
 *   WARM=6 WARM_CUSTOMERS=1 node bench/cdr-warmup.js                         # the warm-up before 2026-12-05
 * Env: WARM (60), WARM_SIZE (200), WARM_CUSTOMERS (100), BATCH (1000), ROUNDS (4), PAUSE (ms
 * between rounds, 0), DATABASE_URL (a PostgreSQL server on this host, as its backends' CPU is
 * read from /proc; postgres://postgres@127.0.0.1:5432/postgres by default): a database of
 * its own is created there and dropped.
 */
const http = require('http');
const { Client } = require('pg');
const { backendsCpuMs, benchCdrs, onServer, postGraphql, procCpuMs, startApp, stopApp } = require('./spawned-app');

const KEY = 'cdr-warmup-admin-key-0123456789abcdef';
const WARM = Number(process.env.WARM || 60);
const WARM_SIZE = Number(process.env.WARM_SIZE || 200);
const WARM_CUSTOMERS = Number(process.env.WARM_CUSTOMERS || 100);
const BATCH = Number(process.env.BATCH || 1000);
const ROUNDS = Number(process.env.ROUNDS || 4);
const PAUSE = Number(process.env.PAUSE || 0);
const SERVER = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const dbUrl = (name) => Object.assign(new URL(SERVER.href), { pathname: `/${name}` }).href;
const PORT = 4960;
const Q = 'mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index code field reason } balanceChanges { balance } } }';

const body = (ids, n) => Buffer.from(JSON.stringify({ query: Q, variables: { cdrs: benchCdrs(ids, n) } }));

(async () => {
  const db = `cdr_warmup_${process.pid}`;
  await onServer(SERVER.href, `CREATE DATABASE ${db}`);
  const app = await startApp({ port: PORT, env: { DATABASE_URL: dbUrl(db), ADMIN_API_KEY: KEY } });
  const c = new Client({ connectionString: dbUrl(db) });
  try {
    await c.connect();
    const ids = (await c.query(`INSERT INTO customers (name) SELECT 'warm ' || g FROM generate_series(1, $1::int) g RETURNING id`, [100 + WARM_CUSTOMERS])).rows.map((r) => `cus_${r.id}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const warm = Array.from({ length: WARM }, () => body(ids.slice(100), WARM_SIZE));
    const rounds = Array.from({ length: ROUNDS }, () => Array.from({ length: 20 }, () => body(ids.slice(0, 100), BATCH)));
    for (const b of warm) await postGraphql(agent, PORT, KEY, b);
    for (const [round, batches] of rounds.entries()) {
      const pids = (await c.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [db])).rows.map((r) => r.pid);
      const [app0, pg0, t0] = [procCpuMs(app.pid), backendsCpuMs(pids), performance.now()];
      for (const b of batches) await postGraphql(agent, PORT, KEY, b);
      const [wall, appMs, pgMs] = [performance.now() - t0, procCpuMs(app.pid) - app0, backendsCpuMs(pids) - pg0];
      console.log(JSON.stringify({ warm: `${WARM} x ${WARM_SIZE} over ${WARM_CUSTOMERS}`, round, roundMs: Math.round(wall), appCpuMsPerBatch: appMs / batches.length, pgCpuMsPerBatch: pgMs / batches.length }));
      if (PAUSE) await new Promise((r) => setTimeout(r, PAUSE));
    }
    agent.destroy();
  } finally {
    await c.end().catch(() => undefined);
    await stopApp(app);
    await onServer(SERVER.href, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
