import { freePort } from '../db/embedded-postgres';
import { loadConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { Role } from '../graphql/role';
import type { Principal } from '../graphql/context';
import { RateLimits } from './rate-limit';
import { RefusalLog } from './refusal-log';

const customer = (apiKeyId: string): Principal => ({ role: Role.CUSTOMER, apiKeyId, customerId: 'c1' });

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('warn', {}, { write: (l: string) => void lines.push(l) }), lines };
}

async function spend(limits: RateLimits, principal: Principal, n: number) {
  return Promise.all(Array.from({ length: n }, () => limits.admitRequest(principal)));
}

describe('RateLimits', () => {
  it('refuses a key past its role budget with RATE_LIMITED and a retry hint, per key, and never limits internal work', async () => {
    const { logger, lines } = capture();
    const config = loadConfig({ RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: '3' });
    const limits = RateLimits.create(config, logger, new RefusalLog(logger));
    const results = await spend(limits, customer('k1'), 5);
    expect(results.filter((r) => r === null)).toHaveLength(3);
    const refusal = results.find((r) => r !== null)!;
    expect(refusal.extensions).toMatchObject({ code: 'RATE_LIMITED', http: { status: 429 } });
    expect(refusal.extensions.retryAfterMs).toBeGreaterThan(0);
    expect(refusal.extensions.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(refusal.message).toContain('RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER');
    expect(await limits.admitRequest(customer('k2'))).toBeNull();
    expect(await limits.admitRequest({ role: Role.ADMIN, apiKeyId: null, customerId: null })).toBeNull();
    // One log line for the burst, not one per refusal.
    expect(lines.filter((l) => l.includes('rate limited'))).toHaveLength(1);
    await limits.close();
  });

  it('charges CDRs by count and leaves batches over MAX_CDR_BATCH to submitCdrs, which refuses them whole', async () => {
    const { logger } = capture();
    const config = loadConfig({ MAX_CDR_BATCH: '100', RATE_LIMIT_CDRS_PER_SEC_INGEST: '150' });
    const limits = RateLimits.create(config, logger, new RefusalLog(logger));
    const ingest: Principal = { role: Role.INGEST, apiKeyId: 'i1', customerId: null };
    expect(await limits.admitCdrs(ingest, 100)).toBeNull();
    expect((await limits.admitCdrs(ingest, 100))?.extensions.code).toBe('RATE_LIMITED');
    expect(await limits.admitCdrs(ingest, 101)).toBeNull();
    await limits.close();
  });

  it('with Redis unreachable, answers without waiting for it and still limits each instance', async () => {
    const { logger, lines } = capture();
    const port = await freePort();
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: '3', RATE_LIMIT_STORE_TIMEOUT_MS: '100' });
    const limits = RateLimits.create(config, logger, new RefusalLog(logger));
    const started = Date.now();
    const results = await spend(limits, customer('k1'), 5);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(results.filter((r) => r === null)).toHaveLength(3);
    expect(results.filter((r) => r?.extensions.code === 'RATE_LIMITED')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(lines.some((l) => l.includes('Redis unreachable'))).toBe(true);
    await limits.close();
  });
});
