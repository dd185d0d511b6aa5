/**
 * Machine CPU per submitCdrs batch with two app instances and two feeds on one database,
 * as bench:cdr's "2 clients" rows run, but measured as CPU (/proc/stat, PostgreSQL and
 * the jobs included) rather than as a ratio to a baseline: a run is a few seconds, and
 * settings can be compared run against run (e.g. the background jobs on and off, or
 * CALL_BUCKET_COMPACTION_MS). Steal time (the host taking the VM's CPU) is printed apart:
 * a run with more than a few percent of it says more about the host than about the app.
 *   npm run build && node bench/cpu-two-feeds.js
 *   SCHED=0 node bench/cpu-two-feeds.js                      # background jobs off
 *   APP_ENV='{"CALL_BUCKET_COMPACTION_MS":"1000"}' node bench/cpu-two-feeds.js
 * Env: BATCH (1000), N (60 measured batches per feed), TREE (this checkout), SCHED (1000);
 * PostgreSQL at 127.0.0.1:5432 (psql on PATH).
 */
const { execSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const crypto = require('crypto');
const path = require('path');
const { Client } = require('pg');
const { postGraphql, startApp, stopApp } = require('./spawned-app');

const KEY = 'cpu-two-feeds-admin-key-0123456789abcdef';
const BATCH = Number(process.env.BATCH || 1000);
const N = Number(process.env.N || 60);
const TREE = path.resolve(process.env.TREE || '.');
const PORTS = [4793, 4794];
const Q = 'mutation($cdrs:[CdrInput!]!){submitCdrs(cdrs:$cdrs){accepted duplicates rejected{index code field reason} balanceChanges{balance}}}';

function cpu() {
  const l = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: l[0] + l[1] + l[2] + l[5] + l[6], all: l.slice(0, 8).reduce((a, b) => a + b, 0), steal: l[7] };
}

const agents = PORTS.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
const post = (i, body) => postGraphql(agents[i], PORTS[i], KEY, body);

function startFeedApp(db, port) {
  const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`, ADMIN_API_KEY: KEY, SCHEDULER_INTERVAL_MS: process.env.SCHED || '1000', ...(process.env.APP_ENV ? JSON.parse(process.env.APP_ENV) : {}) };
  return startApp({ cwd: TREE, port, env });
}

(async () => {
  const db = `cpu_two_feeds_${process.pid}`;
  execSync(`psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE ${db}"`);
  const apps = [];
  try {
    // The first instance migrates; the second joins the same database.
    for (const port of PORTS) apps.push(await startFeedApp(db, port));
    const c = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` });
    await c.connect();
    const ids = (await c.query(`INSERT INTO customers (name) SELECT 'feeds ' || g FROM generate_series(1, 100) g RETURNING id`)).rows.map((r) => 'cus_' + r.id);
    await c.end();
    // bench:cdr's workload: 100 customers, starts spread over the last hour, random callIds.
    const t0 = Date.now() - 3_600_000;
    const body = () => JSON.stringify({ query: Q, variables: { cdrs: Array.from({ length: BATCH }, (_, i) => ({ callId: `c-${crypto.randomBytes(8).toString('hex')}`, customerId: ids[i % 100], callee: '493012345678', startedAt: new Date(t0 + Math.floor(Math.random() * 3_600_000)).toISOString(), duration: 60, disposition: 'ANSWERED', charge: '0.012345' })) } });
    const bodies = PORTS.map(() => Array.from({ length: N + 5 }, body));
    for (let i = 0; i < 5; i++) await Promise.all(PORTS.map((_, k) => post(k, bodies[k].pop())));
    const c0 = cpu();
    const w0 = Date.now();
    await Promise.all(PORTS.map(async (_, k) => { for (let b = bodies[k].pop(); b; b = bodies[k].pop()) await post(k, b); }));
    const w1 = Date.now();
    const c1 = cpu();
    const batches = 2 * N;
    const all = c1.all - c0.all;
    console.log(JSON.stringify({
      batch: BATCH,
      scheduler: process.env.SCHED || '1000',
      appEnv: process.env.APP_ENV || '',
      cdrPerSec: Math.round((batches * BATCH) / ((w1 - w0) / 1000)),
      machineCpuMsPerBatch: Number((((c1.busy - c0.busy) * 10) / batches).toFixed(2)),
      idlePct: Number((100 - (100 * (c1.busy - c0.busy)) / all).toFixed(1)),
      stealPct: Number(((100 * (c1.steal - c0.steal)) / all).toFixed(1)),
    }));
  } finally {
    await Promise.all(apps.map(stopApp));
    execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
