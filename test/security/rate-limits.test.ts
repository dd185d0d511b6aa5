/**
 * Per-key rate limits against production-mode server processes: requests and CDRs over a
 * key's per-second budget answer RATE_LIMITED with a retry hint (HTTP 429 + Retry-After,
 * and on graphql-ws subscribe), before any work; after the hint, requests pass again;
 * another key is unaffected; on one Redis, two instances share a key's budget.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CreateApiKeyDocument, CreateCustomerDocument, MeDocument, SubmitCdrsDocument, type CdrInput, type Role } from '../generated/graphql';
import type { GraphQLResponse } from '../helpers/graphql-client';
import { describeWithRedis } from '../helpers/test-env';
import { startServerProcess, type ServerProcess } from './helpers/server-process';
import { RawGraphqlWs } from './helpers/transport-clients';

jest.setTimeout(60_000);

const MB = 1024 * 1024;
const CUSTOMER_RPS = 5;
const CDR_BATCH = 100;
const CDRS_PER_SEC = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createKey(server: ServerProcess, role: Role, customerId?: string): Promise<string> {
  const created = await server.http().data(CreateApiKeyDocument, { name: `rate ${role} ${randomBytes(3).toString('hex')}`, role, customerId });
  return created.createApiKey.secret;
}

async function createCustomer(server: ServerProcess): Promise<string> {
  return (await server.http().data(CreateCustomerDocument, { input: { name: `Rate ${randomBytes(3).toString('hex')}` } })).createCustomer.id;
}

/** Checks a refusal's shape and returns its retry hint. */
function expectRateLimited(r: GraphQLResponse<unknown>, setting: string): number {
  expect(r.status).toBe(429);
  expect(r.data ?? null).toBeNull();
  const error = r.errors![0];
  expect(error.extensions?.code).toBe('RATE_LIMITED');
  expect(error.message).toContain(setting);
  const retryAfterMs = error.extensions!.retryAfterMs as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(1_000);
  expect(r.headers.get('retry-after')).toBe('1');
  return retryAfterMs;
}

function cdrs(customerId: string, n: number): CdrInput[] {
  return Array.from({ length: n }, (_, i) => ({
    callId: `rate-${randomBytes(6).toString('hex')}-${i}`,
    customerId,
    callee: '4930123456',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    duration: 60,
    disposition: 'ANSWERED',
    charge: '0.01',
  }));
}

