/**
 * bench:scale's rules scenario, A/B between two built checkouts of Lineguard (each with
 * `npm run build` done): the same seed (20,000 customers in 20 classes, the same 1,000
 * rules through the API) and two feeds of 5,000-record batches, each checkout's app in a
 * process of its own on a fresh database it migrates itself, runs interleaved. It prints
 * CDR/s per run; with RULE_TIMES=1 also the rule statement's round trip for one batch's
 * customers on each plan (the plan for the values, then the generic plan), on the
 * database as the run left it. Run it on an otherwise idle machine:
 *   git worktree add ../before <rev> && (cd ../before && npm install && npm run build)
 *   npm run build && node bench/scale-probe.js ../before .
 * Env: BATCHES (8 measured a feed, after 2 warm-up ones), ROUNDS (3), RULE_TIMES;
 * PostgreSQL at 127.0.0.1:5432 (psql on PATH).
 */
const { spawn, execSync } = require('child_process');
const crypto = require('crypto');
const path = require('path');
const { Client } = require('pg');
const APP_NODE_FLAGS = require('./app-node-flags.json');

const [A, B] = process.argv.slice(2);
if (!A || !B) { console.error('usage: node bench/scale-probe.js <checkout A> <checkout B>'); process.exit(2); }
const TREES = { A: path.resolve(A), B: path.resolve(B) };
const KEY = 'scaleprobe-admin-key-0123456789abcdef';
const BATCH = 5_000, FEEDS = 2, WARMUP = 2;
const BATCHES = Number(process.env.BATCHES || 8), ROUNDS = Number(process.env.ROUNDS || 3);
const CUSTOMERS = 20_000, CLASSES = 20, RULES = 1_000, PERIODS = [300, 900, 3600];

/** Rule i of bench/scale.bench.ts's 1,000, with its scope. */
function rule(i, customerIds, classIds) {
  const title = `scale rule ${i}`;
  const samplePeriod = PERIODS[i % 3];
  const areas = [
    { area: 'BALANCE', operator: 'LT', threshold: String(-1_000_000 - i) },
    { area: 'AVAILABLE_CREDIT', operator: 'LTE', threshold: String(-5_000_000 - i), repeatInterval: 600 },
    { area: 'ACCRUED_CHARGES', operator: 'GTE', threshold: String(1_000_000 + i) },
    { area: 'ASR', operator: 'LTE', threshold: '5', resetThreshold: '6', samplePeriod, minCalls: 50 },
    { area: 'ACD', operator: 'LT', threshold: '2', samplePeriod, minCalls: 50 },
    { area: 'SPEND', operator: 'GT', threshold: String(1_000_000 + i), samplePeriod },
    { area: 'CALL_COUNT', operator: 'GTE', threshold: String(1_000_000 + i), samplePeriod },
    { area: 'CALL_DURATION', operator: 'GTE', threshold: i % 64 === 7 ? '3500' : String(100_000 + i) },
  ];
  const scope = i < 900 ? { customerId: `cus_${customerIds[(i * 22) % customerIds.length]}` }
    : i < 980 ? { customerClassId: `cls_${classIds[(i - 900) % CLASSES]}` }
    : { accountType: i % 2 === 0 ? 'CARRIER' : 'CUSTOMER' };
  return { title, ...areas[i % 8], ...scope };
}

function batch(customerIds) {
  const now = Date.now();
  return Array.from({ length: BATCH }, (_, j) => {
    const answered = j % 3 !== 0;
    return {
      callId: crypto.randomUUID(), customerId: `cus_${customerIds[Math.floor(Math.random() * customerIds.length)]}`, callee: '4930123456',
      startedAt: new Date(now - 1000 - Math.floor(Math.random() * 600_000)).toISOString(),
      duration: answered ? (j % 97 === 1 ? 3600 : 30 + (j % 300)) : 0, disposition: answered ? 'ANSWERED' : 'NO_ANSWER', charge: answered ? '0.0125' : '0',
    };
  });
}

async function gql(port, query, variables) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data;
}

