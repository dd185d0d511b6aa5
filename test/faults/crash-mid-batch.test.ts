/**
 * The server process killed (SIGKILL) while a CDR batch's transaction is open: nothing
 * of the batch may survive, and once a new process runs and the switch resubmits the
 * batch, the customer is charged exactly once. The test holds the customer's row lock,
 * so the batch stops inside its transaction (after storing its CDRs, before the balance
 * update) and is seen there in pg_stat_activity: deterministic, no timing guesses.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AlertsCreateCustomerDocument, AlertsSubmitCdrsDocument, type CdrInput } from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { createTestDatabase } from '../helpers/test-env';
import { startServerProcess, type ServerProcess } from '../security/helpers/server-process';

describe('faults: server killed mid-transaction', () => {
  let db: { url: string; drop(): Promise<void> };
  let pg: Client;
  /** The lock holder's session: pg_stat_activity is a snapshot per transaction, so it is read elsewhere. */
  let locker: Client;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    locker = new Client({ connectionString: db.url });
    await Promise.all([pg.connect(), locker.connect()]);
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await pg?.end();
    await locker?.end();
    await db?.drop();
  });

  const start = async () => {
    const s = await startServerProcess({ databaseUrl: db.url, env: { SCHEDULER_INTERVAL_MS: '0' } });
    servers.push(s);
    return s;
  };
  /** Open transactions of the server on this database, and what they wait for. */
  const serverSessions = async () =>
    (
      await pg.query<{ state: string; wait_event_type: string | null; xact_start: Date | null }>(
        `SELECT state, wait_event_type, xact_start FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'lineguard'`,
      )
    ).rows;
  const money = async (customerLocalId: string) =>
    (
      await pg.query<{ balance: string; cdrs: number; ledger_sum: string; ledger_rows: number }>(
        `SELECT c.balance::text,
                (SELECT count(*)::int FROM cdrs WHERE customer_id = c.id) AS cdrs,
                (SELECT coalesce(sum(delta), 0)::text FROM balance_ledger WHERE customer_id = c.id) AS ledger_sum,
                (SELECT count(*)::int FROM balance_ledger WHERE customer_id = c.id) AS ledger_rows
           FROM customers c WHERE c.id = $1`,
        [customerLocalId],
      )
    ).rows[0];

  it('SIGKILL while the batch transaction is open: nothing of it commits; resubmitted after a restart, it is charged once', async () => {
    const first = await start();
    const customerId = (await first.http().data(AlertsCreateCustomerDocument, { input: { name: 'Crash Co', balance: '100' } })).createCustomer.id;
    const local = customerId.replace(/^cus_/, '');
    const now = Date.now();
    const batch: CdrInput[] = Array.from({ length: 50 }, (_, i) => ({
      callId: randomUUID(),
      customerId,
      callee: '15550100',
      startedAt: new Date(now - 60_000 + i).toISOString(),
      duration: 60,
      disposition: 'ANSWERED',
      charge: '0.37',
    }));

    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM customers WHERE id = $1 FOR UPDATE', [local]);
    const submitting = first.http().request(AlertsSubmitCdrsDocument, { cdrs: batch }).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await eventually(async () => (await serverSessions()).some((s) => s.xact_start && s.wait_event_type === 'Lock'), 10_000, 'batch waiting inside its transaction');
    // Its CDRs are written but uncommitted.
    expect((await money(local)).cdrs).toBe(0);

    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // The client never got an answer: its connection died with the process.
    expect(await submitting).toBe('fetch failed');
    await locker.query('ROLLBACK');
    // The orphaned session gets the lock, finds its client gone and rolls back.
    await eventually(async () => (await serverSessions()).length === 0, 15_000, 'orphaned session gone');
    // The opening balance's ledger row, and nothing of the batch.
    expect(await money(local)).toEqual({ balance: '100.0000000000', cdrs: 0, ledger_sum: '100.0000000000', ledger_rows: 1 });

    const second = await start();
    const resubmitted = await second.http().data(AlertsSubmitCdrsDocument, { cdrs: batch });
    expect(resubmitted.submitCdrs).toMatchObject({ accepted: 50, rejected: [] });
    // A switch unsure whether the resubmission landed sends it once more: duplicates, no charge.
    const again = await second.http().request(AlertsSubmitCdrsDocument, { cdrs: batch });
    expect(again.errors).toBeUndefined();
    expect(again.data?.submitCdrs.accepted).toBe(0);
    // 50 x 0.37 charged once, and the ledger agrees with the balance.
    expect(await money(local)).toEqual({ balance: '81.5000000000', cdrs: 50, ledger_sum: '81.5000000000', ledger_rows: 2 });
  });
});
