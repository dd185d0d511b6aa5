/**
 * A CDR batch's rule statement (alert-engine.ts CDR_BATCH_RULES_SQL) is named at every
 * size, so after five batches of a connection the server runs it on its generic plan,
 * also for batches of more than GENERIC_PLAN_MAX_KEYS customers. That plan must answer
 * what the plan made for the batch's values answers: the same rows, for every part of the
 * statement (call durations, windows, balances), over a batch of 600 customers with
 * rules of each scope and triggered states. Run on the statement itself, prepared in a
 * session of the test's own.
 */
import { Client } from 'pg';
import { CDR_BATCH_RULES_SQL, cdrBatchRulesParams } from '../../src/modules/alert/alert-engine';
import { GENERIC_PLAN_MAX_KEYS } from '../../src/platform/db/prepared-sql';
import { CreateAlertDefinitionDocument, CreateCustomerClassDocument, type AlertDefinitionInput } from '../generated/graphql';
import { chargeCalls, localId } from '../helpers/alert-fixtures';
import { executeArgs } from '../helpers/execute-args';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CUSTOMERS = 600;

describe('the CDR batch rule statement on its generic plan', () => {
  let server: TestServer;
  let client: Client;
  let customerIds: string[];

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = new Client({ connectionString: server.databaseUrl });
    await client.connect();
    const { createCustomerClass } = await server.http().data(CreateCustomerClassDocument, { input: { name: 'Generic plan class' } });
    customerIds = (
      await client.query<{ id: string }>(
        `INSERT INTO customers (name, type, customer_class_id)
         SELECT 'Generic ' || g, CASE WHEN g % 2 = 0 THEN 'CARRIER' ELSE 'CUSTOMER' END, CASE WHEN g % 3 = 0 THEN $2::uuid END
           FROM generate_series(1, $1::int) g RETURNING id`,
        [CUSTOMERS, localId(createCustomerClass.id)],
      )
    ).rows.map((r) => `cus_${r.id}`);
    const define = (input: Partial<AlertDefinitionInput> & Pick<AlertDefinitionInput, 'title' | 'area' | 'operator' | 'threshold'>) =>
      server.http().data(CreateAlertDefinitionDocument, { input });
    await define({ title: 'Long call', area: 'CALL_DURATION', operator: 'GTE', threshold: '100', customerClassId: createCustomerClass.id });
    await define({ title: 'Two calls in 5 min', area: 'CALL_COUNT', operator: 'GTE', threshold: '2', samplePeriod: 300, minCalls: 0, accountType: 'CARRIER' });
    await define({ title: 'ASR at most 50', area: 'ASR', operator: 'LTE', threshold: '50', samplePeriod: 900, minCalls: 2 });
    await define({ title: 'Below minus one', area: 'BALANCE', operator: 'LT', threshold: '-1' });
    await define({ title: 'One customer accrued', area: 'ACCRUED_CHARGES', operator: 'GTE', threshold: '0.5', customerId: customerIds[6] });
    // Two batches: the first leaves states triggered, the second is the one the statement reads.
    for (const round of [0, 1]) {
      await chargeCalls(
        server,
        customerIds.map((customerId, i) => ({ customerId, duration: (i + round) % 4 === 0 ? 0 : 60 * ((i % 3) + 1), answered: (i + round) % 4 !== 0, charge: String((i % 5) * 0.75) })),
      );
    }
  });
  afterAll(() => client.end());

  /** The statement's parameters as AlertEngine.onCdrsCharged builds them for one call of each customer. */
  function params(): unknown[] {
    const ids = customerIds.map(localId);
    const durations = ids.map((_, i) => 60 * ((i % 3) + 1));
    return cdrBatchRulesParams(ids, new Set(ids.filter((_, i) => i % 5 !== 0)), durations, durations);
  }

  async function run(mode: 'force_custom_plan' | 'force_generic_plan'): Promise<{ rows: string[]; plan: string }> {
    await client.query(`SET plan_cache_mode = ${mode}`);
    const name = `rules_${mode}`;
    const rows = (await client.query({ name, text: CDR_BATCH_RULES_SQL.text, values: params() })).rows.map((r) => JSON.stringify(r)).sort();
    const types = ['uuid[]', 'text[]', 'boolean[]', 'text[]', 'int[]', 'int[]'];
    await client.query(`PREPARE explained_${mode} (${types.join(', ')}) AS ${CDR_BATCH_RULES_SQL.text}`);
    const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE explained_${mode}(${await executeArgs(client, types, params())})`)).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    return { rows, plan };
  }

  it('answers on the generic plan what the plan for the values answers, above GENERIC_PLAN_MAX_KEYS customers', async () => {
    expect(CUSTOMERS).toBeGreaterThan(GENERIC_PLAN_MAX_KEYS);
    const custom = await run('force_custom_plan');
    const generic = await run('force_generic_plan');
    // The generic plan names its parameters; the custom one is made for the customers' ids:
    // their unnest counted (the ids themselves no longer show, since the triggered states
    // are read through alert_triggered_defs, whose arguments a plain EXPLAIN does not print).
    const counted = new RegExp(`Function Scan on b .*rows=${CUSTOMERS} `);
    expect(generic.plan).toMatch(/\$1/);
    expect(generic.plan).not.toContain(localId(customerIds[0]));
    expect(generic.plan).not.toMatch(counted);
    expect(custom.plan).toMatch(counted);
    // The three parts read the batch's customers once.
    for (const plan of [generic.plan, custom.plan]) expect(plan.match(/ on customers /g)).toEqual([' on customers ']);
    const areas = new Set(custom.rows.map((r) => (JSON.parse(r) as { area: string }).area));
    expect([...areas].sort()).toEqual(['ACCRUED_CHARGES', 'ASR', 'BALANCE', 'CALL_COUNT', 'CALL_DURATION']);
    expect(custom.rows.length).toBeGreaterThan(CUSTOMERS / 2);
    expect(generic.rows).toEqual(custom.rows);
  });
});
