/**
 * CPU per submitCdrs batch, A/B between two built checkouts of Lineguard (each with
 * `npm run build` done): the app process's CPU (/proc/<pid>/stat) and the whole machine's
 * (/proc/stat, PostgreSQL included) over N sequential batches from one client, runs
 * interleaved. Unlike the GraphQL / raw pg ratios, nothing here depends on a baseline's own
 * run-to-run swing. Run it on an otherwise idle machine:
 *   git worktree add ../before <rev> && (cd ../before && npm install && npm run build)
 *   npm run build && node bench/cpu-ab.js ../before .
 * Env: BATCH (1000), N (40 measured batches), ROUNDS (3); PostgreSQL at 127.0.0.1:5432 (psql on PATH).
 */
const { spawn, execSync } = require('child_process');
const fs = require('fs'); const http = require('http'); const crypto = require('crypto');
const path = require('path');
const { Client } = require('pg');
const APP_NODE_FLAGS = require('./app-node-flags.json');
const [A, B] = process.argv.slice(2);
if (!A || !B) { console.error('usage: node bench/cpu-ab.js <checkout A> <checkout B>'); process.exit(2); }
const TREES = { before: path.resolve(A), after: path.resolve(B) };
const KEY = 'cpuab-admin-key-0123456789abcdef0123';
const BATCH = Number(process.env.BATCH || 1000), N = Number(process.env.N || 40);
const HZ = 100;
function jiffies() { const l = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); return l[0] + l[1] + l[2] + l[5] + l[6]; }
function procCpu(pid) { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); }
function post(port, body) { return new Promise((res, rej) => { const data = Buffer.from(body); const r = http.request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length, authorization: `Bearer ${KEY}` } }, (resp) => { const chunks = []; resp.on('data', (c) => chunks.push(c)); resp.on('end', () => { const t = Buffer.concat(chunks).toString(); if (resp.statusCode !== 200 || t.includes('"errors"')) rej(new Error(t.slice(0, 300))); else res(t); }); }); r.on('error', rej); r.end(data); }); }
const agent = new http.Agent({ keepAlive: true });
const Q = 'mutation($cdrs:[CdrInput!]!){submitCdrs(cdrs:$cdrs){accepted duplicates rejected{index code} balanceChanges{balance}}}';
async function run(tree, round) {
  const db = `cpuab_${tree}_${round}`;
  execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db}" -c "CREATE DATABASE ${db}"`);
  const port = 4700 + round * 2 + (tree === 'after' ? 1 : 0);
  const child = spawn('node', [...APP_NODE_FLAGS, 'dist/src/main.js'], { cwd: TREES[tree], env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`, ADMIN_API_KEY: KEY, SCHEDULER_INTERVAL_MS: '0', WEBHOOK_SECRET: 'whsec_' + crypto.randomBytes(24).toString('base64'), RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '1000000', RATE_LIMIT_CDRS_PER_SEC_ADMIN: '100000000' }, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) { try { await new Promise((res, rej) => http.get(`http://127.0.0.1:${port}/healthz`, (r) => (r.statusCode === 200 ? res() : rej())).on('error', rej)); break; } catch { await new Promise((r) => setTimeout(r, 200)); } }
  const c = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` }); await c.connect();
  const ids = (await c.query(`INSERT INTO customers (name) SELECT 'ab ' || g FROM generate_series(1,100) g RETURNING id`)).rows.map((r) => 'cus_' + r.id); await c.end();
  const t0 = Date.now() - 3600e3; let seq = 0;
  const bodies = Array.from({ length: N + 5 }, () => JSON.stringify({ query: Q, variables: { cdrs: Array.from({ length: BATCH }, (_, i) => ({ callId: `${tree}-${round}-${seq++}`, customerId: ids[i % 100], callee: '493012345678', startedAt: new Date(t0 + seq).toISOString(), duration: 60, disposition: 'ANSWERED', charge: '0.012345' })) } }));
  for (let i = 0; i < 5; i++) await post(port, bodies[i]);
  const a0 = procCpu(child.pid), m0 = jiffies(), w0 = Date.now();
  for (let i = 5; i < N + 5; i++) await post(port, bodies[i]);
  const a1 = procCpu(child.pid), m1 = jiffies(), w1 = Date.now();
  child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r));
  execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  const per = (x) => ((x * 1000) / HZ / N).toFixed(2);
  return { tree, round, appMs: per(a1 - a0), machineMs: per(m1 - m0), wallMs: ((w1 - w0) / N).toFixed(2) };
}
(async () => { for (let r = 0; r < Number(process.env.ROUNDS || 3); r++) for (const t of r % 2 ? ['after', 'before'] : ['before', 'after']) { console.log(JSON.stringify(await run(t, r))); } })().catch((err) => { console.error(err); process.exit(1); });
