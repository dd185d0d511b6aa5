import { CreateApiKeyDocument, MeDocument, RevokeApiKeyDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { describeWithRedis } from '../helpers/test-env';

/** Polls until the key is refused on `server`; the time it took, ms. */
async function refusedWithin(server: TestServer, key: string, deadlineMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const r = await server.http(key).request(MeDocument);
    if (r.status === 401 || r.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') return Date.now() - start;
    if (Date.now() - start > deadlineMs) throw new Error(`key still accepted after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * API keys are cached per instance (API_KEY_CACHE_MS); a revocation on one instance reaches
 * every other instance's cache through Redis at once, and without Redis the cache's time
 * bounds how long a revoked key still works.
 */
describeWithRedis('API key cache across instances', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    // A staleness bound of 10 minutes: a refusal within seconds can only come from the notice.
    const env = { SCHEDULER_INTERVAL_MS: '0', API_KEY_CACHE_MS: '600000' };
    a = await startTestServer({ redis: true, env });
    b = await startTestServer({ redis: true, env, shared: { databaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix, adminKey: a.adminKey } });
  });

  it('reads a key once per instance, then refuses it on the other instance as soon as it is revoked', async () => {
    const created = (await a.http().data(CreateApiKeyDocument, { name: 'dashboard', role: 'NOC' })).createApiKey;
    expect((await a.http(created.secret).data(MeDocument)).me.role).toBe('NOC');
    expect((await b.http(created.secret).data(MeDocument)).me.role).toBe('NOC');
    // Held by b now: its next request reads no key.
    const reads = b.app.services.db.queries;
    const before = reads.count;
    await b.http(created.secret).data(MeDocument);
    const cachedStatements = reads.count - before;
    const warm = reads.count;
    await b.http(created.secret).data(MeDocument);
    expect(reads.count - warm).toBe(cachedStatements);

    await a.http().data(RevokeApiKeyDocument, { id: created.apiKey.id });
    // The revoking instance forgets at commit; the other on the Redis notice.
    expect(await a.http(created.secret).request(MeDocument)).toMatchObject({ status: 401 });
    const took = await refusedWithin(b, created.secret, 5_000);
    process.stdout.write(`revoked key refused by the other instance after ${took} ms (cache bound 600000 ms)\n`);
    expect(took).toBeLessThan(5_000);
  });
});

describe('API key cache without Redis', () => {
  it('bounds how long another instance accepts a revoked key by API_KEY_CACHE_MS', async () => {
    // No Redis: each instance has its own in-process bus, so the notice cannot reach b.
    const env = { SCHEDULER_INTERVAL_MS: '0', API_KEY_CACHE_MS: '1500' };
    const a = await startTestServer({ env });
    const b = await startTestServer({ env, shared: { databaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix, adminKey: a.adminKey } });
    const created = (await a.http().data(CreateApiKeyDocument, { name: 'portal', role: 'NOC' })).createApiKey;
    await b.http(created.secret).data(MeDocument);
    const revokedAt = Date.now();
    await a.http().data(RevokeApiKeyDocument, { id: created.apiKey.id });
    expect(await a.http(created.secret).request(MeDocument)).toMatchObject({ status: 401 });
    await refusedWithin(b, created.secret, 5_000);
    expect(Date.now() - revokedAt).toBeLessThan(1500 + 1_000);
  });
});
