/**
 * The CDR ingest scenarios: through the real GraphQL endpoint, the raw `pg` floor
 * (one unnest INSERT + one UPDATE per batch), and the naive ORM loop. Each target
 * has its own fresh database on the same server; final balances are checked exactly.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dec } from '../src/platform/common/decimal';
import { startAppProcess, type AppProcess } from './app-process';
import { checkBalances, createWorkload, measurement, type BenchCdr, type BenchDatabase, type BenchServer, type Measurement, type Workload } from './bench-env';
import { seedRecord, seedStoredCdrs } from './cdr-stored';
import { CdrEntity, CustomerEntity } from './naive-entities';

export const BENCH_CUSTOMERS = 100;

/** Something CDR batches are sent to, one at a time. */
export interface IngestTarget {
  databaseUrl: string;
  /**
   * Sends one batch for sender `client` (0-based); throws unless every record came back
   * as `expect`. Each sender keeps to its own connection (raw pg) or app instance
   * (GraphQL, as a feed's keep-alive connection stays on one instance behind a load balancer).
   */
  send(batch: BenchCdr[], expect: 'accepted' | 'duplicates', client?: number): Promise<void>;
  close(): Promise<void>;
}

const SUBMIT = `mutation Submit($cdrs: [CdrInput!]!) {
  submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index code field reason } balanceChanges { balance } }
}`;

interface SubmitResponse {
  data?: { submitCdrs: { accepted: number; duplicates: number; rejected: unknown[] } };
  errors?: unknown[];
}

export interface GraphqlTargetOptions {
  /** Extra state before the run (e.g. alert definitions via GraphQL or SQL). */
  setup?: (target: { url: string; adminKey: string; databaseUrl: string }) => Promise<void>;
  /** A database of the caller's (e.g. a kept one with stored history) instead of a fresh one. */
  database?: BenchDatabase;
}

/**
 * One POST over a keep-alive connection, the answer parsed as JSON. The load
 * generator uses node:http as a feed would use any lean HTTP client: fetch() spends
 * about 0.6 ms more per request on the client side (streams, Request/Response
 * objects), which is the sender's cost, not the server's.
 */
