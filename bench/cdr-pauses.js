/**
 * A feed that pauses between bursts, as a switch flushing its CDRs every few seconds:
 * rounds of PER batches sent back to back, GAP ms apart, to one app instance (the
 * background jobs on, as in production). Per round the first batch's time and the
 * others': the first pays for whatever the pause left cold (connections the pool closed,
 * statements a compaction pass invalidated), the others show the warm path.
 *   npm run build && node bench/cdr-pauses.js
 *   TREE=/path/to/other/checkout node bench/cdr-pauses.js     # the same run on another build
 * Env: BATCH (1000), PER (2 batches a round), GAP (4000 ms), ROUNDS (14; the first is
 * warm-up), TREE (this checkout), APP_ENV (JSON of more settings for the app), LOG_MS
 * (log_min_duration_statement for the run's database: the server log then shows which
 * statements were slow, e.g. a bind that planned again); PostgreSQL at 127.0.0.1:5432 of
 * this host (psql on PATH).
 */
const { execSync } = require('child_process');
const http = require('http');
const path = require('path');
const { Client } = require('pg');
const { benchCdrs, postGraphql, startApp, stopApp } = require('./spawned-app');

const KEY = 'cdr-pauses-admin-key-0123456789abcdef';
const BATCH = Number(process.env.BATCH || 1000);
const PER = Number(process.env.PER || 2);
const GAP = Number(process.env.GAP || 4000);
const ROUNDS = Number(process.env.ROUNDS || 14);
const TREE = path.resolve(process.env.TREE || '.');
const PORT = 4921;
const Q = 'mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index code field reason } balanceChanges { balance } } }';

const psql = (sql) => execSync(`psql -h 127.0.0.1 -U postgres -qc "${sql}"`);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** A batch of bench:cdr's kind of records for the 100 customers. */
const body = (ids) => Buffer.from(JSON.stringify({ query: Q, variables: { cdrs: benchCdrs(ids, BATCH) } }));

(async () => {
  const db = `cdr_pauses_${process.pid}`;
  psql(`CREATE DATABASE ${db}`);
  if (process.env.LOG_MS) psql(`ALTER DATABASE ${db} SET log_min_duration_statement = ${Number(process.env.LOG_MS)}`);
  const url = `postgres://postgres@127.0.0.1:5432/${db}`;
  const app = await startApp({ cwd: TREE, port: PORT, env: { DATABASE_URL: url, ADMIN_API_KEY: KEY, ...(process.env.APP_ENV ? JSON.parse(process.env.APP_ENV) : {}) } });
  try {
    const c = new Client({ connectionString: url });
    await c.connect();
    const ids = (await c.query(`INSERT INTO customers (name) SELECT 'pause ' || g FROM generate_series(1, 100) g RETURNING id`)).rows.map((r) => `cus_${r.id}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const firsts = [];
    const rest = [];
    for (let r = 0; r < ROUNDS; r++) {
      const bodies = Array.from({ length: PER }, () => body(ids));
      const times = [];
      for (const b of bodies) {
        const t = performance.now();
        await postGraphql(agent, PORT, KEY, b);
        times.push(performance.now() - t);
      }
      if (r > 0) {
        firsts.push(times[0]);
        rest.push(...times.slice(1));
      }
      process.stdout.write(`round ${r}: ${times.map((t) => t.toFixed(0)).join(', ')} ms\n`);
      await new Promise((res) => setTimeout(res, GAP));
    }
    const sessions = (await c.query(`SELECT sessions FROM pg_stat_database WHERE datname = current_database()`)).rows[0].sessions;
    await c.end();
    agent.destroy();
    console.log(JSON.stringify({ tree: TREE, batch: BATCH, per: PER, gapMs: GAP, rounds: ROUNDS - 1, firstMsMedian: +median(firsts).toFixed(1), restMsMedian: +median(rest).toFixed(1), sessions }));
  } finally {
    await stopApp(app);
    psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
