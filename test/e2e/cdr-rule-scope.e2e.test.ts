import { CreateAlertDefinitionDocument, CreateCustomerClassDocument, UpdateCustomerDocument, type AlertDefinitionInput } from '../generated/graphql';
import { chargeCalls, createCustomer, statementsDuring } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * A CDR batch evaluates alert rules only for the customers a rule may apply to
 * (cdr-insert.ts, MAY_HAVE_RULES): a batch whose customers have none runs no rule
 * statement, and every way a rule can reach a customer (its own built-in trigger, a rule
 * naming it, its class or its account type, a global rule) still fires from a batch.
 * The tests run in this order: the global rules come last, as they reach every customer.
 */
describe('CDR batch rules, by the customers they may apply to', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Background jobs off: the counter counts every statement of the process.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });

  async function statementsOf(customerId: string): Promise<number> {
    const { result: events, statements } = await statementsDuring(server, () =>
      chargeCalls(server, [
        { customerId, duration: 30, charge: '1' },
        { customerId, duration: 9000, charge: '1' },
      ]),
    );
    expect(events).toEqual([]);
    return statements;
  }

  const define = (input: Partial<AlertDefinitionInput> & Pick<AlertDefinitionInput, 'title'>) =>
    server.http().data(CreateAlertDefinitionDocument, { input: { area: 'BALANCE', operator: 'LT', threshold: '0', ...input } });

  it('runs no rule statement for a customer no rule applies to, and one when its own trigger is set', async () => {
    const quiet = await createCustomer(server, { name: 'No Rules Ltd', balance: '100' });
    const watched = await createCustomer(server, { name: 'Watched Ltd', balance: '100', lowBalanceThreshold: '1' });
    const withoutRules = await statementsOf(quiet);
    const withRules = await statementsOf(watched);
    process.stdout.write(`CDR batch: ${withoutRules} statements without rules, ${withRules} with\n`);
    expect(withRules - withoutRules).toBe(1);
    // Its setting turned on later counts at the next batch: the insert reads it as it locks the customer.
    await server.http().data(UpdateCustomerDocument, { id: quiet, input: { lowBalanceThreshold: '1' } });
    expect(await statementsOf(quiet)).toBe(withRules);
  });

  it("fires each built-in trigger from the customer's own setting", async () => {
    const low = await createCustomer(server, { name: 'Low Co', balance: '1', lowBalanceThreshold: '0.5' });
    const prepaid = await createCustomer(server, { name: 'Prepaid Co', balance: '10', prepaidBalanceTrigger: '1' });
    const long = await createCustomer(server, { name: 'Long Co', balance: '10', callDurationTrigger: 600 });
    const events = await chargeCalls(server, [
      { customerId: low, duration: 1, charge: '0.75' },
      { customerId: prepaid, duration: 1, charge: '1' },
      { customerId: long, duration: 601, charge: '0' },
    ]);
    expect(events.map((e) => `${e.customer.id} ${e.kind} ${e.area}`).sort()).toEqual(
      [`${low} TRIGGERED BALANCE`, `${prepaid} TRIGGERED ACCRUED_CHARGES`, `${long} TRIGGERED CALL_DURATION`].sort(),
    );
  });

  it('fires a rule that names the customer, and one of its class', async () => {
    const { createCustomerClass: cls } = await server.http().data(CreateCustomerClassDocument, { input: { name: 'Rule scope class' } });
    const named = await createCustomer(server, { name: 'Named Co', balance: '1' });
    const classed = await createCustomer(server, { name: 'Classed Co', balance: '1', customerClassId: cls.id });
    const bystander = await createCustomer(server, { name: 'Bystander Co', balance: '1' });
    await define({ title: 'Named below zero', customerId: named });
    await define({ title: 'Class out of credit', customerClassId: cls.id, area: 'AVAILABLE_CREDIT' });
    const events = await chargeCalls(server, [named, classed, bystander].map((customerId) => ({ customerId, duration: 1, charge: '2' })));
    expect(events.map((e) => `${e.customer.id} ${e.kind} ${e.area}`).sort()).toEqual([`${named} TRIGGERED BALANCE`, `${classed} TRIGGERED AVAILABLE_CREDIT`].sort());
  });

  it('fires a global rule of an account type, then a global rule for every customer', async () => {
    const carrier = await createCustomer(server, { name: 'Carrier Co', type: 'CARRIER', balance: '1' });
    const customer = await createCustomer(server, { name: 'Customer Co', balance: '1' });
    await define({ title: 'Carriers below zero', accountType: 'CARRIER' });
    let events = await chargeCalls(server, [carrier, customer].map((customerId) => ({ customerId, duration: 1, charge: '2' })));
    expect(events.map((e) => `${e.customer.id} ${e.kind} ${e.area}`)).toEqual([`${carrier} TRIGGERED BALANCE`]);
    await define({ title: 'Anyone over ten accrued', area: 'ACCRUED_CHARGES', operator: 'GT', threshold: '10' });
    events = await chargeCalls(server, [carrier, customer].map((customerId) => ({ customerId, duration: 1, charge: '10' })));
    expect(events.map((e) => `${e.customer.id} ${e.kind} ${e.area}`).sort()).toEqual(
      [`${carrier} TRIGGERED ACCRUED_CHARGES`, `${customer} TRIGGERED ACCRUED_CHARGES`].sort(),
    );
  });
});