function postJson(agent: http.Agent, url: string, headers: Record<string, string>, body: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(new Error(`HTTP ${res.statusCode}: not JSON (${String(err)})`));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The app as `instances` child processes (Node runs one thread: production runs one
 * instance per core) on one fresh database; CDRs go as GraphQL variables over HTTP
 * with an ADMIN key, sender i to instance i over its own keep-alive connection.
 * prepare() serialises bodies before the clock starts.
 */
export async function graphqlTarget(server: BenchServer, opts: GraphqlTargetOptions = {}, instances = 1): Promise<IngestTarget & { prepare(batches: BenchCdr[][]): void }> {
  const db = opts.database ?? (await server.freshDatabase('graphql'));
  const adminKey = `lg_bench_${randomBytes(12).toString('hex')}`;
  const apps: AppProcess[] = [];
  const bodies = new Map<BenchCdr[], Buffer>();
  const agents: http.Agent[] = [];
  const encode = (b: BenchCdr[]) => Buffer.from(JSON.stringify({ query: SUBMIT, variables: { cdrs: b } }));
  const target = {
    databaseUrl: db.url,
    prepare(batches: BenchCdr[][]) {
      for (const b of batches) bodies.set(b, encode(b));
    },
    async send(batch: BenchCdr[], expect: 'accepted' | 'duplicates', client = 0) {
      const body = bodies.get(batch) ?? encode(batch);
      const at = client % apps.length;
      const json = (await postJson(agents[at], apps[at].url, { authorization: `Bearer ${adminKey}` }, body)) as SubmitResponse;
      const r = json.data?.submitCdrs;
      if (!r || json.errors || r[expect] !== batch.length || r.rejected.length) throw new Error(`unexpected response: ${JSON.stringify(json).slice(0, 500)}`);
    },
    async close() {
      for (const a of agents) a.destroy();
      await Promise.all(apps.map((a) => a.stop()));
      await db.drop();
    },
  };
  try {
    // The first instance migrates and creates the key; the others join the same database.
    // With REDIS_URL they share a Redis too, as a deployment's instances must (publishes
    // after commit, rate limits); a prefix of the target's own keeps targets apart.
    const redis: Record<string, string> = server.redisUrl ? { REDIS_URL: server.redisUrl, REDIS_PREFIX: `lg_bench_${randomBytes(4).toString('hex')}` } : {};
    for (let i = 0; i < instances; i++) {
      apps.push(await startAppProcess({ DATABASE_URL: db.url, ADMIN_API_KEY: adminKey, ...redis }));
      agents.push(new http.Agent({ keepAlive: true, maxSockets: 1 }));
    }
    await opts.setup?.({ url: apps[0].url, adminKey, databaseUrl: db.url });
  } catch (err) {
    await target.close();
    throw err;
  }
  return target;
}

/** The physical floor: per batch, one transaction with one unnest INSERT feeding one UPDATE. */
export const RAW_SQL = `
WITH ins AS (
  INSERT INTO cdrs (call_id, customer_id, caller, callee, started_at, duration, disposition, charge)
  SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::text[], $8::numeric[])
  ON CONFLICT DO NOTHING
  RETURNING customer_id, charge
)
UPDATE customers c SET balance = c.balance - s.total, accrued_charges = c.accrued_charges + s.total
  FROM (SELECT customer_id, sum(charge) AS total FROM ins GROUP BY customer_id) s
 WHERE c.id = s.customer_id`;

/**
 * One batch the raw floor's way: one transaction of RAW_SQL, node-postgres turning the
 * columns into array literals; deadlocks between concurrent batches are retried, as the
 * app does. (bench/cpu-two-feeds.js sends its raw batches through this too.)
 */
export async function sendRawBatch(client: Client, batch: readonly BenchCdr[]): Promise<void> {
  const params = [
    batch.map((c) => c.callId),
    batch.map((c) => c.customerId.slice(4)),
    batch.map((c) => c.caller),
    batch.map((c) => c.callee),
    batch.map((c) => c.startedAt),
    batch.map((c) => c.duration),
    batch.map((c) => c.disposition),
    batch.map((c) => c.charge),
  ];
  for (;;) {
    try {
      await client.query('BEGIN');
      await client.query(RAW_SQL, params);
      await client.query('COMMIT');
      return;
    } catch (err) {
      await client.query('ROLLBACK');
      if (!['40P01', '40001'].includes((err as { code?: string }).code ?? '')) throw err;
    }
  }
}

/** Raw pg with `connections` clients, each batch sent by sendRawBatch. */
export async function rawPgTarget(server: BenchServer, connections = 1): Promise<IngestTarget> {
  const db = await server.freshDatabase('raw');
  const clients: Client[] = [];
  for (let i = 0; i < connections; i++) {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    clients.push(c);
  }
  return {
    databaseUrl: db.url,
    send: (batch, _expect, sender = 0) => sendRawBatch(clients[sender % clients.length], batch),
    async close() {
      await Promise.all(clients.map((c) => c.end()));
      await db.drop();
    },
  };
}

/** Milliseconds to send every batch, by `clients` concurrent senders taking the next batch in turn. */
export async function timeBatches(target: IngestTarget, batches: BenchCdr[][], expect: 'accepted' | 'duplicates', clients = 1): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, sender) => {
      while (next < batches.length) await target.send(batches[next++], expect, sender);
    }),
  );
  return performance.now() - t0;
}

interface ComparedRun {
  label: string;
  target: IngestTarget;
  workload: Workload;
  /** Per round and client count, the batches of that round. */
  rounds: BenchCdr[][][];
  /** Every round's milliseconds, by ingest:<clients> or replay:1. */
  times: Map<string, number[]>;
}

/**
 * Warm batches per sender before the rounds, each of 200 records over BENCH_CUSTOMERS
 * customers of their own, so that the warm-up runs what the rounds run.
 *
 * The statements: a named statement (the app's CDR insert, its alert rules) is planned
 * for its values at each of its first five runs on a connection and settles on its
 * generic plan at the sixth. With one warm batch, the app's first rounds ran up to five
 * of their batches on plans of their own (the insert's bind ~1.5 ms longer at 1,000
 * records, 2-5 ms at 5,000, in the server log), in the rounds where both tables are
 * smallest and raw pg has its best. Raw pg's statement is unnamed, planned at every
 * batch: warming it longer changes nothing.
 *
 * The JIT: until 2026-12-05 the warm-up was six batches over one customer. The code the
 * app runs once per customer of a batch (the insert's answer, the ledger entries, the
 * balance changes and their decimals, the rows node-postgres parses) had then run six
 * times, and V8 still interpreted it in the first round of 100 customers: that round's
 * main thread was busy 233 ms against 86 ms two rounds later, and the app's CPU per
 * 1,000-record batch was 11-17 ms in the first round against 5-6 from the third
 * (bench/cdr-warmup.js). Six batches over 100 customers still left it at 9-11 ms; sixty
 * bring the first round to 5-6 ms, as in the rounds after it. The first rounds are where raw pg,
 * which has nothing to warm, has its best: the old warm-up measured the app's interpreter
 * against them. Sixty batches of 200 add 12,000 records per sender to each side's tables
 * before the rounds.
 */
