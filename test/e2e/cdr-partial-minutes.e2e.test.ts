/**
 * A window's partial first minute (call-buckets.ts) is read by cdr_partial_minutes
 * (migrations/1732406401900-cdr-partial-minutes.ts): exact to the second, one row per
 * distinct (customer, cutoff), zeros without calls; it opens only the days its cutoffs
 * fall in, however many days cdrs keeps; and the alert rules' statement, which keeps a
 * generic plan, names no day of cdrs at all (it named every one, and locked them all at
 * every batch). Run on the database itself, with calls stored by SQL.
 */
import { Client } from 'pg';
import { WINDOW_RULES_SQL } from '../../src/modules/alert/alert-engine';
import { cdrDayIndexes } from '../../src/modules/cdr/cdr-partitions';
import { dayOf, ensureDayPartitions, partitionName } from '../../src/platform/db/day-partitions';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface PartialRow {
  customer_id: string;
  cutoff: Date;
  attempts: string;
  answered: string;
  answered_seconds: string;
  spend: string;
}

describe('the partial minute of a window', () => {
  let server: TestServer;
  let client: Client;
  let a: string;
  let b: string;
  let quiet: string;
  /** A whole minute three hours ago: the calls are placed around second 20 of it. */
  let minute: number;

  const at = (seconds: number) => new Date(minute + seconds * 1000);

  async function partial(customers: string[], cutoffs: Date[]): Promise<PartialRow[]> {
    const r = await client.query<PartialRow>(
      `SELECT customer_id, cutoff, attempts::text, answered::text, answered_seconds::text, spend::text
         FROM cdr_partial_minutes($1::uuid[], $2::timestamptz[]) ORDER BY customer_id, cutoff`,
      [customers, cutoffs],
    );
    return r.rows;
  }

  /** The cdrs days (partitions) this session holds a lock on. */
  async function lockedDays(): Promise<string[]> {
    const r = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid = pg_backend_pid() AND c.relkind = 'r' AND c.relname ~ '^cdrs_p[0-9]{8}$' ORDER BY 1`,
    );
    return r.rows.map((row) => row.name);
  }

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = new Client({ connectionString: server.databaseUrl });
    await client.connect();
    [a, b, quiet] = (await client.query<{ id: string }>(`INSERT INTO customers (name) SELECT 'Partial ' || g FROM generate_series(1, 3) g RETURNING id`)).rows.map((r) => r.id);
    minute = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000;
    const calls: [string, string, number, string, number, string][] = [
      [a, 'p-before', 10, 'ANSWERED', 40, '0.10'], // before the cutoff (second 20): not counted
      [a, 'p-after', 30, 'ANSWERED', 100, '0.25'],
      [a, 'p-last', 59.999, 'FAILED', 0, '0.01'],
      [a, 'p-next', 60, 'ANSWERED', 300, '1'], // the next whole minute: the buckets' part, not this one
      [b, 'p-b', 21, 'BUSY', 0, '0.02'],
    ];
    await client.query(
      `INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge)
       SELECT c, cu, '4930', s, d, di, ch FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::int[], $5::text[], $6::numeric[]) AS t(c, cu, s, d, di, ch)`,
      [calls.map((c) => c[1]), calls.map((c) => c[0]), calls.map((c) => at(c[2])), calls.map((c) => c[4]), calls.map((c) => c[3]), calls.map((c) => c[5])],
    );
    // Twenty more past days of cdrs, empty, as a long retention keeps them (created as the partition job creates a day).
    const today = dayOf(Date.now());
    const past = Array.from({ length: 20 }, (_, i) => today - 22 + i);
    await ensureDayPartitions(server.app.services.db, 'cdrs', past, { dayIndexes: cdrDayIndexes });
  });
  afterAll(() => client.end());

  it('counts the calls after the cutoff within its minute, to the millisecond, per customer and cutoff', async () => {
    const rows = await partial([a, b, quiet], [at(20), at(20), at(20)]);
    const byCustomer = new Map(rows.map((r) => [r.customer_id, r]));
    expect(byCustomer.get(a)).toMatchObject({ attempts: '2', answered: '1', answered_seconds: '100', spend: '0.2600000000' });
    expect(byCustomer.get(b)).toMatchObject({ attempts: '1', answered: '0', answered_seconds: '0', spend: '0.0200000000' });
    // No call in the partial minute: a row of zeros, so a window always finds its row.
    expect(byCustomer.get(quiet)).toMatchObject({ attempts: '0', answered: '0', answered_seconds: '0', spend: '0' });
    expect(rows.every((r) => r.cutoff.getTime() === at(20).getTime())).toBe(true);
    // A cutoff at the last call's millisecond leaves it out; one just before takes it in.
    expect((await partial([a], [at(59.999)]))[0].attempts).toBe('0');
    expect((await partial([a], [at(59.998)]))[0].attempts).toBe('1');
  });

  it('answers one row per distinct pair, each cutoff on its own, and nothing for no windows', async () => {
    const rows = await partial([a, a, a], [at(20), at(20), at(5)]);
    expect(rows.map((r) => [r.cutoff.getTime(), r.attempts])).toEqual([
      [at(5).getTime(), '3'],
      [at(20).getTime(), '2'],
    ]);
    expect(await partial([], [])).toEqual([]);
    expect((await client.query(`SELECT * FROM cdr_partial_minutes(NULL, NULL)`)).rows).toEqual([]);
  });

  it('opens only the days its cutoffs fall in, however many days are kept', async () => {
    const days = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'cdrs'::regclass`)).rows[0].n;
    expect(days).toBeGreaterThanOrEqual(29); // the app's 9 (yesterday to a week ahead) and the 20 above
    await client.query('BEGIN');
    try {
      await partial([a], [at(20)]);
      expect(await lockedDays()).toEqual([partitionName('cdrs', dayOf(minute))]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it("leaves every day of cdrs, the call-delta table and the bucket days out of the alert rules' generic plan", async () => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await client.query(`PREPARE window_rules AS ${WINDOW_RULES_SQL.text}`);
      const plan = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE window_rules('{${a}}'::uuid[], '{ASR,ACD,SPEND,CALL_COUNT}'::text[])`);
      const text = JSON.stringify(plan.rows[0]['QUERY PLAN']);
      const relations = text.match(/"Relation Name":"[^"]+"/g) ?? [];
      // The statement reads the rules (a control that the plan was read)...
      expect(relations.some((r) => r.includes('alert_definitions'))).toBe(true);
      // ...the deltas only through their function, so the VACUUM that ends every compaction
      // pass leaves this plan valid (named in the plan, the table's new size invalidated it)...
      expect(text).toContain('"Function Name":"call_bucket_deltas"');
      expect(relations.filter((r) => r.includes('alert_call_bucket_deltas'))).toEqual([]);
      // ...the compacted buckets only through theirs, planned for its values at each call
      // (a bucket day planned while empty was scanned whole on this plan), and so the
      // bounds the compaction keeps of them...
      expect(text).toContain('"Function Name":"call_bucket_sums"');
      expect(relations.filter((r) => r.includes('alert_call_buckets'))).toEqual([]);
      expect(text).toContain('"Function Name":"call_bucket_bounds"');
      expect(relations.filter((r) => r.includes('alert_call_bound'))).toEqual([]);
      // ...and no day of cdrs.
      expect(relations.filter((r) => r.includes('"cdrs'))).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
