/**
 * The background jobs run on a pool of their own (Database.jobsPool,
 * DATABASE_JOBS_POOL_SIZE), beside the requests' (DATABASE_POOL_SIZE): with every
 * request connection held, the jobs still run, on their pool's one connection (the
 * sessions are counted while they do); and closing the app closes both pools.
 */
import { Client } from 'pg';
import { CreateCustomerDocument, RecordPaymentDocument } from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

const local = (id: string) => id.slice(4);

describe('the background jobs pool', () => {
  let server: TestServer;
  let own: Client;

  /** The app's sessions on the test database, by application_name. */
  async function sessions(): Promise<Record<string, number>> {
    const rows = await own.query<{ name: string; n: number }>(
      `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'lineguard%' GROUP BY 1`,
    );
    return Object.fromEntries(rows.rows.map((r) => [r.name, r.n]));
  }

  beforeAll(async () => {
    // Requests: two connections, both kept open. Jobs: one, ticking every 40 ms, compaction every 200 ms.
    server = await startTestServer({
      env: { DATABASE_POOL_SIZE: '2', DATABASE_POOL_MIN: '2', DATABASE_JOBS_POOL_SIZE: '1', SCHEDULER_INTERVAL_MS: '40', CALL_BUCKET_COMPACTION_MS: '200' },
    });
    own = new Client({ connectionString: server.databaseUrl });
    await own.connect();
  });
  afterAll(() => own.end());

  it('folds call deltas into their buckets while both request connections wait on a lock', async () => {
    const admin = server.http();
    const { createCustomer } = await admin.data(CreateCustomerDocument, { input: { name: 'Held' } });
    const holder = new Client({ connectionString: server.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [local(createCustomer.id)]);
      // Two payments on the held row: each holds one of the two request connections while it waits.
      const payments = [admin.request(RecordPaymentDocument, { customerId: createCustomer.id, amount: '1' }), admin.request(RecordPaymentDocument, { customerId: createCustomer.id, amount: '2' })];
      await eventually(
        async () =>
          (await own.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'lineguard' AND wait_event_type = 'Lock'`)).rows[0].n === 2,
        10_000,
        'both request connections waiting on the row',
      );
      // A delta appended now is folded by the compaction job, on the jobs' own connection.
      await own.query(`INSERT INTO alert_call_bucket_deltas VALUES ($1, date_bin('1 minute', now(), timestamptz 'epoch'), 3, 2, 90, 0.75)`, [local(createCustomer.id)]);
      await eventually(
        async () => (await own.query(`SELECT count(*)::int AS n FROM alert_call_buckets WHERE customer_id = $1 AND attempts = 3`, [local(createCustomer.id)])).rows[0].n === 1,
        5_000,
        'the delta folded into its bucket',
      );
      expect((await own.query(`SELECT count(*)::int AS n FROM alert_call_bucket_deltas WHERE customer_id = $1`, [local(createCustomer.id)])).rows[0].n).toBe(0);
      expect(await sessions()).toEqual({ lineguard: 2, 'lineguard-jobs': 1 });
      await holder.query('COMMIT');
      const answers = await Promise.all(payments);
      expect(answers.map((a) => a.errors)).toEqual([undefined, undefined]);
      const [{ balance }] = (await own.query(`SELECT balance::text AS balance FROM customers WHERE id = $1`, [local(createCustomer.id)])).rows;
      expect(balance).toMatch(/^3(\.0+)?$/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('closes both pools when the app closes', async () => {
    await server.app.close();
    await eventually(async () => Object.keys(await sessions()).length === 0, 5_000, 'no session of the app left');
  });
});
