/**
 * The pool's idle connections (database.ts): DATABASE_POOL_MIN of them stay open however
 * long they idle, the others close after DATABASE_POOL_IDLE_MS. Counted as PostgreSQL sees
 * them (pg_stat_activity), not as the pool reports them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/platform/config';
import { Database } from '../../src/platform/db/database';
import { createLogger } from '../../src/platform/logger';
import { createTestDatabase } from '../helpers/test-env';

it('keeps DATABASE_POOL_MIN connections of a burst open past the idle time and closes the rest', async () => {
  const target = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: target.url, DATABASE_POOL_SIZE: '6', DATABASE_POOL_MIN: '2', DATABASE_POOL_IDLE_MS: '300', LOG_LEVEL: 'silent' });
  const db = await Database.open(config, createLogger('silent'));
  try {
    // The count runs on one of the pool's own connections, and counts it.
    const backends = async () =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'lineguard'`))[0].n;
    await Promise.all(Array.from({ length: 6 }, () => db.query('SELECT pg_sleep(0.2)')));
    expect(await backends()).toBe(6);
    await sleep(1_200);
    expect(await backends()).toBe(2);
    // Idle far longer than DATABASE_POOL_IDLE_MS, the two are still there, and still answer.
    await sleep(1_200);
    expect(await backends()).toBe(2);
  } finally {
    await db.close();
    await target.drop();
  }
});
