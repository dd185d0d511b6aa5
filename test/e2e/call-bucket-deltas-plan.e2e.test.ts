/**
 * call_bucket_deltas (migrations/1732406402100-call-bucket-deltas-generic-plan.ts) and
 * call_bucket_delta_sums (1732406402200) on their generic plans, the plans PL/pgSQL
 * keeps from a session's sixth call on: they hash the customers asked for instead of
 * searching their array for every delta row (that search took a second per CDR batch
 * of 4,400 customers), and return the deltas of those customers since `since`, as
 * stored or summed per customer. The plans are read with auto_explain (nested
 * statements, at NOTICE level, so they come back to this session).
 */
import type { Client } from 'pg';
import { planReportingClient } from '../helpers/plan-notices';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface DeltaRow {
  customer_id: string;
  minute: Date;
  attempts: string;
  answered: string;
  answered_seconds: string;
  spend: string;
}

const CUSTOMERS = 2_000;

describe('call_bucket_deltas and call_bucket_delta_sums on their generic plans', () => {
  let server: TestServer;
  let client: Client;
  let ids: string[];
  const notices: string[] = [];
  const since = () => new Date(Date.now() - 3_600_000);

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = await planReportingClient(server.databaseUrl, notices);
    ids = (await client.query<{ id: string }>(`SELECT gen_random_uuid()::text AS id FROM generate_series(1, $1::int) ORDER BY 1`, [CUSTOMERS])).rows.map((r) => r.id);
    // Two minutes a customer, the first one appended twice (two batches in one minute), and
    // one minute two hours ago, before every `since` the test asks for.
    await client.query(
      `INSERT INTO alert_call_bucket_deltas (customer_id, minute, attempts, answered, answered_seconds, spend)
       SELECT c::uuid, date_trunc('minute', now()) - make_interval(mins => m), 2, 1, 30, 0.0125
         FROM unnest($1::text[]) AS c, unnest(ARRAY[1, 1, 2, 120]) AS m`,
      [ids],
    );
  });
  afterAll(() => client.end());

  async function deltas(customers: string[] | null, from: Date | null): Promise<DeltaRow[]> {
    notices.length = 0;
    const r = await client.query<DeltaRow>(
      `SELECT customer_id, minute, attempts::text, answered::text, answered_seconds::text, spend::text
         FROM call_bucket_deltas($1::uuid[], $2::timestamptz) ORDER BY customer_id, minute`,
      [customers, from],
    );
    return r.rows;
  }

  async function sums(customers: string[] | null, from: Date | null): Promise<[string, string, string][]> {
    notices.length = 0;
    const r = await client.query<{ customer_id: string; attempts: string; spend: string }>(
      `SELECT customer_id, attempts::text, spend::text FROM call_bucket_delta_sums($1::uuid[], $2::timestamptz) ORDER BY customer_id`,
      [customers, from],
    );
    return r.rows.map((x) => [x.customer_id, x.attempts, x.spend]);
  }

  /** The plan auto_explain reported for the function's own query (the last call's). */
  function innerPlan(): string {
    const plan = notices.find((n) => n.includes('FROM alert_call_bucket_deltas d'));
    if (!plan) throw new Error(`no plan of the function's query among ${notices.length} notices`);
    return plan;
  }

  it('hashes the customers asked for on the generic plan, never searching their array per row', async () => {
    const asked = ids.slice(0, 1_500);
    const rows = await deltas(asked, since());
    const plan = innerPlan();
    // A generic plan: the customers are a parameter, not the values of this call.
    expect(plan).not.toContain(asked[0]);
    expect(plan).toMatch(/Hash (Semi )?Join/);
    expect(plan).not.toMatch(/customer_id = ANY/);
    expect(rows).toHaveLength(asked.length * 3);
  });

  it('returns the deltas since `since` of the customers asked for only, as stored', async () => {
    const asked = [ids[3], ids[7]];
    const rows = await deltas(asked, since());
    // ids are sorted; each customer's minute two minutes ago, then last minute's two rows (two batches).
    expect(rows.map((r) => [r.customer_id, r.attempts, r.answered, r.answered_seconds, r.spend])).toEqual(
      asked.flatMap((id) => [1, 2, 3].map(() => [id, '2', '1', '30', '0.0125000000'])),
    );
    expect(rows.map((r) => r.minute.getTime() - rows[0].minute.getTime())).toEqual([0, 60_000, 60_000, 0, 60_000, 60_000]);
  });

  it('reads every customer for NULL customers and nothing for a NULL since', async () => {
    expect(await deltas(null, since())).toHaveLength(ids.length * 3);
    expect(await deltas(null, new Date(Date.now() - 3 * 3_600_000))).toHaveLength(ids.length * 4);
    expect(await deltas(ids, null)).toEqual([]);
  });

  it('sums the deltas per customer asked for, hashing the customers on the generic plan', async () => {
    const asked = ids.slice(0, 1_500);
    expect(await sums(asked, since())).toHaveLength(asked.length);
    const plan = innerPlan();
    expect(plan).not.toContain(asked[0]);
    expect(plan).toMatch(/Hash (Semi )?Join/);
    expect(plan).not.toMatch(/customer_id = ANY/);
    // Three deltas since the hour (the one two hours ago left out), and all four before.
    expect(await sums([ids[7], ids[3]], since())).toEqual([ids[3], ids[7]].map((id) => [id, '6', '0.0375000000']));
    expect(await sums([ids[3]], new Date(Date.now() - 3 * 3_600_000))).toEqual([[ids[3], '8', '0.0500000000']]);
  });

  it('sums nothing without customers or without a since', async () => {
    expect(await sums(null, since())).toEqual([]);
    expect(await sums(ids, null)).toEqual([]);
  });
});