describe('rate limits per key (one instance, in-memory counters)', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({
      env: {
        RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: String(CUSTOMER_RPS),
        MAX_CDR_BATCH: String(CDR_BATCH),
        RATE_LIMIT_CDRS_PER_SEC_INGEST: String(CDRS_PER_SEC),
        RATE_LIMIT_CDRS_PER_SEC_ADMIN: String(CDRS_PER_SEC),
      },
    });
  });

  it('answers requests over the budget with RATE_LIMITED and a retry hint, lets them through after it, and leaves other keys alone', async () => {
    const customer = await createCustomer(server);
    const [flooder, neighbour] = [await createKey(server, 'CUSTOMER', customer), await createKey(server, 'CUSTOMER', customer)];
    server.resetPeak();
    const idle = server.rss();
    const timed = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const started = Date.now();
        const r = await server.http(flooder).request(MeDocument);
        return { r, ms: Date.now() - started };
      }),
    );
    const refused = timed.filter((t) => t.r.status === 429);
    // 20 requests span at most three one-second windows of 5.
    expect(refused.length).toBeGreaterThanOrEqual(20 - 3 * CUSTOMER_RPS);
    let retryAfterMs = 0;
    for (const t of refused) {
      retryAfterMs = Math.max(retryAfterMs, expectRateLimited(t.r, 'RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER'));
      expect(t.ms).toBeLessThan(1_000);
    }
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);

    const other = await server.http(neighbour).request(MeDocument);
    expect(other.status).toBe(200);
    expect(other.data?.me.role).toBe('CUSTOMER');

    await sleep(retryAfterMs + 50);
    const again = await server.http(flooder).request(MeDocument);
    expect(again.status).toBe(200);
    expect(again.data?.me.role).toBe('CUSTOMER');
    expect((await server.http().data(MeDocument)).me.role).toBe('ADMIN');
    expect(server.output()).toContain('rate limited');
  });

  it('charges graphql-ws subscribe messages to the same budget', async () => {
    const customer = await createCustomer(server);
    const key = await createKey(server, 'CUSTOMER', customer);
    const ws = await RawGraphqlWs.open(server.url, key);
    expect(ws.acknowledged).toBe(true);
    for (let i = 0; i < 30; i++) ws.subscribe(String(i), 'subscription ($c: ID) { balanceChanged(customerId: $c) { balance } }', { c: customer });
    await ws.until(() => ws.count('error') >= 30 - 3 * CUSTOMER_RPS, 1_000);
    await sleep(200);
    const refusals = ws.messages.filter((m) => m.type === 'error');
    expect(ws.count('error', 'RATE_LIMITED')).toBe(refusals.length);
    const first = (refusals[0].payload as { message: string; extensions: { retryAfterMs: number } }[])[0];
    expect(first.message).toContain('RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER');
    expect(first.extensions.retryAfterMs).toBeGreaterThan(0);
    expect(first.extensions).not.toHaveProperty('http');
    await ws.terminate();
  });

  it('charges submitCdrs records to the CDR budget before the batch runs: a refused batch commits nothing', async () => {
    const customer = await createCustomer(server);
    const ingest = await createKey(server, 'INGEST');
    const results = [];
    // 150 CDRs a second allows one batch of 100 per window; four in a row span at most two windows.
    for (let i = 0; i < 4; i++) results.push(await server.http(ingest).request(SubmitCdrsDocument, { cdrs: cdrs(customer, CDR_BATCH) }));
    const accepted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(accepted.length + refused.length).toBe(4);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(2);
    for (const r of accepted) expect(r.data?.submitCdrs.accepted).toBe(CDR_BATCH);
    let retryAfterMs = 0;
    for (const r of refused) retryAfterMs = Math.max(retryAfterMs, expectRateLimited(r, 'RATE_LIMIT_CDRS_PER_SEC_INGEST'));

    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      const stored = await db.query<{ n: string }>(`SELECT count(*) AS n FROM cdrs WHERE call_id LIKE 'rate-%'`);
      expect(Number(stored.rows[0].n)).toBe(accepted.length * CDR_BATCH);
    } finally {
      await db.end();
    }

    await sleep(retryAfterMs + 50);
    const again = await server.http(ingest).request(SubmitCdrsDocument, { cdrs: cdrs(customer, CDR_BATCH) });
    expect(again.status).toBe(200);
    expect(again.data?.submitCdrs.accepted).toBe(CDR_BATCH);
  });
});

describeWithRedis('rate limits shared through Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    const env = { RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: String(CUSTOMER_RPS), REDIS_PREFIX: `lgrate-${randomBytes(4).toString('hex')}` };
    a = await startServerProcess({ redis: true, env });
    // The second instance of the same deployment: same database, admin key and Redis prefix.
    b = await startServerProcess({ redis: true, env: { ...env, DATABASE_URL: a.databaseUrl, ADMIN_API_KEY: a.adminKey } });
  });

  it('refuses on one instance a key that spent its budget on the other', async () => {
    const customer = await createCustomer(a);
    const key = await createKey(a, 'CUSTOMER', customer);
    expect((await b.http(key).data(MeDocument)).me.role).toBe('CUSTOMER');
    // Spend the budget on A until a refusal leaves most of its window to run, then ask B.
    for (let attempt = 0; attempt < 20; attempt++) {
      const onA = await Promise.all(Array.from({ length: CUSTOMER_RPS + 1 }, () => a.http(key).request(MeDocument)));
      const refusal = onA.find((r) => r.status === 429);
      if (!refusal || (refusal.errors![0].extensions!.retryAfterMs as number) < 500) {
        await sleep(200);
        continue;
      }
      const onB = await b.http(key).request(MeDocument);
      expectRateLimited(onB, 'RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER');
      return;
    }
    throw new Error('never caught a window with time left');
  });
});
