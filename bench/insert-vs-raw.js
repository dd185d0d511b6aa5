/**
 * The app's CDR insert statement (cdr-insert.ts) against the raw floor's (cdr-scenarios.ts),
 * alone: one connection, one table, batches of the same shape, the two alternating so the
 * table's growth and the machine's load hit both alike. What PostgreSQL does for the
 * ledger, the call deltas and the locks, without the app, the HTTP hop or the jobs around it.
 * Per statement: execution time from EXPLAIN (ANALYZE, BUFFERS, TIMING OFF), buffer hits and
 * the backend's page faults; the first fifth of the batches is warm-up and not counted.
 *   npm run build && DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/insert-vs-raw.js
 * Env: DATABASE_URL (a server; a database of its own is created, migrated by the app and
 * dropped; PostgreSQL on this host, as the backend's page faults are read from /proc), BATCH
 * (1000), N (100 batches of each). pg_stat_statements on that server, when loaded, shows the
 * same statements' WAL.
 */
const crypto = require('crypto');
const fs = require('fs');
const { Client } = require('pg');
const { onServer, startApp, stopApp } = require('./spawned-app');
const { CDR_INSERT_SQL, encodeBatch } = require('../dist/src/modules/cdr/cdr-insert');
const { RAW_SQL } = require('../dist/bench/cdr-scenarios');

const BATCH = Number(process.env.BATCH || 1000);
const N = Number(process.env.N || 100);
const SERVER = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');

const dbUrl = (name) => Object.assign(new URL(SERVER.href), { pathname: `/${name}` }).href;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** bench:cdr's kind of records: 100 customers, random callIds, starts over the last hour. */
function batch(ids) {
  const t0 = Date.now() - 3_600_000;
  return Array.from({ length: BATCH }, (_, i) => ({
    index: i,
    callId: crypto.randomBytes(8).toString('hex'),
    customerId: ids[i % ids.length],
    caller: '442070000000',
    callee: `49301${String(i).padStart(6, '0')}`,
    startedAtMs: t0 + Math.floor(Math.random() * 3_500_000),
    duration: 1 + (i % 600),
    disposition: 'ANSWERED',
    charge: `0.${String(1 + Math.floor(Math.random() * 999_999)).padStart(6, '0')}`,
  }));
}

/** The app's statement and parameters, as CdrSubmission sends them (rows sorted by callId). */
function appStatement(rows) {
  rows.sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
  return [CDR_INSERT_SQL, encodeBatch(rows, rows.map((r) => ({ customerId: r.customerId, trunkId: null }))).params];
}

/** The raw floor's statement and parameters, as bench:cdr's raw target sends them. */
function rawStatement(rows) {
  const col = (f) => rows.map(f);
  return [RAW_SQL, [col((r) => r.callId), col((r) => r.customerId), col((r) => r.caller), col((r) => r.callee), col((r) => new Date(r.startedAtMs).toISOString()), col((r) => r.duration), col((r) => r.disposition), col((r) => r.charge)]];
}

(async () => {
  const name = `insert_vs_raw_${process.pid}`;
  await onServer(SERVER.href, `CREATE DATABASE ${name}`);
  try {
    // The app migrates the database and creates the days' partitions.
    await stopApp(await startApp({ port: 4870, env: { DATABASE_URL: dbUrl(name), ADMIN_API_KEY: 'insert-vs-raw-admin-key-0123456789abcdef' } }));
    const c = new Client({ connectionString: dbUrl(name), options: '-c jit=off' });
    await c.connect();
    try {
      const ids = (await c.query(`INSERT INTO customers (name) SELECT 'ivr ' || g FROM generate_series(1, 100) g RETURNING id`)).rows.map((r) => r.id);
      const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const faults = () => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[7]);
      const kinds = { 'app insert': appStatement, 'raw floor': rawStatement };
      const seen = Object.fromEntries(Object.keys(kinds).map((k) => [k, { execMs: [], hits: [], faults: [] }]));
      for (let i = 0; i < N; i++) {
        for (const kind of i % 2 ? ['raw floor', 'app insert'] : ['app insert', 'raw floor']) {
          const [sql, params] = kinds[kind](batch(ids));
          await c.query('BEGIN');
          const f0 = faults();
          const plan = (await c.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${sql}`, params)).rows[0]['QUERY PLAN'][0];
          const f1 = faults();
          await c.query('COMMIT');
          if (i < N / 5) continue;
          seen[kind].execMs.push(plan['Execution Time']);
          seen[kind].hits.push(plan.Plan['Shared Hit Blocks']);
          seen[kind].faults.push(f1 - f0);
        }
      }
      for (const [kind, s] of Object.entries(seen)) {
        console.log(JSON.stringify({ statement: kind, batch: BATCH, batches: s.execMs.length, execMsMedian: +median(s.execMs).toFixed(2), sharedHitsMedian: median(s.hits), pageFaultsMedian: median(s.faults) }));
      }
    } finally {
      await c.end();
    }
  } finally {
    await onServer(SERVER.href, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
