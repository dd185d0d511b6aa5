/**
 * Machine CPU per submitCdrs batch with two app instances and two feeds on one database,
 * as bench:cdr's "2 clients" rows run, but measured as CPU (/proc/stat, PostgreSQL and
 * the jobs included) rather than as a ratio to a baseline: a run is a few seconds, and
 * settings can be compared run against run (e.g. the background jobs on and off, or
 * CALL_BUCKET_COMPACTION_MS). Steal time (the host taking the VM's CPU) is printed apart:
 * a run with more than a few percent of it says more about the host than about the app.
 * The CPU is also split by process (/proc/<pid>/stat): the app instances, the database's
 * PostgreSQL backends (the jobs' included), this sender, and everything else. RAW=1 runs
 * the raw pg floor of bench:cdr the same way instead (two connections, its statement,
 * the same records; the apps only migrate the database and are stopped before timing).
 *   npm run build && node bench/cpu-two-feeds.js
 *   SCHED=0 node bench/cpu-two-feeds.js                      # background jobs off
 *   RAW=1 node bench/cpu-two-feeds.js                        # the raw pg floor
 *   APP_ENV='{"CALL_BUCKET_COMPACTION_MS":"1000"}' node bench/cpu-two-feeds.js
 * Env: BATCH (1000), N (60 measured batches per feed), TREE (this checkout), SCHED (1000),
 * RAW; PostgreSQL at 127.0.0.1:5432 of this host (psql on PATH).
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

/** user + system CPU of a process, in clock ticks (0 once it is gone). */
function ticks(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** Ticks per group of processes; every other process of the machine is 'other'. */
function ticksByGroup(groups) {
  const out = { other: 0 };
  const owner = new Map();
  for (const [name, pids] of Object.entries(groups)) {
    out[name] = 0;
    for (const pid of pids) owner.set(pid, name);
  }
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    out[owner.get(Number(d)) ?? 'other'] += ticks(d);
  }
  return out;
}

async function backendPids(c, db) {
  return (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])).rows.map((r) => r.pid);
}

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
    const watch = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` });
    await watch.connect();
    let feeds;
    let groups;
    if (process.env.RAW) {
      // bench:cdr's raw floor (built by npm run build): one connection per feed, its statement (sendRawBatch), the same records.
      const { sendRawBatch: send } = require('../dist/bench/cdr-scenarios');
      await Promise.all(apps.splice(0).map(stopApp));
      const conns = await Promise.all(PORTS.map(async () => {
        const k = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` });
        await k.connect();
        return k;
      }));
      // The records as objects before timing, as bench:cdr's raw target holds them; node-postgres turns them into literals per batch.
      const batches = bodies.map((list) => list.map((json) => JSON.parse(json).variables.cdrs));
      for (let i = 0; i < 5; i++) await Promise.all(conns.map((k, j) => send(k, batches[j].pop())));
      feeds = () => Promise.all(conns.map(async (k, j) => { for (let b = batches[j].pop(); b; b = batches[j].pop()) await send(k, b); }));
      groups = { postgres: await backendPids(watch, db), sender: [process.pid] };
      feeds.close = () => Promise.all(conns.map((k) => k.end()));
    } else {
      for (let i = 0; i < 5; i++) await Promise.all(PORTS.map((_, k) => post(k, bodies[k].pop())));
      feeds = () => Promise.all(PORTS.map(async (_, k) => { for (let b = bodies[k].pop(); b; b = bodies[k].pop()) await post(k, b); }));
      groups = { apps: apps.map((a) => a.pid), postgres: await backendPids(watch, db), sender: [process.pid] };
    }
    // This watcher's own backend is idle while timing; the apps' pools may open more backends meanwhile, read again at the end.
    const g0 = ticksByGroup(groups);
    const c0 = cpu();
    const w0 = Date.now();
    await feeds();
    const w1 = Date.now();
    const c1 = cpu();
    groups.postgres = [...new Set([...groups.postgres, ...(await backendPids(watch, db))])];
    const g1 = ticksByGroup(groups);
    await watch.end();
    if (feeds.close) await feeds.close();
    const batches = 2 * N;
    const all = c1.all - c0.all;
    console.log(JSON.stringify({
      target: process.env.RAW ? 'raw pg' : 'GraphQL',
      batch: BATCH,
      scheduler: process.env.SCHED || '1000',
      appEnv: process.env.APP_ENV || '',
      cdrPerSec: Math.round((batches * BATCH) / ((w1 - w0) / 1000)),
      machineCpuMsPerBatch: Number((((c1.busy - c0.busy) * 10) / batches).toFixed(2)),
      idlePct: Number((100 - (100 * (c1.busy - c0.busy)) / all).toFixed(1)),
      stealPct: Number(((100 * (c1.steal - c0.steal)) / all).toFixed(1)),
      cpuMsPerBatchBy: Object.fromEntries(Object.keys(g1).map((k) => [k, Number((((g1[k] - (g0[k] ?? 0)) * 10) / batches).toFixed(2))])),
    }));
  } finally {
    await Promise.all(apps.map(stopApp));
    execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