const WARM_BATCHES = 60;

/**
 * Runs GraphQL and raw pg in interleaved rounds, each going first in every other round
 * (the machine's background load and each round's aftermath hit both alike), with 1
 * client and with `maxClients` concurrent clients (raw pg:
 * a connection each; GraphQL: as many app instances, client i sending to instance i), and
 * keeps every round (each target's best and median round per client count are reported); the replay resends batches
 * already stored. Balances are checked exactly after ingest and after replay.
 */
export async function compareIngest(
  server: BenchServer,
  batchSize: number,
  perRound: number,
  roundCount: number,
  replay: boolean,
  maxClients: number,
  history: StoredHistory = { stored: 0, days: 1 },
  raw = true,
): Promise<Measurement[]> {
  const clientCounts = [...new Set([1, maxClients])];
  const gql = await graphqlTarget(server, {}, maxClients);
  const targets: [string, IngestTarget][] = [['GraphQL submitCdrs', gql]];
  try {
    if (raw) targets.push(['raw pg unnest INSERT + UPDATE', await rawPgTarget(server, maxClients)]);
    if (history.stored > 0) {
      const database = history.keep ? await server.keptDatabase(history.keep) : undefined;
      targets.push([storedLabel(history.stored), await graphqlTarget(server, { database }, maxClients)]);
    }
  } catch (err) {
    await Promise.all(targets.map(([, t]) => t.close()));
    throw err;
  }
  try {
    const runs: ComparedRun[] = [];
    const roundsNeeded = roundCount * clientCounts.length;
    for (const [label, target] of targets) {
      const workload = await createWorkload(target.databaseUrl, BENCH_CUSTOMERS, perRound * roundsNeeded, batchSize, label.slice(0, 3));
      const perRoundBatches = perRound / batchSize;
      const rounds = Array.from({ length: roundsNeeded }, (_, r) => workload.batches.slice(r * perRoundBatches, (r + 1) * perRoundBatches));
      runs.push({ label, target, workload, rounds, times: new Map() });
      if ('prepare' in target) (target as typeof gql).prepare(workload.batches);
    }
    const seeded = runs.find((r) => r.label === storedLabel(history.stored));
    if (seeded) {
      const before = history.keep ? await seedRecord(seeded.target.databaseUrl) : undefined;
      if (before && before.stored === history.stored && before.days === history.days) {
        history.seedSeconds = before.seconds;
        history.seededAt = before.seededAt;
        process.stdout.write(`${history.keep} already holds ${history.stored.toLocaleString('en')} stored CDRs (seeded ${before.seededAt.toISOString()}): not seeding again\n`);
      } else {
        if (before) throw new Error(`${history.keep} was seeded with ${before.stored} CDRs over ${before.days} days today: drop it or name another CDR_BENCH_STORED_DB`);
        history.seedSeconds = await seedStoredCdrs(seeded.target.databaseUrl, seeded.workload.customers, history.stored, history.days);
        history.seededAt = new Date();
        process.stdout.write(`seeded ${history.stored.toLocaleString('en')} stored CDRs over ${history.days} days in ${history.seedSeconds.toFixed(1)} s\n`);
      }
      const [{ n }] = (await queryOnce<{ n: string }>(seeded.target.databaseUrl, `SELECT count(*)::text AS n FROM cdrs`)).rows;
      history.storedAtStart = Number(n);
    }
    // Warm-up: JIT, pool connections and query plans, on records of their own.
    for (const run of runs) {
      // WARM_BATCHES per app instance and connection (sender i uses the i-th).
      const warm = await createWorkload(run.target.databaseUrl, BENCH_CUSTOMERS, 200 * maxClients * WARM_BATCHES, 200, `warm${run.label.slice(0, 3)}`);
      for (const [i, batch] of warm.batches.entries()) await run.target.send(batch, 'accepted', i % maxClients);
      run.workload.customers.push(...warm.customers);
      for (const [id, v] of warm.expectedMillionths) run.workload.expectedMillionths.set(id, v);
    }
    const keep = (run: ComparedRun, key: string, ms: number) => run.times.set(key, [...(run.times.get(key) ?? []), ms]);
    const best = (run: ComparedRun, key: string) => Math.min(...run.times.get(key)!);
    const median = (run: ComparedRun, key: string) => {
      const t = [...run.times.get(key)!].sort((x, y) => x - y);
      return t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    };
    // Which target goes first alternates from one round to the next (ABBA...). A round can
    // leave work behind it that the next round on the same server pays (dirty pages, WAL,
    // a checkpoint it triggered, autovacuum of the rows it added); in a fixed order each
    // target always followed the same rounds (GraphQL's from one client followed raw pg's
    // from two clients, raw pg's from one client followed GraphQL's). Alternating takes
    // that asymmetry out whatever its size; five runs of each order (2026-12-05, in
    // BENCHMARKS.md) did not tell the two orders apart beyond the run-to-run noise.
    const inOrder = (r: number) => (r % 2 ? [...runs].reverse() : runs);
    let round = 0;
    for (let r = 0; r < roundCount; r++) {
      for (const clients of clientCounts) {
        for (const run of inOrder(r)) keep(run, `ingest:${clients}`, await timeBatches(run.target, run.rounds[round], 'accepted', clients));
        round++;
      }
    }
    for (const run of runs) await checkBalances(run.target.databaseUrl, run.workload);
    // Every round, in the order run, so a best round far from the rest shows as such.
    for (const run of runs) {
      for (const [key, ms] of run.times) process.stdout.write(`rounds ${run.label} batch ${batchSize} ${key}: ${ms.map((m) => m.toFixed(0)).join(' ')} ms\n`);
    }
    if (replay) {
      for (let r = 0; r < roundCount; r++) {
        for (const run of inOrder(r)) keep(run, 'replay:1', await timeBatches(run.target, run.rounds[r], 'duplicates', 1));
      }
      for (const run of runs) await checkBalances(run.target.databaseUrl, run.workload);
    }
    return runs.flatMap((run) => [
      ...clientCounts.map((clients) => measurement(run.label, batchSize, perRound, best(run, `ingest:${clients}`), clients, median(run, `ingest:${clients}`))),
      ...(replay ? [measurement(`${run.label.replace(/ submitCdrs| unnest INSERT \+ UPDATE/, '')} 100% duplicate replay`, batchSize, perRound, best(run, 'replay:1'), 1, median(run, 'replay:1'))] : []),
    ]);
  } finally {
    await Promise.all(targets.map(([, t]) => t.close()));
  }
}

