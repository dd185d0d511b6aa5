import { CreateAlertDefinitionDocument } from '../generated/graphql';
import { chargeCalls, createCustomer, statementsDuring } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The CDR path in SQL statements: one batch of 3 calls for one customer, two rules
 * firing (a balance rule and a call-duration rule, both with an email recipient). The
 * count is the whole request with authentication warm: auth, BEGIN, insert (with the
 * minute buckets, the customer locks, balances and ledger rows), rules, states, event
 * lock, events, customers, the rules' recipients, outbox, COMMIT, and the customer of the
 * response. It was 18 while the batch wrote its events twice and notifications reacted to
 * each write, and 13 while the ledger and the plan setting were statements of their own;
 * a reaction that reads the same rows twice, or a per-row statement, shows here.
 */
describe('CDR path statement count', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Background jobs off: the counter counts every statement of the process.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });

  it('stores 3 calls, charges them, fires two rules and queues their emails in 11 statements', async () => {
    const customerId = await createCustomer(server, { name: 'Statements Inc', balance: '10' });
    for (const rule of [
      { title: 'low balance', area: 'BALANCE' as const, operator: 'LT' as const, threshold: '5' },
      { title: 'long call', area: 'CALL_DURATION' as const, operator: 'GT' as const, threshold: '100' },
    ]) {
      await server.http().data(CreateAlertDefinitionDocument, { input: { ...rule, customerId, emails: ['noc@example.com'] } });
    }
    const { result: events, statements } = await statementsDuring(server, () =>
      chargeCalls(server, [
        { customerId, duration: 30, charge: '3' },
        { customerId, duration: 200, charge: '3' },
        { customerId, duration: 40, charge: '3' },
      ]),
    );
    expect(events.map((e) => `${e.kind} ${e.area}`).sort()).toEqual(['TRIGGERED BALANCE', 'TRIGGERED CALL_DURATION']);
    const queued = await server.app.services.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM notifications n JOIN alert_events e ON e.id = n.alert_event_id WHERE e.customer_id = $1`,
      [customerId.replace(/^[a-z]+_/, '')],
    );
    expect(Number(queued[0].n)).toBe(2);
    process.stdout.write(`CDR path: ${statements} statements\n`);
    expect(statements).toBeLessThanOrEqual(11);
  });
});
