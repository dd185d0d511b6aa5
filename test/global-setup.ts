/**
 * With no DATABASE_URL the tests run against the embedded PostgreSQL (as `npm start`
 * does); each test file then creates its own database on that server.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import Redis from 'ioredis';
import { startEmbeddedPostgres } from '../src/platform/db/embedded-postgres';
import { createLogger } from '../src/platform/logger';

/**
 * Redis-dependent tests run when Redis answers (REDIS_URL, or the default local port)
 * and are skipped otherwise; REQUIRE_REDIS=1 turns a missing Redis into a failure.
 */
async function probeRedis(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => undefined);
  let ok: boolean;
  try {
    await client.connect();
    ok = (await client.ping()) === 'PONG';
  } catch {
    ok = false;
  } finally {
    client.disconnect();
  }
  if (ok) process.env.TEST_REDIS_URL = url;
  else if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis at ${url} does not answer`);
  else process.stderr.write(`\nRedis at ${url} does not answer: Redis tests will be skipped\n`);
}

export default async function globalSetup(): Promise<void> {
  await probeRedis();
  if (process.env.DATABASE_URL) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lineguard-test-'));
  const db = await startEmbeddedPostgres(dir, 'postgres', createLogger('warn'));
  process.env.DATABASE_URL = db.url;
  (globalThis as { __embeddedPg?: { stop(): Promise<void>; dir: string } }).__embeddedPg = { stop: db.stop, dir };
}
