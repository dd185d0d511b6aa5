/**
 * call_bucket_sums (migrations/1732406402300-call-bucket-sums.ts): the compacted buckets
 * of (customer, first minute) pairs, summed, planned for the values of each call even in
 * a session that binds generic plans (a CDR batch's transaction does). The case it is
 * for: a statement whose generic plan was made while the day's bucket partition was
 * empty, then the partition filled by compaction and never analyzed (no autovacuum). The
 * plans are read with auto_explain (nested statements, at NOTICE level).
 */
import type { Client } from 'pg';
import { planReportingClient } from '../helpers/plan-notices';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CUSTOMERS = 2_000;

describe('call_bucket_sums', () => {
  let server: TestServer;
  let client: Client;
  let ids: string[];
  const notices: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = await planReportingClient(server.databaseUrl, notices);
    ids = (await client.query<{ id: string }>(`SELECT gen_random_uuid()::text AS id FROM generate_series(1, $1::int) ORDER BY 1`, [CUSTOMERS])).rows.map((r) => r.id);
  });
  afterAll(() => client.end());

  /** Through a named statement, as the rule statements call it: its own plan is made once and kept. */
  async function sums(customers: string[] | null, sinces: (Date | null)[] | null): Promise<[string, number, string, string][]> {
    notices.length = 0;
    const r = await client.query<{ customer_id: string; since: Date; attempts: string; spend: string }>({
      name: 'bucket-sums',
      text: `SELECT customer_id, since, attempts::text, spend::text FROM call_bucket_sums($1::uuid[], $2::timestamptz[]) ORDER BY customer_id, since`,
      values: [customers, sinces],
    });
    return r.rows.map((x) => [x.customer_id, x.since.getTime(), x.attempts, x.spend]);
  }

  function innerPlan(): string {
    const plan = notices.find((n) => n.includes('alert_call_buckets b'));
    if (!plan) throw new Error(`no plan of the function's query among ${notices.length} notices`);
    return plan;
  }

  // Minutes before one fixed minute, read once: a minute's turn between a call and its
  // expectation moved "an hour ago" under the test (it failed so in CI).
  const base = Math.floor(Date.now() / 60_000) * 60_000;
  const minute = (ago: number) => new Date(base - ago * 60_000);

  it('sums each pair from its first minute on, a pair asked twice once, and nothing without pairs', async () => {
    // Empty, as a day's partition is when its first generic plans are made.
    expect(await sums(ids.slice(0, 600), ids.slice(0, 600).map(() => minute(60)))).toEqual([]);
    await client.query(
      `INSERT INTO alert_call_buckets (customer_id, minute, attempts, answered, answered_seconds, spend)
       SELECT c::uuid, $2::timestamptz - make_interval(mins => m), 2, 1, 30, 0.0125
         FROM unnest($1::text[]) AS c, unnest(ARRAY[1, 2, 3]) AS m`,
      [ids, minute(0)],
    );
    const [a, b] = [ids[5], ids[9]];
    expect(await sums([b, a, a, a], [minute(2), minute(2), minute(60), minute(2)])).toEqual([
      [a, minute(60).getTime(), '6', '0.0375000000'],
      [a, minute(2).getTime(), '4', '0.0250000000'],
      [b, minute(2).getTime(), '4', '0.0250000000'],
    ].sort((x, y) => (x[0] === y[0] ? Number(x[1]) - Number(y[1]) : String(x[0]).localeCompare(String(y[0])))));
    expect(await sums([a], [minute(0)])).toEqual([]);
    expect(await sums(null, [minute(2)])).toEqual([]);
    expect(await sums([a], null)).toEqual([]);
    expect(await sums([], [])).toEqual([]);
    expect(await sums([a], [null])).toEqual([]);
  });

  it('is planned for the values of the call, after its partition filled unanalyzed: no scan of the partition per customer, the other days pruned', async () => {
    const asked = ids.slice(0, 1_500);
    const rows = await sums(asked, asked.map(() => minute(60)));
    expect(rows).toHaveLength(asked.length);
    expect(rows.every((r) => r[2] === '6')).toBe(true);
    const plan = innerPlan();
    // Planned for these values: the earliest minute is a constant of the plan, and the pairs are counted (1,500), not assumed.
    const earliest = (await client.query<{ t: string }>(`SELECT $1::timestamptz::text AS t`, [minute(60)])).rows[0].t;
    expect(plan).toContain(`'${earliest}'::timestamp with time zone`);
    expect(plan).toMatch(/Function Scan on u .*rows=1500 /);
    // The rows reached by hash or by the primary key, never a scan of the day per customer.
    expect(plan).toMatch(/Hash Join|Index (Only )?Scan using alert_call_buckets_p\d{8}_pkey/);
    expect(plan).not.toMatch(/Nested Loop[\s\S]*Seq Scan on alert_call_buckets_p/);
    // The days before the earliest minute's are pruned when the plan is made.
    const day = earliest.slice(0, 10).replace(/-/g, '');
    const days = [...new Set(plan.match(/alert_call_buckets_p\d{8}/g))].map((p) => p.slice(-8));
    expect(days).toContain(day);
    const stored = (await client.query<{ n: string }>(`SELECT relname AS n FROM pg_class WHERE relname ~ '^alert_call_buckets_p[0-9]{8}$'`)).rows.map((r) => r.n.slice(-8));
    expect(stored.some((d) => d < day)).toBe(true);
    expect(days.every((d) => d >= day)).toBe(true);
  });

  it("reaches a few customers' windows by the primary key, not by hashing the whole day (random_page_cost 1.1 on the function)", async () => {
    const asked = ids.slice(0, 40);
    const rows = await sums(asked, asked.map(() => minute(60)));
    expect(rows).toHaveLength(asked.length);
    expect(rows.every((r) => r[2] === '6')).toBe(true);
    const plan = innerPlan();
    expect(plan).toMatch(/Index (Only )?Scan using alert_call_buckets_p\d{8}_pkey/);
    expect(plan).not.toMatch(/Hash Join/);
  });
});
