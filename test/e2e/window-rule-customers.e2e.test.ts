/**
 * The windowed rules' statement (alert-engine.ts windowSql) joins the rules' scopes only
 * to the customers whose bounds reach the fewest calls a rule left by the batch-wide
 * filters needs (cust_floor), and carries through its bounds only the columns those
 * scopes read (cust), the rows it returns taking the rest from the customers as read.
 * Over a CDR batch's thousands of customers, most of them below every rule's minCalls,
 * each one had been tested against every rule of its class and account type, and every
 * column of each had gone through the bounds' joins. The statement runs on the database
 * itself, with deltas stored by SQL, under EXPLAIN ANALYZE VERBOSE.
 */
import { Client } from 'pg';
import { WINDOW_RULES_SQL } from '../../src/modules/alert/alert-engine';
import { WINDOWED_AREAS } from '../../src/modules/alert/alert.enums';
import { CreateAlertDefinitionDocument, CreateCustomerClassDocument } from '../generated/graphql';
import { localId } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface PlanNode {
  'Node Type': string;
  'CTE Name'?: string;
  'Subplan Name'?: string;
  Filter?: string;
  Output?: string[];
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(n);
  n.Plans?.forEach((p) => nodes(p, out));
  return out;
}

describe("the windowed rules' customers", () => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = new Client({ connectionString: server.databaseUrl });
    await client.connect();
    // As a CDR batch's transaction binds its statements (cdr-insert.ts, plan_mode).
    await client.query(`SET plan_cache_mode = force_generic_plan`);
  });
  afterAll(() => client.end());

  it('meet the scopes of their rules only when they have calls enough, and keep their names out of the bounds', async () => {
    const { createCustomerClass: cls } = await server.http().data(CreateCustomerClassDocument, { input: { name: 'Window scope class' } });
    const ids = (
      await client.query<{ id: string }>(
        `INSERT INTO customers (name, customer_class_id) SELECT 'Scope Co ' || g, $1::uuid FROM generate_series(1, 200) g RETURNING id::text`,
        [localId(cls.id)],
      )
    ).rows.map((r) => r.id).sort();
    const busy = ids[42];
    // Every customer: 2 attempts and 1 answered a minute ago; the busy one 8 and 4. Not compacted yet.
    await client.query(
      `INSERT INTO alert_call_bucket_deltas (customer_id, minute, attempts, answered, answered_seconds, spend)
       SELECT c::uuid, date_trunc('minute', now()) - interval '1 minute', CASE WHEN c = $2 THEN 8 ELSE 2 END, CASE WHEN c = $2 THEN 4 ELSE 1 END, 60, 0.5
         FROM unnest($1::text[]) AS c`,
      [ids, busy],
    );
    // One rule, on the class: ASR at most 60% over ten minutes, from 5 calls (every customer's ASR is 50%).
    await server.http().data(CreateAlertDefinitionDocument, {
      input: { title: 'Class ASR', customerClassId: cls.id, area: 'ASR', operator: 'LTE', threshold: '60', samplePeriod: 600, minCalls: 5 },
    });

    const rows = (await client.query<{ customer_id: string; customer_name: string; value: string }>({ text: WINDOW_RULES_SQL.text, values: [ids, WINDOWED_AREAS] })).rows;
    const [{ name }] = (await client.query<{ name: string }>(`SELECT name FROM customers WHERE id = $1`, [busy])).rows;
    expect(rows.map((r) => [r.customer_id, r.customer_name, Number(r.value)])).toEqual([[busy, name, 50]]);

    const [explained] = (
      await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>({ text: `EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) ${WINDOW_RULES_SQL.text}`, values: [ids, WINDOWED_AREAS] })
    ).rows;
    const plan = nodes(explained['QUERY PLAN'][0].Plan);
    // The class scope's join reads the one customer with calls enough, not all 200.
    const scoped = plan.filter((n) => n['Node Type'] === 'CTE Scan' && n['CTE Name'] === 'cust' && n.Filter?.includes('bound_attempts >=') && n['Actual Loops'] > 0);
    expect(scoped.map((n) => n['Actual Rows'])).toEqual([1]);
    // The bounds carry the scopes' columns only.
    const cust = plan.find((n) => n['Subplan Name'] === 'CTE cust');
    expect(cust?.Output).toHaveLength(6);
    expect(cust?.Output?.join(' ')).not.toMatch(/\bname\b/);
  });
});
