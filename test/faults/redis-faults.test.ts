/**
 * Redis down and restarted under a running server (Redis is the test's own, on a free
 * port). Publishing after commit must not hold a response; readiness must say 503 in
 * time; money must not double when a client retries with its idempotency key; and a
 * subscriber that resumes with `after:` must get every alert event once.
 */
import { AlertEventsDocument, AlertEventsFeedDocument, FaultsBalanceDocument, KeyedPaymentDocument } from '../generated/graphql';
import { chargeCalls, createCustomer, localId, type Call } from '../helpers/alert-fixtures';
import { eventually } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { OwnRedis } from './helpers/own-redis';
import { quietFor } from '../helpers/waits';
import { ALERT_EVENT } from '../../src/modules/alert/alert.topics';

/** The bound; generous against the millisecond answers measured on this kind of VM. */
const ONE_SECOND = 1_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('faults: Redis down and restarted', () => {
  let redis: OwnRedis;
  let server: TestServer;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    server = await startTestServer({ env: { REDIS_URL: redis.url, SCHEDULER_INTERVAL_MS: '0' } });
  });

  const ws = () => server.ws();
  const readyz = () =>
    timed(async () => {
      const r = await fetch(server.url.replace('/graphql', '/readyz'));
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    });
  const redisBack = async () => {
    await redis.start();
    await eventually(async () => (await readyz()).value.status === 200, 15_000, 'ready again');
  };
  const ledgerRows = async (customerId: string) =>
    (await server.app.services.db.query(`SELECT id FROM balance_ledger WHERE customer_id = $1`, [localId(customerId)])).length;

  it('Redis down: payments and CDR batches answer within 1 s, /readyz is 503 within 1 s, retried payments credit once', async () => {
    const customerId = await createCustomer(server, { name: 'Outage Co' });
    expect((await readyz()).value.status).toBe(200);
    await redis.stop();

    const probe = await readyz();
    expect(probe.value.status).toBe(503);
    expect(probe.value.body).toMatchObject({ status: 'not ready', database: true, pubsub: 'redis', pubsubReachable: false });
    expect(probe.ms).toBeLessThan(ONE_SECOND);

    const pay = (key: string) => server.http().data(KeyedPaymentDocument, { customerId, amount: '25.50', reference: 'INV-9', idempotencyKey: key });
    const first = await timed(() => pay('INV-9/1'));
    expect(first.ms).toBeLessThan(ONE_SECOND);
    expect(first.value.recordPayment).toMatchObject({ previousBalance: '0', balance: '25.5', delta: '25.5', reason: 'PAYMENT' });
    // The client timed out and retries, once and then five times at once: the first change, nothing new.
    expect((await timed(() => pay('INV-9/1'))).value).toEqual(first.value);
    for (const again of await Promise.all(Array.from({ length: 5 }, () => pay('INV-9/1')))) expect(again).toEqual(first.value);
    // A new key sent five times at once (the duplicates race the first): credited once.
    const burst = await Promise.all(Array.from({ length: 5 }, () => pay('INV-9/2')));
    for (const b of burst) expect(b).toEqual(burst[0]);
    expect(burst[0].recordPayment).toMatchObject({ previousBalance: '25.5', balance: '51' });

    const batch = await timed(() => chargeCalls(server, [{ customerId, duration: 60, charge: '1.25' }]));
    expect(batch.ms).toBeLessThan(ONE_SECOND);
    expect(server.app.services.events.heldMessages).toBeGreaterThan(0);

    expect((await server.http().data(FaultsBalanceDocument, { id: customerId })).customer?.balance).toBe('49.75');
    expect(await ledgerRows(customerId)).toBe(3);

    await redisBack();
    // The wake-ups held during the outage went out once Redis was back.
    await eventually(() => server.app.services.events.heldMessages === 0, 10_000, 'held wake-ups sent');
    expect((await readyz()).value.body).toMatchObject({ status: 'ready', pubsubReachable: true, heldWakeUps: 0 });
  });

  it('Redis restarted mid-stream: a connected subscriber and one resuming with after: miss nothing and get nothing twice', async () => {
    const customerId = await createCustomer(server, { name: 'Stream Co', callDurationTrigger: 3600 });
    const filter = { customerId };
    const long = (n: number): Call[] => Array.from({ length: n }, () => ({ customerId, duration: 7200 }));

    const stays = ws().subscribe(AlertEventsFeedDocument, { filter });
    const c0 = ws();
    const drops = c0.subscribe(AlertEventsFeedDocument, { filter });
    await eventually(() => server.app.services.events.listenerCount(ALERT_EVENT) >= 2, 10_000, 'subscriptions live');
    await chargeCalls(server, long(3));
    await Promise.all([stays.waitFor(3), drops.waitFor(3)]);

    await redis.stop();
    // This client's socket gives up during the outage.
    drops.close();
    await c0.close();
    for (let i = 0; i < 3; i++) expect((await timed(() => chargeCalls(server, long(2)))).ms).toBeLessThan(ONE_SECOND);
    await redisBack();
    // The connected subscriber gets the outage's events once Redis is back, with no new event needed.
    await stays.waitFor(3 + 6);

    // The other client resumes from the last event it saw.
    const seen = drops.received.map((m) => m.alertEvents);
    const resumed = ws().subscribe(AlertEventsFeedDocument, { filter, after: seen[seen.length - 1].cursor });
    await chargeCalls(server, long(2));

    const stored = (await server.http().data(AlertEventsDocument, { filter, first: 500 })).alertEvents.nodes.map((e) => e.id);
    expect(stored).toHaveLength(3 + 6 + 2);
    expect((await stays.waitFor(stored.length)).map((m) => m.alertEvents.id)).toEqual(stored);
    const rest = (await resumed.waitFor(stored.length - seen.length)).map((m) => m.alertEvents.id);
    expect([...seen.map((e) => e.id), ...rest]).toEqual(stored);
    // Nothing arrives twice: the held wake-ups, the re-read after Redis came back and the live ones overlap.
    await quietFor(500);
    expect(stays.received).toHaveLength(stored.length);
    expect(resumed.received).toHaveLength(stored.length - seen.length);
    expect([...stays.errors, ...resumed.errors]).toEqual([]);
  });
});
