/**
 * The CDR insert sets plan_cache_mode = force_generic_plan for the rest of its
 * transaction (cdr-insert.ts, plan_mode) when the batch names up to GENERIC_PLAN_MAX_KEYS
 * customers, whose later statements are named; never for more (their statements are
 * unnamed and a generic plan would search key arrays of thousands element by element),
 * and the setting ends with the transaction. Run on the statement itself, in a
 * transaction of the test's own, with the parameters the app builds.
 */
import { Client } from 'pg';
import { GENERIC_PLAN_MAX_KEYS } from '../../src/platform/db/prepared-sql';
import { CDR_INSERT_SQL, encodeBatch, readOutcome } from '../../src/modules/cdr/cdr-insert';
import { validateCdrs } from '../../src/modules/cdr/cdr-validation';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('CDR insert and the generic-plan mode', () => {
  let server: TestServer;
  let client: Client;
  let ids: string[];

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = new Client({ connectionString: server.databaseUrl });
    await client.connect();
    const rows = await client.query<{ id: string }>(
      `INSERT INTO customers (name) SELECT 'Plan ' || g FROM generate_series(1, $1::int) g RETURNING id`,
      [GENERIC_PLAN_MAX_KEYS + 1],
    );
    ids = rows.rows.map((r) => r.id).sort();
  });
  afterAll(() => client.end());

  /** Inserts one call per customer in a transaction; the plan mode seen after the insert and after COMMIT. */
  async function planModeFor(customers: string[], tag: string): Promise<{ during: string; after: string; locked: number; charged: number }> {
    const inputs = customers.map((id, i) => ({
      callId: `plan-${tag}-${i}`,
      customerId: `cus_${id}`,
      callee: '4930123',
      startedAt: new Date(Date.now() - 60_000),
      duration: 30,
      disposition: 'ANSWERED',
      charge: '0.01',
    }));
    const { valid } = validateCdrs(inputs as never, Date.now());
    valid.sort((a, b) => (a.callId < b.callId ? -1 : 1));
    const batch = encodeBatch(valid, valid.map((r) => ({ customerId: r.ref.value, trunkId: null })));
    await client.query('BEGIN');
    try {
      const outcome = readOutcome((await client.query(CDR_INSERT_SQL, batch.params)).rows);
      const during = (await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0].plan_cache_mode;
      await client.query('COMMIT');
      const after = (await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0].plan_cache_mode;
      return { during, after, locked: outcome.locked.length, charged: outcome.charges.length };
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }

  it('is generic for the rest of a batch of up to GENERIC_PLAN_MAX_KEYS customers, locked and charged, and ends with it', async () => {
    expect(await planModeFor(ids.slice(0, 3), 'small')).toEqual({ during: 'force_generic_plan', after: 'auto', locked: 3, charged: 3 });
    expect(await planModeFor(ids.slice(0, GENERIC_PLAN_MAX_KEYS), 'edge')).toEqual({
      during: 'force_generic_plan',
      after: 'auto',
      locked: GENERIC_PLAN_MAX_KEYS,
      charged: GENERIC_PLAN_MAX_KEYS,
    });
  });

  it('is left as it was for a batch of more customers', async () => {
    expect(await planModeFor(ids, 'big')).toEqual({ during: 'auto', after: 'auto', locked: ids.length, charged: ids.length });
  });
});
