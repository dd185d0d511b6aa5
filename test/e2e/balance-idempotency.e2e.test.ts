/**
 * Idempotency keys of recordPayment and adjustBalance: a retry with the same key and
 * arguments returns the first BalanceChange and changes nothing, other arguments are a
 * CONFLICT, keys are per customer, and duplicates racing each other credit once.
 */
import { CreateCustomerDocument, FaultsBalanceDocument, KeyedAdjustmentDocument, KeyedPaymentDocument } from '../generated/graphql';
import { tableDigest } from '../helpers/db-state';
import { startTestServer, type TestServer } from '../helpers/test-server';

const TABLES = ['customers', 'balance_ledger', 'balance_idempotency_keys'];

describe('idempotency keys of balance changes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });

  const newCustomer = async (name: string) => (await server.http().data(CreateCustomerDocument, { input: { name } })).createCustomer.id;
  const balance = async (id: string) => (await server.http().data(FaultsBalanceDocument, { id })).customer?.balance;
  const digest = () => tableDigest(server, TABLES);

  it('the same key and arguments replay the first change; other arguments are a CONFLICT that changes nothing', async () => {
    const http = server.http();
    const id = await newCustomer('Replay Co');
    const first = await http.data(KeyedPaymentDocument, { customerId: id, amount: '10', reference: 'INV-1', idempotencyKey: 'k-1' });
    expect(first.recordPayment).toMatchObject({ previousBalance: '0', balance: '10', delta: '10', reason: 'PAYMENT' });
    // The same amount written differently is the same request.
    expect(await http.data(KeyedPaymentDocument, { customerId: id, amount: '10.00', reference: 'INV-1', idempotencyKey: 'k-1' })).toEqual(first);
    expect(await balance(id)).toBe('10');

    const before = await digest();
    for (const vars of [
      { amount: '11', reference: 'INV-1' },
      { amount: '10', reference: 'INV-2' },
      { amount: '10', reference: null },
    ]) {
      const r = await http.request(KeyedPaymentDocument, { customerId: id, idempotencyKey: 'k-1', ...vars });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    }
    // A payment's key reused for an adjustment of the same amount is another request too.
    expect(await http.errorCode(KeyedAdjustmentDocument, { customerId: id, amount: '10', idempotencyKey: 'k-1' })).toBe('CONFLICT');
    expect(await digest()).toEqual(before);

    const adj = await http.data(KeyedAdjustmentDocument, { customerId: id, amount: '-2.5', note: 'fee', idempotencyKey: 'k-2' });
    expect(await http.data(KeyedAdjustmentDocument, { customerId: id, amount: '-2.5', note: 'fee', idempotencyKey: 'k-2' })).toEqual(adj);
    expect(await balance(id)).toBe('7.5');
    // Without a key nothing is deduplicated (two payments are two payments).
    await http.data(KeyedPaymentDocument, { customerId: id, amount: '1' });
    await http.data(KeyedPaymentDocument, { customerId: id, amount: '1' });
    expect(await balance(id)).toBe('9.5');
  });

  it('keys are scoped per customer', async () => {
    const [a, b] = [await newCustomer('Scope A'), await newCustomer('Scope B')];
    const http = server.http();
    await http.data(KeyedPaymentDocument, { customerId: a, amount: '5', idempotencyKey: 'shared' });
    const onB = await http.data(KeyedPaymentDocument, { customerId: b, amount: '7', idempotencyKey: 'shared' });
    expect(onB.recordPayment).toMatchObject({ previousBalance: '0', balance: '7' });
    expect([await balance(a), await balance(b)]).toEqual(['5', '7']);
  });

  it('20 requests with one new key at once credit once, and all answer with that one change', async () => {
    const id = await newCustomer('Race Co');
    const http = server.http();
    const answers = await Promise.all(Array.from({ length: 20 }, () => http.data(KeyedPaymentDocument, { customerId: id, amount: '3.33', idempotencyKey: 'race' })));
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0].recordPayment).toMatchObject({ previousBalance: '0', balance: '3.33' });
    expect(await balance(id)).toBe('3.33');
    const [{ n }] = await server.app.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM balance_ledger WHERE customer_id = $1`, [id.slice(4)]);
    expect(n).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with NUL', 'k\u0000'],
    ['with a newline', 'k\n1'],
  ])('a key %s is BAD_USER_INPUT and changes nothing', async (_what, key) => {
    const id = await newCustomer(`Bad key ${_what}`);
    const before = await digest();
    expect(await server.http().errorCode(KeyedPaymentDocument, { customerId: id, amount: '1', idempotencyKey: key })).toBe('BAD_USER_INPUT');
    expect(await server.http().errorCode(KeyedAdjustmentDocument, { customerId: id, amount: '1', idempotencyKey: key })).toBe('BAD_USER_INPUT');
    expect(await digest()).toEqual(before);
  });

  it('a key of the longest allowed length works', async () => {
    const id = await newCustomer('Long key');
    const key = 'k'.repeat(255);
    const first = await server.http().data(KeyedPaymentDocument, { customerId: id, amount: '1', idempotencyKey: key });
    expect(await server.http().data(KeyedPaymentDocument, { customerId: id, amount: '1', idempotencyKey: key })).toEqual(first);
    expect(await balance(id)).toBe('1');
  });
});
