/**
 * alert_triggered_defs (migrations/1732406402700-alert-triggered-defs.ts): the rules each
 * asked-for customer has triggered, planned for the values of each call even in a session
 * that binds generic plans (a CDR batch's transaction does). The case it is for:
 * alert_states analyzed while empty, then filled with triggered states and never analyzed
 * again (a server without autovacuum): a generic plan made then compared every triggered
 * state with the whole customer array. The plans are read with auto_explain (nested
 * statements, at NOTICE level).
 */
import type { Client } from 'pg';
import { CDR_BATCH_RULES_SQL } from '../../src/modules/alert/alert-engine';
import { CDR_INSERT_SQL } from '../../src/modules/cdr/cdr-insert';
import { CreateAlertDefinitionDocument } from '../generated/graphql';
import { localId } from '../helpers/alert-fixtures';
import { planReportingClient } from '../helpers/plan-notices';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CUSTOMERS = 2_000;

describe('alert_triggered_defs', () => {
  let server: TestServer;
  let client: Client;
  let customers: string[];
  let rules: string[];
  const notices: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = await planReportingClient(server.databaseUrl, notices);
    customers = (
      await client.query<{ id: string }>(`INSERT INTO customers (name) SELECT 'Triggered ' || g FROM generate_series(1, $1::int) g RETURNING id`, [CUSTOMERS])
    ).rows.map((r) => r.id);
    rules = [];
    for (const threshold of ['-1', '-2', '-3']) {
      const { createAlertDefinition } = await server
        .http()
        .data(CreateAlertDefinitionDocument, { input: { title: `Below ${threshold}`, area: 'BALANCE', operator: 'LT', threshold } });
      rules.push(localId(createAlertDefinition.id));
    }
    // Analyzed empty, as a new deployment's table is when the first generic plans are made.
    await client.query(`ANALYZE alert_states`);
  });
  afterAll(() => client.end());

  /** Through a named statement, as the CDR batch's statements call it: its own plan is made once and kept. */
  async function triggered(ids: string[] | null): Promise<[string, string[]][]> {
    notices.length = 0;
    const r = await client.query<{ customer_id: string; defs: string[] }>({
      name: 'triggered-defs',
      text: `SELECT customer_id, defs FROM alert_triggered_defs($1::uuid[]) ORDER BY customer_id`,
      values: [ids],
    });
    return r.rows.map((x) => [x.customer_id, [...x.defs].sort()]);
  }

  function innerPlan(): string {
    const plan = notices.find((n) => n.includes('alert_states s'));
    if (!plan) throw new Error(`no plan of the function's query among ${notices.length} notices`);
    return plan;
  }

  async function addStates(ids: string[], rule: string, isTriggered: boolean): Promise<void> {
    await client.query(
      `INSERT INTO alert_states (definition_id, customer_id, triggered, value, since, evaluated_at)
       SELECT $2::uuid, c, $3, -5, now(), now() FROM unnest($1::uuid[]) AS c`,
      [ids, rule, isTriggered],
    );
  }

  it("answers each asked-for customer's triggered rules once, leaving out untriggered states, customers without any, and no customers", async () => {
    expect(await triggered(customers.slice(0, 600))).toEqual([]);
    await addStates(customers.slice(0, 1_500), rules[0], true);
    await addStates(customers.slice(0, 100), rules[1], true);
    await addStates(customers.slice(0, 200), rules[2], false);
    const [first, middle, last] = [customers[0], customers[150], customers[1_999]];
    const expected: [string, string[]][] = [
      [first, [rules[0], rules[1]].sort()],
      [middle, [rules[0]]],
    ];
    expect(await triggered([last, first, middle, first])).toEqual(expected.sort((a, b) => a[0].localeCompare(b[0])));
    expect(await triggered([last])).toEqual([]);
    expect(await triggered([])).toEqual([]);
    expect(await triggered(null)).toEqual([]);
  });

  it('is planned for the values of each call after the states filled unanalyzed: the customers counted, never compared with every state one by one', async () => {
    const asked = customers.slice(0, 1_500);
    const rows = await triggered(asked);
    expect(rows).toHaveLength(1_500);
    expect(rows.filter((r) => r[1].length === 2)).toHaveLength(100);
    const plan = innerPlan();
    // Planned for these customers: the array is a constant of the plan, its 1,500 elements counted, not assumed.
    expect(plan).toMatch(/Function Scan on (unnest )?u .*rows=1500 /);
    // Reached by hash or by the customer index, never an array searched per state.
    expect(plan).toMatch(/Hash|Index (Only )?Scan using alert_states_/);
    expect(plan).not.toMatch(/= ANY/);
  });

  it("is where the CDR batch's insert and rule statement read the triggered states: neither names alert_states in its generic plan", async () => {
    await client.query(`PREPARE triggered_insert(text[], int[], int[], text[], text[], int8[], int[], int[], numeric[], uuid[], uuid[], text[], int8) AS ${CDR_INSERT_SQL}`);
    await client.query(`PREPARE triggered_rules(uuid[], text[], boolean[], text[], int[], int[]) AS ${CDR_BATCH_RULES_SQL.text}`);
    const plan = async (sql: string) => (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const insertPlan = await plan(`EXECUTE triggered_insert('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', 0)`);
    const rulesPlan = await plan(`EXECUTE triggered_rules('{}', '{}', '{}', '{}', '{}', '{}')`);
    for (const p of [insertPlan, rulesPlan]) {
      expect(p).toContain('Function Scan on alert_triggered_defs');
      expect(p).not.toMatch(/ on alert_states\b/);
    }
  });
});