/** The rule statement's round trip for `cdrs`' customers, as AlertEngine.onCdrsCharged sends it, median of 8 on each plan. */
async function ruleTimes(tree, url, cdrs) {
  const { CDR_BATCH_RULES_SQL, cdrBatchRulesParams } = require(path.join(tree, 'dist/src/modules/alert/alert-engine'));
  if (!CDR_BATCH_RULES_SQL) return 'none: this checkout does not export CDR_BATCH_RULES_SQL';
  const { WINDOWED_AREAS, BALANCE_AREAS } = require(path.join(tree, 'dist/src/modules/alert/alert.enums'));
  const ranges = new Map();
  for (const r of cdrs) {
    const id = r.customerId.slice(4);
    const x = ranges.get(id) ?? { shortest: r.duration, longest: r.duration, charged: false };
    x.shortest = Math.min(x.shortest, r.duration); x.longest = Math.max(x.longest, r.duration); x.charged ||= r.charge !== '0';
    ranges.set(id, x);
  }
  const ids = [...ranges.keys()];
  const charged = ids.filter((id) => ranges.get(id).charged);
  const [shortest, longest] = [ids.map((id) => ranges.get(id).shortest), ids.map((id) => ranges.get(id).longest)];
  // Checkouts from before cdrBatchRulesParams took the charged customers' ids as $3.
  const params = cdrBatchRulesParams ? cdrBatchRulesParams(ids, new Set(charged), shortest, longest) : [ids, WINDOWED_AREAS, charged, BALANCE_AREAS, shortest, longest];
  const c = new Client({ connectionString: url });
  await c.connect();
  const out = {};
  try {
    await c.query('SET max_parallel_workers_per_gather = 0');
    for (const mode of ['force_custom_plan', 'force_generic_plan']) {
      await c.query(`SET plan_cache_mode = ${mode}`);
      const times = [];
      for (let i = 0; i < 9; i++) {
        const t = process.hrtime.bigint();
        await c.query({ name: `rules_${mode}`, text: CDR_BATCH_RULES_SQL.text, values: params });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      const sorted = times.slice(1).sort((a, b) => a - b);
      out[mode === 'force_custom_plan' ? 'forValues' : 'generic'] = `${sorted[4].toFixed(1)} ms`;
    }
  } finally {
    await c.end();
  }
  return `${ids.length} customers: plan for the values ${out.forValues}, generic plan ${out.generic}`;
}

async function run(name, round) {
  const tree = TREES[name];
  const db = `scaleprobe_${name.toLowerCase()}_${round}`;
  const url = `postgres://postgres@127.0.0.1:5432/${db}`;
  execSync(`psql -h 127.0.0.1 -U postgres -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" -c "CREATE DATABASE ${db}"`);
  const port = 4800 + round * 2 + (name === 'B' ? 1 : 0);
  const child = spawn('node', [...APP_NODE_FLAGS, 'dist/src/main.js'], {
    cwd: tree,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: url, ADMIN_API_KEY: KEY, SCHEDULER_INTERVAL_MS: '0', WEBHOOK_SECRET: 'whsec_' + crypto.randomBytes(24).toString('base64'), RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '1000000', RATE_LIMIT_CDRS_PER_SEC_ADMIN: '100000000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      try { const r = await fetch(`http://127.0.0.1:${port}/healthz`); if (r.ok) break; } catch { /* not up yet */ }
      if (i > 300) throw new Error(`${name}: the app did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const c = new Client({ connectionString: url });
    await c.connect();
    const classIds = (await c.query(`INSERT INTO customer_classes (name) SELECT 'scale class ' || g FROM generate_series(1, $1::int) g RETURNING id`, [CLASSES])).rows.map((r) => r.id);
    await c.query(
      `INSERT INTO customers (name, type, customer_class_id)
       SELECT 'scale customer ' || g, CASE WHEN g % 2 = 0 THEN 'CARRIER' ELSE 'CUSTOMER' END, ($2::uuid[])[1 + g % $3::int] FROM generate_series(1, $1::int) g`,
      [CUSTOMERS, classIds, CLASSES],
    );
    await c.query('ANALYZE');
    const customerIds = (await c.query(`SELECT id FROM customers ORDER BY id`)).rows.map((r) => r.id);
    await c.end();
    for (let i = 0; i < RULES; i++) await gql(port, `mutation($i: AlertDefinitionInput!) { createAlertDefinition(input: $i) { id } }`, { i: rule(i, customerIds, classIds) });
    const submit = `mutation($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted alertEvents { id } } }`;
    for (let w = 0; w < WARMUP; w++) await Promise.all(Array.from({ length: FEEDS }, () => gql(port, submit, { c: batch(customerIds) })));
    const feeds = Array.from({ length: FEEDS }, () => Array.from({ length: BATCHES }, () => batch(customerIds)));
    const started = process.hrtime.bigint();
    await Promise.all(feeds.map(async (feed) => { for (const b of feed) await gql(port, submit, { c: b }); }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const line = `${name} (${tree}) round ${round + 1}: ${Math.round((FEEDS * BATCHES * BATCH) / seconds)} CDR/s`;
    return process.env.RULE_TIMES ? `${line}; rule statement over ${await ruleTimes(tree, url, batch(customerIds))}` : line;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    execSync(`psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)"`);
  }
}

(async () => {
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) console.log(await run(name, round));
  }
})().catch((err) => { console.error(err); process.exit(1); });
