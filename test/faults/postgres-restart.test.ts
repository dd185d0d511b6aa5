/**
 * PostgreSQL stopped and started again under a running server (PostgreSQL is the test's
 * own, on a free port): readiness says 503 in time while it is down, requests fail fast
 * instead of hanging, and once it is back requests succeed again without restarting
 * the app (the pool drops dead connections and opens new ones).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CreateCustomerDocument, FaultsBalanceDocument, KeyedPaymentDocument } from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { OwnPostgres } from './helpers/own-postgres';

const ONE_SECOND = 1_000;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('faults: PostgreSQL restarted', () => {
  let pg: OwnPostgres;
  let server: TestServer;

  beforeAll(async () => {
    pg = await OwnPostgres.start();
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE lineguard');
    await admin.end();
    server = await startTestServer({
      shared: { databaseUrl: pg.url('lineguard'), redisPrefix: `lgfault-${randomBytes(4).toString('hex')}`, adminKey: `lg_test_admin_${randomBytes(12).toString('hex')}` },
      env: { SCHEDULER_INTERVAL_MS: '0' },
    });
  }, 60_000);

  const readyz = () =>
    timed(async () => {
      const r = await fetch(server.url.replace('/graphql', '/readyz'));
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    });

  it('answers 503 and fails fast while PostgreSQL is down, and recovers without a restart', async () => {
    const http = server.http();
    const customerId = (await http.data(CreateCustomerDocument, { input: { name: 'Restart Co' } })).createCustomer.id;
    const pay = (key: string) => http.request(KeyedPaymentDocument, { customerId, amount: '10', idempotencyKey: key });
    expect((await pay('before')).errors).toBeUndefined();

    await pg.stop();
    const probe = await readyz();
    expect(probe.value).toMatchObject({ status: 503, body: { status: 'not ready', database: false } });
    expect(probe.ms).toBeLessThan(ONE_SECOND);
    const during = await timed(() => pay('during'));
    expect(during.value.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(during.ms).toBeLessThan(ONE_SECOND);

    await pg.start();
    await eventually(async () => (await readyz()).value.status === 200, 15_000, 'ready again');
    // The payment that failed is retried with its key and goes through once; the first is not repeated.
    expect((await pay('during')).errors).toBeUndefined();
    expect((await pay('during')).data?.recordPayment).toMatchObject({ previousBalance: '10', balance: '20' });
    expect((await pay('before')).data?.recordPayment).toMatchObject({ previousBalance: '0', balance: '10' });
    expect((await http.data(FaultsBalanceDocument, { id: customerId })).customer?.balance).toBe('20');
  });
});
