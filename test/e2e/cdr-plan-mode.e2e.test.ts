/**
 * The CDR insert sets plan_cache_mode = force_generic_plan for the rest of its
 * transaction (cdr-insert.ts, plan_mode) whatever the number of customers, so the batch's
 * later statements bind generic plans from a connection's first batch (planning the rule
 * statement for thousands of customers took longer than running it), and the setting ends
 * with the transaction. Parallel query is off for the rest of every batch's transaction
 * (no Gather in a batch's plans: its workers start at every execution). Run on the
 * statement itself, in a transaction of the test's own, with the parameters the app builds.
 */
import { Client } from 'pg';
import { GENERIC_PLAN_MAX_KEYS } from '../../src/platform/db/prepared-sql';
import { CDR_BATCH_RULES_SQL, cdrBatchRulesParams } from '../../src/modules/alert/alert-engine';
import { CDR_INSERT, CDR_INSERT_SQL, encodeBatch, readOutcome } from '../../src/modules/cdr/cdr-insert';
import { validateCdrs } from '../../src/modules/cdr/cdr-validation';
import { executeArgs } from '../helpers/execute-args';
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

  /** One call per customer (or `records` calls, the customers in turn), as the app encodes a batch: the insert's parameters. */
  function batchFor(customers: string[], tag: string, charge = '0.01', records = customers.length): (string | Buffer)[] {
    const inputs = Array.from({ length: records }, (_, i) => ({
      callId: `plan-${tag}-${i}`,
      customerId: `cus_${customers[i % customers.length]}`,
      callee: '4930123',
      startedAt: new Date(Date.now() - 60_000),
      duration: 30,
      disposition: 'ANSWERED',
      charge,
    }));
    const { valid } = validateCdrs(inputs as never, Date.now());
    valid.sort((a, b) => (a.callId < b.callId ? -1 : 1));
    return encodeBatch(valid, valid.map((r) => ({ customerId: r.ref.value, trunkId: null }))).params;
  }

  /** The plan cache mode and the workers a Gather may start, as this session sees them. */
  async function settings(): Promise<{ mode: string; workers: string }> {
    const r = await client.query<{ mode: string; workers: string }>(
      `SELECT current_setting('plan_cache_mode') AS mode, current_setting('max_parallel_workers_per_gather') AS workers`,
    );
    return r.rows[0];
  }

  /** Inserts one call per customer in a transaction; the settings seen after the insert and after COMMIT. */
  async function planModeFor(
    customers: string[],
    tag: string,
  ): Promise<{ during: string; after: string; workersDuring: string; workersAfter: string; locked: number; charged: number }> {
    const params = batchFor(customers, tag);
    await client.query('BEGIN');
    try {
      const outcome = readOutcome((await client.query(CDR_INSERT_SQL, params)).rows);
      const during = await settings();
      await client.query('COMMIT');
      const after = await settings();
      return {
        during: during.mode,
        after: after.mode,
        workersDuring: during.workers,
        workersAfter: after.workers,
        locked: outcome.locked.length,
        charged: outcome.charges.length,
      };
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }

  it('is generic and serial for the rest of a small batch, locked and charged, and ends with it', async () => {
    const { workers } = await settings();
    expect(workers).not.toBe('0'); // the server's own setting, which the batch overrides and COMMIT restores
    expect(await planModeFor(ids.slice(0, 3), 'small')).toEqual({ during: 'force_generic_plan', after: 'auto', workersDuring: '0', workersAfter: workers, locked: 3, charged: 3 });
    expect(await planModeFor(ids.slice(0, GENERIC_PLAN_MAX_KEYS), 'edge')).toEqual({
      during: 'force_generic_plan',
      after: 'auto',
      workersDuring: '0',
      workersAfter: workers,
      locked: GENERIC_PLAN_MAX_KEYS,
      charged: GENERIC_PLAN_MAX_KEYS,
    });
  });

  it('locks the customers of free calls too (no ledger row), until the transaction ends', async () => {
    const other = new Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await client.query('BEGIN');
      const outcome = readOutcome((await client.query(CDR_INSERT_SQL, batchFor(ids.slice(0, 2), 'free', '0'))).rows);
      expect({ stored: outcome.stored, locked: [...outcome.locked].sort(), charged: outcome.charges.length }).toEqual({ stored: 2, locked: ids.slice(0, 2), charged: 0 });
      // Held by the insert's transaction: another one cannot take the rows the ledger would.
      await expect(other.query(`SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [ids[0]])).rejects.toMatchObject({ code: '55P03' });
      await client.query('COMMIT');
      expect((await other.query(`SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE NOWAIT`, [ids[0]])).rows).toHaveLength(1);
    } finally {
      // Leaves no transaction open for the next test when an expectation fails midway (a no-op after COMMIT).
      await client.query('ROLLBACK');
      await other.end();
    }
  });

  it('is generic and serial for a batch of more customers too, whose rule statement binds its generic plan at a connection\'s first batch', async () => {
    const { workers } = await settings();
    expect(await planModeFor(ids, 'big')).toEqual({ during: 'force_generic_plan', after: 'auto', workersDuring: '0', workersAfter: workers, locked: ids.length, charged: ids.length });
    // A fresh connection, as a pool opens one: the insert, then the rule statement as AlertEngine sends it.
    const fresh = new Client({ connectionString: server.databaseUrl });
    await fresh.connect();
    try {
      await fresh.query('BEGIN');
      readOutcome((await fresh.query({ name: CDR_INSERT.name, text: CDR_INSERT.text, values: batchFor(ids, 'fresh') })).rows);
      const durations = ids.map(() => 30);
      await fresh.query({ name: CDR_BATCH_RULES_SQL.name, text: CDR_BATCH_RULES_SQL.text, values: cdrBatchRulesParams(ids, new Set(ids), durations, durations) });
      await fresh.query('COMMIT');
      const plans = (
        await fresh.query<{ generic: number; custom: number }>(
          `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1`,
          [CDR_BATCH_RULES_SQL.name],
        )
      ).rows;
      expect(ids.length).toBeGreaterThan(GENERIC_PLAN_MAX_KEYS);
      expect(plans).toEqual([{ generic: 1, custom: 0 }]);
    } finally {
      await fresh.query('ROLLBACK');
      await fresh.end();
    }
  });

  it('runs as a named statement that settles on its generic plan, which stores and charges a batch of 10,000 records', async () => {
    const own = new Client({ connectionString: server.databaseUrl });
    await own.connect();
    try {
      const run = async (params: (string | Buffer)[]) => {
        await own.query('BEGIN');
        try {
          const outcome = readOutcome((await own.query({ name: CDR_INSERT.name, text: CDR_INSERT.text, values: params })).rows);
          await own.query('COMMIT');
          return outcome;
        } catch (err) {
          await own.query('ROLLBACK');
          throw err;
        }
      };
      // A carrier's customers table, analyzed: the generic plan reaches them by index.
      await own.query(`INSERT INTO customers (name) SELECT 'Many ' || g FROM generate_series(1, 20000) g`);
      await own.query('ANALYZE customers');
      // plan_cache_mode auto: five plans for the real sizes, then the generic one if it costs no more.
      for (let i = 0; i < 6; i++) await run(batchFor(ids.slice(0, 3 + i * 100), `warm${i}`));
      const [before] = (await own.query(`SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE name = $1`, [CDR_INSERT.name])).rows;
      expect(before.generic).toBeGreaterThanOrEqual(1);
      // The generic plan, estimating a few rows per array and CTE, joins no two of them by a
      // nested loop: 10,000 records over all the customers compare nothing pair by pair.
      const tenK = batchFor(ids, 'tenk', '0.01', 10_000);
      const [{ types }] = (await own.query<{ types: string[] }>(`SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1`, [CDR_INSERT.name])).rows;
      const literals = await executeArgs(own, types, tenK);
      await own.query('BEGIN');
      const plan = (await own.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE "${CDR_INSERT.name}"(${literals})`)).rows.map((r) => r['QUERY PLAN'] as string);
      await own.query('ROLLBACK');
      expect(plan.join('\n')).toContain('Tuples Inserted: 10000');
      expect(plan.filter((line) => line.includes('Rows Removed by Join Filter'))).toEqual([]);
      // No scan compares its rows with the batch's customers one by one (a filter on = ANY of them).
      expect(plan.filter((line) => /Filter: .*= ANY \(\$10\)/.test(line))).toEqual([]);
      const balances = async () => (await own.query(`SELECT sum(balance)::text AS total FROM customers`)).rows[0].total as string;
      const start = await balances();
      const outcome = await run(tenK);
      expect(outcome.stored).toBe(10_000);
      expect(outcome.charges).toHaveLength(ids.length);
      // 10,000 calls of 0.01 each: 100 off the customers' balances, to the cent.
      expect((await own.query(`SELECT ($1::numeric - $2::numeric)::text AS spent`, [start, await balances()])).rows[0].spent).toMatch(/^100(\.0+)?$/);
      const [after] = (await own.query(`SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE name = $1`, [CDR_INSERT.name])).rows;
      expect(after.generic).toBe(before.generic + 2);
    } finally {
      await own.end();
    }
  });
});
