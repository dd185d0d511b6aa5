/**
 * What the test run has: the PostgreSQL server (DATABASE_URL or the embedded one from
 * global setup) and Redis when it answered. Tests read the environment only here.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const BASE_DATABASE_URL = process.env.DATABASE_URL!;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/** describe() when Redis answered, describe.skip() otherwise (reported as skipped). */
export const describeWithRedis: jest.Describe = TEST_REDIS_URL ? describe : describe.skip;

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database on the test server; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lg_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(BASE_DATABASE_URL, name),
    async drop() {
      const c = new Client({ connectionString: withDatabase(BASE_DATABASE_URL, 'postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** The fuzz test's knobs: FUZZ_RUNS requests, FUZZ_ONLY=op1,op2 narrows to some operations, FUZZ_TRACE=1 prints each answer. */
export const FUZZ_SETTINGS = {
  runs: Number(process.env.FUZZ_RUNS ?? 2500),
  only: process.env.FUZZ_ONLY?.split(','),
  trace: process.env.FUZZ_TRACE === '1',
};

/**
 * Per-key budgets far above what a test sends, for servers whose tests are not about
 * rate limits (test/security/rate-limits.test.ts sets its own). CDRs too: cdrs.e2e sends
 * tens of thousands of records a second from one key, and on a fast machine its last
 * batch fell in a second the ones before had used up (429 RATE_LIMITED against the
 * production budget of 20,000 a second), so it never reached the database.
 */
export const RELAXED_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '100000',
  RATE_LIMIT_REQUESTS_PER_SEC_NOC: '100000',
  RATE_LIMIT_REQUESTS_PER_SEC_INGEST: '100000',
  RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: '100000',
  RATE_LIMIT_CDRS_PER_SEC_ADMIN: '100000000',
  RATE_LIMIT_CDRS_PER_SEC_INGEST: '100000000',
};