/** Stored history for one compareIngest (bench/cdr-stored.ts); seedSeconds is filled in by the run. */
export interface StoredHistory {
  stored: number;
  days: number;
  /** Keep the seeded database under this name and reuse it on a later run the same UTC day. */
  keep?: string;
  seedSeconds?: number;
  seededAt?: Date;
  /** CDRs in the stored target's table when the rounds began (the seed, plus earlier runs' rounds on a kept database). */
  storedAtStart?: number;
}

async function queryOnce<R extends object>(url: string, sql: string) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query<R>(sql);
  } finally {
    await c.end();
  }
}

/** The scenario name of the GraphQL target with `stored` CDRs already in its table. */
export function storedLabel(stored: number): string {
  return `GraphQL submitCdrs, ${stored.toLocaleString('en')} stored CDRs`;
}

/** What an ORM-first handler does: per record, find the CDR, find the customer, save both. */
export async function naiveTypeormScenario(server: BenchServer, total: number): Promise<Measurement> {
  const db = await server.freshDatabase('naive');
  const ds = new DataSource({ type: 'postgres', url: db.url, entities: [CdrEntity, CustomerEntity], synchronize: false, poolSize: 4 });
  await ds.initialize();
  try {
    const w = await createWorkload(db.url, BENCH_CUSTOMERS, total, total, 'n');
    const cdrs = ds.getRepository(CdrEntity);
    const customers = ds.getRepository(CustomerEntity);
    const t0 = performance.now();
    for (const c of w.batches[0]) {
      if (await cdrs.findOneBy({ callId: c.callId })) continue;
      const customer = await customers.findOneByOrFail({ id: c.customerId.slice(4) });
      await cdrs.save(
        cdrs.create({ callId: c.callId, customerId: customer.id, caller: c.caller, callee: c.callee, startedAt: new Date(c.startedAt), duration: c.duration, disposition: c.disposition, charge: c.charge }),
      );
      customer.balance = dec(customer.balance).minus(c.charge).toFixed();
      customer.accruedCharges = dec(customer.accruedCharges).plus(c.charge).toFixed();
      await customers.save(customer);
    }
    const m = measurement('naive TypeORM find + save per record', 1, total, performance.now() - t0, 1);
    await checkBalances(db.url, w);
    return m;
  } finally {
    await ds.destroy();
    await db.drop();
  }
}
