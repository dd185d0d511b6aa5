import { CreateAlertDefinitionDocument, CreateCustomerClassDocument, type AlertDefinitionInput } from '../generated/graphql';
import { chargeCalls, createCustomer } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * A CDR batch's rule statement filters the rules by the whole batch before it joins
 * them to the batch's customers (alert-engine.ts): a balance rule by the least and
 * greatest value of its area among the customers, a windowed rule by the greatest
 * bounds, either kept while one of the customers has it triggered, a call duration rule
 * by the batch's shortest and longest call, a built-in while one of them has set its
 * threshold; a scope none of whose rules is left meets no customer. The batches
 * here mix customers on both sides of each threshold, so the batch's extremes and the
 * customer that meets a rule are not the same one.
 */
describe('CDR batch rules filtered by the whole batch', () => {
  let server: TestServer;
  /** Each test's own class, so that its rules reach its customers only. */
  let classId: string;
  let classes = 0;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  beforeEach(async () => {
    const { createCustomerClass } = await server.http().data(CreateCustomerClassDocument, { input: { name: `Prefilter class ${++classes}` } });
    classId = createCustomerClass.id;
  });

  const define = (input: Partial<AlertDefinitionInput> & Pick<AlertDefinitionInput, 'title' | 'area' | 'operator' | 'threshold'>) =>
    server.http().data(CreateAlertDefinitionDocument, { input: { customerClassId: classId, ...input } });
  const customers = (n: number) => Promise.all(Array.from({ length: n }, () => createCustomer(server, { customerClassId: classId })));
  const fired = (events: Awaited<ReturnType<typeof chargeCalls>>) => events.map((e) => [e.customer.id, e.kind, e.area, e.value]);

  it('resolves a triggered balance rule in a batch where no customer meets it', async () => {
    await define({ title: 'Accrued at most 5', area: 'ACCRUED_CHARGES', operator: 'LTE', threshold: '5' });
    // Both trigger as they join the class, with nothing accrued.
    const [a, b] = await customers(2);
    expect(fired(await chargeCalls(server, [
      { customerId: a, duration: 1, charge: '1' },
      { customerId: b, duration: 1, charge: '8' },
    ]))).toEqual([[b, 'RESOLVED', 'ACCRUED_CHARGES', '8']]);
    // The least accrued of this batch is 9, above the threshold: a's triggered state keeps the rule, and resolves.
    expect(fired(await chargeCalls(server, [
      { customerId: a, duration: 1, charge: '10' },
      { customerId: b, duration: 1, charge: '1' },
    ]))).toEqual([[a, 'RESOLVED', 'ACCRUED_CHARGES', '11']]);
  });

  it('fires an EQ balance rule for the customer between the batch extremes', async () => {
    await define({ title: 'Balance exactly -3', area: 'BALANCE', operator: 'EQ', threshold: '-3' });
    const [low, exact, high] = await customers(3);
    expect(fired(await chargeCalls(server, [
      { customerId: low, duration: 1, charge: '5' },
      { customerId: exact, duration: 1, charge: '3' },
      { customerId: high, duration: 1, charge: '1' },
    ]))).toEqual([[exact, 'TRIGGERED', 'BALANCE', '-3']]);
  });

  it("keeps a built-in that one customer of the batch has set, and a call duration rule only the batch's longest call meets", async () => {
    await define({ title: 'Calls of 500 s', area: 'CALL_DURATION', operator: 'GTE', threshold: '500' });
    const [short, long] = await customers(2);
    // The one customer of the batch with built-in thresholds of its own.
    const own = await createCustomer(server, { customerClassId: classId, balance: '1', lowBalanceThreshold: '0.5', callDurationTrigger: 300 });
    const events = await chargeCalls(server, [
      { customerId: short, duration: 10, charge: '0' },
      { customerId: long, duration: 600, charge: '0' },
      { customerId: own, duration: 301, charge: '0.75' },
    ]);
    expect(fired(events).sort()).toEqual(
      [
        [long, 'TRIGGERED', 'CALL_DURATION', '600'],
        [own, 'TRIGGERED', 'CALL_DURATION', '301'],
        [own, 'TRIGGERED', 'BALANCE', '0.25'],
      ].sort(),
    );
  });

  it('fires windowed rules by the busiest customer of the batch, for that customer only', async () => {
    await define({ title: 'Three calls in 5 min', area: 'CALL_COUNT', operator: 'GTE', threshold: '3', samplePeriod: 300, minCalls: 0 });
    await define({ title: 'Spend over 2 in 5 min', area: 'SPEND', operator: 'GT', threshold: '2', samplePeriod: 300 });
    await define({ title: 'A hundred calls in 5 min', area: 'CALL_COUNT', operator: 'GTE', threshold: '100', samplePeriod: 300, minCalls: 0 });
    const [busy, quiet] = await customers(2);
    const events = await chargeCalls(server, [
      ...[1, 2, 3].map(() => ({ customerId: busy, duration: 1, charge: '1' })),
      { customerId: quiet, duration: 1, charge: '0.5' },
    ]);
    expect(fired(events.filter((e) => e.area === 'CALL_COUNT' || e.area === 'SPEND')).sort()).toEqual([
      [busy, 'TRIGGERED', 'CALL_COUNT', '3'],
      [busy, 'TRIGGERED', 'SPEND', '3'],
    ]);
    // The quiet one's third call: its own window reaches the threshold.
    expect(fired((await chargeCalls(server, [1, 2].map(() => ({ customerId: quiet, duration: 1, charge: '0' })))).filter((e) => e.area === 'CALL_COUNT'))).toEqual([
      [quiet, 'TRIGGERED', 'CALL_COUNT', '3'],
    ]);
  });
});
