import {
  AdjustBalanceDocument,
  BalanceChangedDocument,
  CreateApiKeyDocument,
  CreateCustomerDocument,
  CustomerDocument,
  CustomerStatusChangedDocument,
  RecordPaymentDocument,
  ResetBalanceDocument,
  RevokeApiKeyDocument,
  SetCustomerStatusDocument,
} from '../generated/graphql';
import { ACCOUNT_TABLES, tableDigest } from '../helpers/db-state';
import { eventually, type WsClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { describeWithRedis } from '../helpers/test-env';
import { quietFor } from '../helpers/waits';
import type { Topic } from '../../src/platform/pubsub/topic';
import { BALANCE_CHANGED } from '../../src/modules/balance/balance.topics';
import { CUSTOMER_STATUS_CHANGED } from '../../src/modules/customer/customer.topics';

const MISSING = 'cus_00000000-0000-4000-8000-000000000000';
const local = (id: string) => id.slice(4);

describe('balance operations and customer subscriptions', () => {
  let server: TestServer;
  const ws = (key?: string) => server.ws(key);
  const newCustomer = async (name: string) => (await server.http().data(CreateCustomerDocument, { input: { name } })).createCustomer.id;
  /** Waits until n more listeners of the topic are live, so nothing published next is missed. */
  const listening = (topic: Topic<unknown>, n: number) => eventually(() => server.app.services.events.listenerCount(topic) >= n, 10_000, `${n} listeners on ${topic.name}`);

  beforeAll(async () => {
    server = await startTestServer();
  });

  it('records payments, adjustments and resets, each with one ledger row', async () => {
    const admin = server.http();
    const id = await newCustomer('Ledger Co');
    const pay = await admin.data(RecordPaymentDocument, { customerId: id, amount: '100.10', reference: 'INV-1' });
    expect(pay.recordPayment).toMatchObject({ previousBalance: '0', balance: '100.1', delta: '100.1', reason: 'PAYMENT', customer: { id, balance: '100.1' } });
    const adj = await admin.data(AdjustBalanceDocument, { customerId: id, amount: '-0.2', note: 'rounding' });
    expect(adj.adjustBalance).toEqual({ previousBalance: '100.1', balance: '99.9', delta: '-0.2', reason: 'ADJUSTMENT' });
    await server.app.services.db.query(`UPDATE customers SET accrued_charges = 12.5 WHERE id = $1`, [local(id)]);
    const reset = await admin.data(ResetBalanceDocument, { customerId: id });
    expect(reset.resetBalance).toEqual({ previousBalance: '99.9', balance: '0', delta: '-99.9', reason: 'RESET', customer: { balance: '0', accruedCharges: '0' } });
    const ledger = await server.app.services.db.query(
      `SELECT reason, delta::text, balance::text, reference, note FROM balance_ledger WHERE customer_id = $1 ORDER BY id`,
      [local(id)],
    );
    expect(ledger).toEqual([
      { reason: 'PAYMENT', delta: '100.1000000000', balance: '100.1000000000', reference: 'INV-1', note: null },
      { reason: 'ADJUSTMENT', delta: '-0.2000000000', balance: '99.9000000000', reference: null, note: 'rounding' },
      { reason: 'RESET', delta: '-99.9000000000', balance: '0.0000000000', reference: null, note: null },
    ]);
  });

  it('refuses zero, negative payments, zero adjustments and unknown customers, changing nothing', async () => {
    const admin = server.http();
    const id = await newCustomer('Strict Co');
    const before = await tableDigest(server, ACCOUNT_TABLES);
    expect(await admin.errorCode(RecordPaymentDocument, { customerId: id, amount: '0' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(RecordPaymentDocument, { customerId: id, amount: '-5' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(RecordPaymentDocument, { customerId: id, amount: '0.1e1' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(AdjustBalanceDocument, { customerId: id, amount: '0.000' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(RecordPaymentDocument, { customerId: MISSING, amount: '5' })).toBe('NOT_FOUND');
    expect(await admin.errorCode(AdjustBalanceDocument, { customerId: MISSING, amount: '5' })).toBe('NOT_FOUND');
    expect(await admin.errorCode(ResetBalanceDocument, { customerId: MISSING })).toBe('NOT_FOUND');
    expect(await admin.errorCode(ResetBalanceDocument, { customerId: 'nope' })).toBe('NOT_FOUND');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    const noc = server.http((await admin.data(CreateApiKeyDocument, { name: 'noc-bal', role: 'NOC' })).createApiKey.secret);
    expect(await noc.errorCode(RecordPaymentDocument, { customerId: id, amount: '5' })).toBe('FORBIDDEN');
  });

  it('refuses a payment or adjustment whose resulting balance would overflow NUMERIC(28,10), changing nothing', async () => {
    const admin = server.http();
    const id = await newCustomer('Overflow Co');
    await admin.data(RecordPaymentDocument, { customerId: id, amount: '1' });
    const before = await tableDigest(server, ACCOUNT_TABLES);
    for (const r of [
      await admin.request(RecordPaymentDocument, { customerId: id, amount: '999999999999999999' }),
      await admin.request(AdjustBalanceDocument, { customerId: id, amount: '999999999999999999.5' }),
    ]) {
      expect(r.data).toBeNull();
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    }
    // Beyond the column on its own: the Decimal scalar refuses it before any resolver.
    expect(await admin.errorCode(RecordPaymentDocument, { customerId: id, amount: '1000000000000000000' })).toBe('BAD_USER_INPUT');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    // Up to the edge it is taken, exactly.
    const edge = await admin.data(AdjustBalanceDocument, { customerId: id, amount: '-999999999999999999.9999999999' });
    expect(edge.adjustBalance.balance).toBe('-999999999999999998.9999999999');
    expect((await admin.request(AdjustBalanceDocument, { customerId: id, amount: '-1.0000000001' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
  });

  it('refuses a NUL or lone surrogate in a reference or note before anything runs', async () => {
    const admin = server.http();
    const id = await newCustomer('Text Co');
    const before = await tableDigest(server, ACCOUNT_TABLES);
    const r = await admin.request(RecordPaymentDocument, { customerId: id, amount: '5', reference: 'INV\u00001' });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reference' });
    const s = await admin.request(AdjustBalanceDocument, { customerId: id, amount: '5', note: 'half a pair \ud83d' });
    expect(s.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
  });

  it('20 concurrent payments on one customer leave the exact sum and 20 ledger rows', async () => {
    const id = await newCustomer('Busy Co');
    const amounts = Array.from({ length: 20 }, (_, i) => `${i + 1}.0${i % 10}`);
    const results = await Promise.all(amounts.map((amount, i) => server.http().data(RecordPaymentDocument, { customerId: id, amount, reference: `P${i}` })));
    expect(results).toHaveLength(20);
    // 1 + 2 + ... + 20 = 210, plus 0.00 + 0.01 + ... + 0.09 twice = 0.9
    expect((await server.http().data(CustomerDocument, { id })).customer?.balance).toBe('210.9');
    const [row] = await server.app.services.db.query<{ n: number; sum: string; chained: boolean }>(
      `SELECT count(*)::int AS n, sum(delta)::text AS sum,
              bool_and(previous_balance + delta = balance) AS chained
         FROM balance_ledger WHERE customer_id = $1`,
      [local(id)],
    );
    expect(row).toEqual({ n: 20, sum: '210.9000000000', chained: true });
    // Every change saw the one before it: the running balances are all distinct.
    const balances = results.map((r) => r.recordPayment.balance);
    expect(new Set(balances).size).toBe(20);
  });

  it('publishes balanceChanged after commit, filtered by customerId', async () => {
    const a = await newCustomer('Sub A');
    const b = await newCustomer('Sub B');
    const client = ws();
    const base = server.app.services.events.listenerCount(BALANCE_CHANGED);
    const onlyA = client.subscribe(BalanceChangedDocument, { customerId: a });
    const all = client.subscribe(BalanceChangedDocument, {});
    await listening(BALANCE_CHANGED, base + 2);
    await server.http().data(RecordPaymentDocument, { customerId: b, amount: '1' });
    await server.http().data(RecordPaymentDocument, { customerId: a, amount: '2.5', reference: 'R' });
    const [got] = await onlyA.waitFor(1);
    expect(got.balanceChanged).toEqual({ customer: { id: a, balance: '2.5' }, previousBalance: '0', balance: '2.5', delta: '2.5', reason: 'PAYMENT' });
    const both = await all.waitFor(2);
    expect(both.map((m) => m.balanceChanged.customer.id)).toEqual([b, a]);
    expect(onlyA.received).toHaveLength(1);
    // The subscription's nested customer is read per event, not cached from the first one.
    await server.http().data(AdjustBalanceDocument, { customerId: a, amount: '-1' });
    const second = (await onlyA.waitFor(2))[1].balanceChanged;
    expect(second).toMatchObject({ customer: { id: a, balance: '1.5' }, balance: '1.5', reason: 'ADJUSTMENT' });
    onlyA.close();
    all.close();
  });

  it('gives a CUSTOMER key only its own customer\'s events; another id answers NOT_FOUND', async () => {
    const own = await newCustomer('Portal Own');
    const other = await newCustomer('Portal Other');
    const secret = (await server.http().data(CreateApiKeyDocument, { name: 'portal', role: 'CUSTOMER', customerId: own })).createApiKey.secret;
    const client = ws(secret);
    const base = server.app.services.events.listenerCount(BALANCE_CHANGED);
    const mine = client.subscribe(BalanceChangedDocument, {});
    await listening(BALANCE_CHANGED, base + 1);
    const foreign = client.subscribe(BalanceChangedDocument, { customerId: other });
    await foreign.ended();
    expect(JSON.stringify(foreign.errors)).toContain('NOT_FOUND');
    await server.http().data(RecordPaymentDocument, { customerId: other, amount: '7' });
    await server.http().data(RecordPaymentDocument, { customerId: own, amount: '3' });
    const [got] = await mine.waitFor(1);
    expect(got.balanceChanged).toMatchObject({ customer: { id: own }, balance: '3' });
    await quietFor(100);
    expect(mine.received).toHaveLength(1);
    mine.close();
    const ingest = (await server.http().data(CreateApiKeyDocument, { name: 'sw', role: 'INGEST' })).createApiKey.secret;
    const refused = ws(ingest).subscribe(BalanceChangedDocument, {});
    await refused.ended();
    expect(JSON.stringify(refused.errors)).toContain('FORBIDDEN');
  });

  it('publishes customerStatusChanged with the current customer after setCustomerStatus', async () => {
    const a = await newCustomer('Status A');
    const b = await newCustomer('Status B');
    const client = ws();
    const base = server.app.services.events.listenerCount(CUSTOMER_STATUS_CHANGED);
    const sub = client.subscribe(CustomerStatusChangedDocument, {});
    const onlyB = client.subscribe(CustomerStatusChangedDocument, { customerId: b });
    await listening(CUSTOMER_STATUS_CHANGED, base + 2);
    await server.http().data(SetCustomerStatusDocument, { ids: [a, b], status: 'INACTIVE' });
    const got = await sub.waitFor(2);
    expect(got.map((m) => m.customerStatusChanged).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { id: a, status: 'INACTIVE', name: 'Status A' },
      { id: b, status: 'INACTIVE', name: 'Status B' },
    ]);
    expect((await onlyB.waitFor(1))[0].customerStatusChanged).toEqual({ id: b, status: 'INACTIVE', name: 'Status B' });
    // A failed call (unknown id) publishes nothing.
    await server.http().request(SetCustomerStatusDocument, { ids: [a, MISSING], status: 'ACTIVE' });
    await quietFor(100);
    expect(sub.received).toHaveLength(2);
    sub.close();
    onlyB.close();
  });

  it('closes a NOC key\'s open balanceChanged subscription with 4403 when the key is revoked', async () => {
    const created = (await server.http().data(CreateApiKeyDocument, { name: 'noc-live', role: 'NOC' })).createApiKey;
    const client = ws(created.secret);
    const base = server.app.services.events.listenerCount(BALANCE_CHANGED);
    const sub = client.subscribe(BalanceChangedDocument, {});
    await listening(BALANCE_CHANGED, base + 1);
    await server.http().data(RevokeApiKeyDocument, { id: created.apiKey.id });
    expect(await client.closed()).toBe(4403);
    await sub.ended();
    // Its listener is gone: the stream was returned when the socket closed.
    await eventually(() => server.app.services.events.listenerCount(BALANCE_CHANGED) === base, 5000, 'listener released');
  });
});

describeWithRedis('balanceChanged across instances (Redis)', () => {
  let first: TestServer;
  let second: TestServer;
  let client: WsClient;

  beforeAll(async () => {
    first = await startTestServer({ redis: true });
    second = await startTestServer({ redis: true, shared: { databaseUrl: first.databaseUrl, redisPrefix: first.redisPrefix, adminKey: first.adminKey } });
  });

  it('delivers a payment recorded on one instance to a subscriber on the other', async () => {
    const id = (await first.http().data(CreateCustomerDocument, { input: { name: 'Redis Co' } })).createCustomer.id;
    client = first.ws();
    const sub = client.subscribe(BalanceChangedDocument, { customerId: id });
    await eventually(() => first.app.services.events.listenerCount(BALANCE_CHANGED) >= 1, 10_000, 'redis subscription');
    await second.http().data(RecordPaymentDocument, { customerId: id, amount: '42.000001' });
    const [got] = await sub.waitFor(1);
    expect(got.balanceChanged).toEqual({ customer: { id, balance: '42.000001' }, previousBalance: '0', balance: '42.000001', delta: '42.000001', reason: 'PAYMENT' });
    sub.close();
  });
});
