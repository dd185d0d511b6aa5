/**
 * Shared by the plain-JS harnesses (cpu-two-feeds.js, cpu-vs-raw.js, cdr-pauses.js,
 * cdr-warmup.js, insert-vs-raw.js): the built app (`dist/src/main.js` of a checkout) as a
 * child process, as the production image starts it, one GraphQL POST on a keep-alive agent
 * that fails on any error in the answer, bench:cdr's kind of records, the CPU of a process
 * of this host and one statement on a server.
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const { Client } = require('pg');
const APP_NODE_FLAGS = require('./app-node-flags.json');

/** POSTs a GraphQL body with the bearer key; resolves once answered without errors. */
function postGraphql(agent, port, key, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const headers = { 'content-type': 'application/json', 'content-length': data.length, authorization: `Bearer ${key}` };
    const req = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(text.slice(0, 300)));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * More node flags for the app, from APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which node
 * refuses in NODE_OPTIONS); APP_STDOUT=1 keeps the app's stdout (where `--trace-gc` writes).
 */
function nodeArgs() {
  return (process.env.APP_NODE_ARGS || '').split(' ').filter(Boolean);
}

/**
 * Starts `dist/src/main.js` of `cwd` on `port` (NODE_ENV=production, the production image's semi-spaces,
 * rate limits raised for the admin key) with `env` on top, and waits for /healthz.
 */
async function startApp({ cwd = '.', port, env }) {
  const base = {
    PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    WEBHOOK_SECRET: 'whsec_' + crypto.randomBytes(24).toString('base64'), RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '1000000', RATE_LIMIT_CDRS_PER_SEC_ADMIN: '100000000',
  };
  const child = spawn('node', [...APP_NODE_FLAGS, ...nodeArgs(), 'dist/src/main.js'], { cwd, env: { ...base, ...env }, stdio: ['ignore', process.env.APP_STDOUT ? 'inherit' : 'ignore', 'inherit'] });
  for (let i = 0; i < 150; i++) {
    try {
      await new Promise((resolve, reject) => http.get(`http://127.0.0.1:${port}/healthz`, (r) => (r.statusCode === 200 ? resolve() : reject(new Error(String(r.statusCode))))).on('error', reject));
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill('SIGTERM');
  throw new Error(`app on port ${port} did not start`);
}

/** Stops a started app (SIGTERM) and waits until it is gone. */
async function stopApp(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

/**
 * `n` records of bench:cdr's kind for customers `ids` (GraphQL ids, or raw ones for the raw
 * floor): random callIds, starts spread over the last hour, a third of them FAILED.
 */
function benchCdrs(ids, n) {
  const t0 = Date.now() - 3_600_000;
  return Array.from({ length: n }, (_, i) => ({
    callId: crypto.randomBytes(8).toString('hex'),
    customerId: ids[i % ids.length],
    caller: '4930111',
    callee: '493012345678',
    startedAt: new Date(t0 + Math.floor(Math.random() * 3_500_000)).toISOString(),
    duration: 60,
    disposition: i % 3 ? 'ANSWERED' : 'FAILED',
    charge: '0.012345',
  }));
}

/** User + system CPU of a process of this host, ms (/proc/<pid>/stat, in 10 ms ticks). */
function procCpuMs(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** procCpuMs summed over PostgreSQL backends, those that exited counting nothing. */
function backendsCpuMs(pids) {
  return pids.reduce((sum, pid) => {
    try {
      return sum + procCpuMs(pid);
    } catch {
      return sum; // a backend that exited
    }
  }, 0);
}

/** Runs one statement on the server at `url` over a connection of its own (CREATE/DROP DATABASE). */
async function onServer(url, sql) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

module.exports = { backendsCpuMs, benchCdrs, onServer, postGraphql, procCpuMs, startApp, stopApp };
