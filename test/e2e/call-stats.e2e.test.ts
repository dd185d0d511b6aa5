import {
  AlertDefinitionsDocument,
  CreateAlertDefinitionDocument,
  CreateApiKeyDocument,
  CustomerCallStatsDocument,
  CustomersCallStatsDocument,
  MeDocument,
  SubmitCdrsDocument,
  type CallDisposition,
  type CdrInput,
} from '../generated/graphql';
import { cdr, createCustomer, type TestCustomer } from '../helpers/cdr-fixtures';
import { runJob } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

const MINUTE = 60_000;

/**
 * Customer.callStats: a customer's traffic over the last N minutes, from the call buckets
 * the CDR path keeps, agreeing with what the windowed alert rules see.
 */
describe('Customer.callStats', () => {
  let server: TestServer;
  let busy: TestCustomer;
  let other: TestCustomer;
  let quiet: TestCustomer;

  /** A call `minutesAgo` minutes before now. */
  const call = (customer: TestCustomer, minutesAgo: number, disposition: CallDisposition, duration: number, charge: string): CdrInput =>
    cdr(customer, { startedAt: new Date(Date.now() - minutesAgo * MINUTE).toISOString(), disposition, duration, charge });

  const stats = async (customer: TestCustomer, minutes?: number | null, key?: string) =>
    (await server.http(key).data(CustomerCallStatsDocument, { id: customer.id, minutes })).customer!.callStats;

  beforeAll(async () => {
    // Background jobs off: compaction runs when the test says, and the statement counter counts requests only.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const services = server.app.services;
    busy = await createCustomer(services, 'Stats Busy', '100');
    other = await createCustomer(services, 'Stats Other', '100');
    quiet = await createCustomer(services, 'Stats Quiet', '100');
    // Rules over the same hour, so the test can compare with what the alert engine computes.
    for (const area of ['ASR', 'ACD', 'SPEND', 'CALL_COUNT'] as const) {
      await server.http().data(CreateAlertDefinitionDocument, {
        input: { title: `hour ${area}`, customerId: busy.id, area, operator: 'GTE', threshold: '0', samplePeriod: 3600 },
      });
    }
    const { submitCdrs } = await server.http().data(SubmitCdrsDocument, {
      cdrs: [
        // In the last hour: 3 answered of 7, 227 answered seconds, charges 2.06.
        call(busy, 5, 'ANSWERED', 60, '0.5'),
        call(busy, 20, 'ANSWERED', 120, '1.25'),
        call(busy, 50, 'ANSWERED', 47, '0.3'),
        call(busy, 10, 'NO_ANSWER', 0, '0'),
        call(busy, 15, 'NO_ANSWER', 25, '0'), // rang 25 s: not billable
        call(busy, 30, 'BUSY', 0, '0.01'), // a connection fee still counts as spend
        call(busy, 40, 'FAILED', 0, '0'),
        // 90 minutes ago: outside the hour, inside two.
        call(busy, 90, 'ANSWERED', 30, '2'),
        // Another customer's calls never count.
        call(other, 5, 'ANSWERED', 600, '9'),
      ],
    });
    expect(submitCdrs).toMatchObject({ accepted: 9, rejected: [] });
  });

  it('counts the calls, ASR, ACD, spend and billable seconds of the window', async () => {
    const hour = await stats(busy, 60);
    expect(hour).toMatchObject({
      minutes: 60,
      calls: 7,
      answered: 3,
      asr: '42.8571428571', // 3 / 7, percent
      acd: '75.6666666667', // 227 s / 3
      spend: '2.06',
      durationSeconds: '227',
    });
    expect(new Date(hour.to).getTime() - new Date(hour.from).getTime()).toBe(60 * MINUTE);
    expect(Math.abs(new Date(hour.to).getTime() - Date.now())).toBeLessThan(MINUTE);

    // The default window is the hour.
    expect(await stats(busy)).toMatchObject({ minutes: 60, calls: 7, spend: '2.06' });
    expect(await stats(busy, null)).toMatchObject({ minutes: 60, calls: 7, spend: '2.06' });
    expect(await stats(busy, 120)).toMatchObject({ calls: 8, answered: 4, asr: '50', acd: '64.25', spend: '4.06', durationSeconds: '257' });
    expect(await stats(busy, 1)).toMatchObject({ calls: 0, answered: 0, asr: null, acd: null, spend: '0', durationSeconds: '0' });
    expect(await stats(other, 60)).toMatchObject({ calls: 1, answered: 1, asr: '100', acd: '600', spend: '9', durationSeconds: '600' });
    expect(await stats(quiet, 1440)).toMatchObject({ minutes: 1440, calls: 0, answered: 0, asr: null, acd: null, spend: '0', durationSeconds: '0' });
  });

  it('agrees with the alert rules over the same window, before and after compaction', async () => {
    const { alertDefinitions } = await server.http().data(AlertDefinitionsDocument, { first: 10 });
    const ruleValue = Object.fromEntries(alertDefinitions.nodes.map((d) => [d.area, d.states.find((s) => s.customer.id === busy.id)?.value]));
    // Each rule triggered on the batch, with its value computed by the engine from the buckets.
    expect(ruleValue).toEqual({ ASR: '42.8571428571', ACD: '75.6666666667', SPEND: '2.06', CALL_COUNT: '7' });
    const hour = await stats(busy, 60);
    expect({ ASR: hour.asr, ACD: hour.acd, SPEND: hour.spend, CALL_COUNT: String(hour.calls) }).toEqual(ruleValue);

    // The batch's sums wait as deltas until compaction folds them into the buckets: the same figures either way.
    const deltas = async () => Number((await server.app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM alert_call_bucket_deltas`))[0].n);
    expect(await deltas()).toBeGreaterThan(0);
    await runJob(server, 'alert-bucket-compaction');
    expect(await deltas()).toBe(0);
    expect(await stats(busy, 60)).toEqual({ ...hour, from: expect.any(String), to: expect.any(String) });
    expect(await stats(busy, 120)).toMatchObject({ calls: 8, spend: '4.06' });
  });

  it("runs on the server's clock", async () => {
    server.clock.advance(2 * 60 * MINUTE);
    try {
      // Two hours on, the last hour holds no call, and the last three hold all of them.
      expect(await stats(busy, 60)).toMatchObject({ calls: 0, asr: null, acd: null, spend: '0' });
      const three = await stats(busy, 180);
      expect(three).toMatchObject({ calls: 7, answered: 3, spend: '2.06' });
      expect(Math.abs(new Date(three.to).getTime() - (Date.now() + 2 * 60 * MINUTE))).toBeLessThan(MINUTE);
    } finally {
      server.clock.advance(-2 * 60 * MINUTE);
    }
  });

  it('refuses windows outside 1 to 1440 minutes', async () => {
    for (const minutes of [0, -5, 1441, 100_000]) {
      const r = await server.http().request(CustomerCallStatsDocument, { id: busy.id, minutes });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minutes' });
    }
    expect(await stats(busy, 1440)).toMatchObject({ minutes: 1440, calls: 8 });
  });

  it("shows a CUSTOMER key its own customer's figures only; NOC reads any, INGEST none", async () => {
    const key = async (role: 'NOC' | 'INGEST' | 'CUSTOMER', customer?: TestCustomer) =>
      (await server.http().data(CreateApiKeyDocument, { name: `stats ${role}`, role, customerId: customer?.id })).createApiKey.secret;
    const portal = await key('CUSTOMER', busy);
    expect(await stats(busy, 60, portal)).toMatchObject({ calls: 7, spend: '2.06' });
    expect(await server.http(portal).errorCode(CustomerCallStatsDocument, { id: other.id, minutes: 60 })).toBe('NOT_FOUND');
    const list = await server.http(portal).data(CustomersCallStatsDocument, { first: 50 });
    expect(list.customers.nodes).toEqual([{ id: busy.id, hour: expect.objectContaining({ calls: 7 }), day: { calls: 8, spend: '4.06' } }]);
    expect(await stats(other, 60, await key('NOC'))).toMatchObject({ calls: 1, spend: '9' });
    expect(await server.http(await key('INGEST')).errorCode(CustomerCallStatsDocument, { id: busy.id })).toBe('FORBIDDEN');
  });

  it('reads every window of a page of customers in one statement, however many customers', async () => {
    const db = server.app.services.db;
    await db.query(`INSERT INTO customers (name) SELECT 'stats bulk ' || g FROM generate_series(1, 60) g`);
    const statementsFor = async (first: number) => {
      // Authentication refreshes a key's last use once a minute: not inside the measured request.
      await server.http().data(MeDocument);
      const before = db.queries.count;
      const { customers } = await server.http().data(CustomersCallStatsDocument, { first });
      return { statements: db.queries.count - before, customers: customers.nodes };
    };
    const few = await statementsFor(3);
    const many = await statementsFor(63);
    expect(few.customers).toHaveLength(3);
    expect(many.customers).toHaveLength(63);
    // The page (the key is cached, totalCount is not selected), then one statement for both windows of every customer on it.
    expect(few.statements).toBe(2);
    expect(many.statements).toBe(2);
    const byId = new Map(many.customers.map((c) => [c.id, c]));
    expect(byId.get(busy.id)).toMatchObject({ hour: { calls: 7, answered: 3, asr: '42.8571428571', acd: '75.6666666667', spend: '2.06' }, day: { calls: 8, spend: '4.06' } });
    expect(byId.get(other.id)).toMatchObject({ hour: { calls: 1, spend: '9' }, day: { calls: 1, spend: '9' } });
    expect(byId.get(quiet.id)).toMatchObject({ hour: { calls: 0, asr: null, acd: null, spend: '0' }, day: { calls: 0, spend: '0' } });
  });
});
