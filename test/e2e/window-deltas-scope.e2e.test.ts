/**
 * The windowed rules' statement (alert-engine.ts windowSql) reads the per-minute deltas
 * not compacted yet only for the customers with a window left after the bounds, not for
 * every customer it was asked about: a batch of thousands of customers, one of them busy
 * enough to have a window evaluated, had every customer's deltas copied and grouped per
 * window period. The statement runs on the database itself, with deltas stored by SQL;
 * the function's own query is read with auto_explain (nested statements, with actual rows).
 */
import type { Client } from 'pg';
import { WINDOW_RULES_SQL } from '../../src/modules/alert/alert-engine';
import { WINDOWED_AREAS } from '../../src/modules/alert/alert.enums';
import { CreateAlertDefinitionDocument } from '../generated/graphql';
import { planReportingClient } from '../helpers/plan-notices';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe("the windows' deltas", () => {
  let server: TestServer;
  let client: Client;
  const notices: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = await planReportingClient(server.databaseUrl, notices);
    await client.query(`SET auto_explain.log_analyze = on`);
  });
  afterAll(() => client.end());

  it("are read for the customers with a window only, and give that window all of that customer's calls", async () => {
    const ids = (await client.query<{ id: string }>(`INSERT INTO customers (name) SELECT 'Window Co ' || g FROM generate_series(1, 200) g RETURNING id::text`)).rows.map((r) => r.id).sort();
    const busy = ids[17];
    // Every customer: 4 attempts and 2 answered in each of the last two whole minutes, not compacted yet.
    await client.query(
      `INSERT INTO alert_call_bucket_deltas (customer_id, minute, attempts, answered, answered_seconds, spend)
       SELECT c::uuid, date_trunc('minute', now()) - make_interval(mins => m), 4, 2, 60, 0.5
         FROM unnest($1::text[]) AS c, unnest(ARRAY[1, 2]) AS m`,
      [ids],
    );
    // One windowed rule, on the busy customer: ASR at most 60% over ten minutes (it holds: 50%).
    await server.http().data(CreateAlertDefinitionDocument, {
      input: { title: 'ASR of the busy one', customerId: `cus_${busy}`, area: 'ASR', operator: 'LTE', threshold: '60', samplePeriod: 600, minCalls: 0 },
    });

    notices.length = 0;
    const rows = (
      await client.query<{ customer_id: string; area: string; value: string }>({ text: WINDOW_RULES_SQL.text, values: [ids, WINDOWED_AREAS] })
    ).rows;
    expect(rows.map((r) => [r.customer_id, r.area, Number(r.value)])).toEqual([[busy, 'ASR', 50]]);

    // The per-minute deltas' read (not the sums of the bounds): asked for one customer, it
    // gives back that customer's two rows, not all 400.
    const read = notices.filter((n) => /alert_call_bucket_deltas d/.test(n) && /d\.minute, d\.attempts/.test(n));
    expect(read).toHaveLength(1);
    expect(read[0]).toMatch(/Hash Semi Join [^\n]*actual time=[\d.]+\.\.[\d.]+ rows=2 loops=1/);
    expect(read[0]).toMatch(/ProjectSet [^\n]*actual time=[\d.]+\.\.[\d.]+ rows=1 loops=1/);
  });
});
