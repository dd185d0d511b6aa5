/**
 * Benchmark plumbing: one PostgreSQL server for the whole run (DATABASE_URL, or the
 * embedded server the app would start), a fresh migrated database per scenario, and
 * workload generation with exact expected balances.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/platform/config';
import { Database } from '../src/platform/db/database';
import { startEmbeddedPostgres } from '../src/platform/db/embedded-postgres';
import { createLogger, type Logger } from '../src/platform/logger';

/**
 * Rate limits high enough never to refuse a benchmark's admin key, but still on, so
 * their cost is part of every number.
 */
export const BENCH_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '1000000',
  RATE_LIMIT_CDRS_PER_SEC_ADMIN: '100000000',
};

/** The app runs as in production, which refuses the built-in development webhook secret. */
export const BENCH_WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

export interface BenchServer {
  /** URL of the server's maintenance database. */
  baseUrl: string;
  /** REDIS_URL of the run, if any: app instances of one target share it, as a deployment's instances do. */
  redisUrl?: string;
  logger: Logger;
  /** Creates an empty database with every migration applied. */
  freshDatabase(label: string): Promise<BenchDatabase>;
  /** The database `name`, created and migrated if missing, kept after the run (its drop() does nothing). */
  keptDatabase(name: string): Promise<BenchDatabase>;
  close(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openBenchServer(): Promise<BenchServer> {
  const logger = createLogger('warn');
  const configured = loadConfig(process.env).databaseUrl;
  let stop = async () => undefined as void;
  let baseUrl: string;
  if (configured) {
    baseUrl = withDatabase(configured, 'postgres');
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineguard-bench-'));
    const embedded = await startEmbeddedPostgres(dir, 'postgres', logger);
    baseUrl = embedded.url;
    stop = async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: baseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    baseUrl,
    redisUrl: loadConfig(process.env).redisUrl,
    logger,
    async freshDatabase(label) {
      const name = `lg_bench_${label}_${randomBytes(3).toString('hex')}`;
      await admin(`CREATE DATABASE ${name}`);
      const url = withDatabase(baseUrl, name);
      const db = await Database.open(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger);
      await db.close();
      return { url, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
    },
    async keptDatabase(name) {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      try {
        const found = await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
        if (found.rowCount === 0) await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      const url = withDatabase(baseUrl, name);
      const db = await Database.open(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger);
      await db.close();
      return { url, drop: async () => undefined };
    },
    close: () => stop(),
  };
}

/** One CDR as the GraphQL input carries it (customerId is the global id). */
export interface BenchCdr {
  callId: string;
  customerId: string;
  callee: string;
  caller: string;
  startedAt: string;
  duration: number;
  disposition: 'ANSWERED';
  charge: string;
}

export interface Workload {
  /** Local customer ids, created with balance 0. */
  customers: string[];
  batches: BenchCdr[][];
  /** Expected final balance per local customer id, in millionths (charges have 6 decimals). */
  expectedMillionths: Map<string, bigint>;
}

/** Creates `customerCount` customers and batches of records with random 6-decimal charges. */
export async function createWorkload(url: string, customerCount: number, total: number, batchSize: number, prefix: string): Promise<Workload> {
  const c = new Client({ connectionString: url });
  await c.connect();
  let customers: string[];
  try {
    const rows = await c.query<{ id: string }>(
      // Customer names are unique: each workload on a database names its own (the prefix and a random tag).
      `INSERT INTO customers (name) SELECT 'bench ' || $2 || ' ' || g FROM generate_series(1, $1) g RETURNING id`,
      [customerCount, `${prefix}-${randomUUID().slice(0, 8)}`],
    );
    customers = rows.rows.map((r) => r.id);
  } finally {
    await c.end();
  }
  const expectedMillionths = new Map<string, bigint>(customers.map((id) => [id, 0n]));
  const batches: BenchCdr[][] = [];
  const started = Date.now() - 7_200_000;
  for (let b = 0; b * batchSize < total; b++) {
    const batch: BenchCdr[] = [];
    for (let i = 0; i < batchSize && b * batchSize + i < total; i++) {
      const customer = customers[(b * batchSize + i) % customers.length];
      const millionths = 1 + Math.floor(Math.random() * 999_999);
      expectedMillionths.set(customer, expectedMillionths.get(customer)! - BigInt(millionths));
      batch.push({
        callId: `${prefix}-${b}-${i}-${randomBytes(4).toString('hex')}`,
        customerId: `cus_${customer}`,
        callee: `49301${String(i).padStart(6, '0')}`,
        caller: '442070000000',
        startedAt: new Date(started + (i % 3_600) * 1000).toISOString(),
        duration: 1 + (i % 600),
        disposition: 'ANSWERED',
        charge: `0.${String(millionths).padStart(6, '0')}`,
      });
    }
    batches.push(batch);
  }
  return { customers, batches, expectedMillionths };
}

/** Throws unless every customer's balance is exactly what the workload implies. */
export async function checkBalances(url: string, w: Workload): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const rows = await c.query<{ id: string; balance: string }>(
      `SELECT id, trim_scale(balance * 1000000)::text AS balance FROM customers WHERE id = ANY($1::uuid[])`,
      [w.customers],
    );
    for (const r of rows.rows) {
      const want = w.expectedMillionths.get(r.id)!;
      if (BigInt(r.balance) !== want) throw new Error(`customer ${r.id}: balance ${r.balance} millionths, expected ${want}`);
    }
  } finally {
    await c.end();
  }
}

export interface Measurement {
  scenario: string;
  batchSize: number;
  /** Concurrent clients sending batches. */
  clients: number;
  records: number;
  seconds: number;
  /** Records per second. */
  rate: number;
  /** Records per second of the median round, when the scenario ran in rounds (rate is the best round's). */
  medianRate?: number;
}

export function measurement(scenario: string, batchSize: number, records: number, ms: number, clients: number, medianMs?: number): Measurement {
  return { scenario, batchSize, clients, records, seconds: ms / 1000, rate: records / (ms / 1000), ...(medianMs === undefined ? {} : { medianRate: records / (medianMs / 1000) }) };
}
