/**
 * The alert event writer's statement (alert-event-writer.ts ALERT_EVENTS_INSERT_SQL) over
 * a rule change's worth of events: each event meets its (rule, customer) incident through
 * one join, never a scan of all the write's incidents per event (quadratic: 17.6 s for
 * 20,000 events, with their customers locked). Run on the statement itself, in a
 * transaction of the test's own that is rolled back.
 */
import { Client } from 'pg';
import { ALERT_EVENTS_INSERT_SQL } from '../../src/modules/alert/alert-event-writer';
import { CreateAlertDefinitionDocument } from '../generated/graphql';
import { localId } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

const CUSTOMERS = 2_000;

describe("the alert event writer's statement over many events", () => {
  let server: TestServer;
  let client: Client;
  let customers: string[];
  let rule: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    client = new Client({ connectionString: server.databaseUrl });
    await client.connect();
    customers = (
      await client.query<{ id: string }>(`INSERT INTO customers (name) SELECT 'Writer ' || g FROM generate_series(1, $1::int) g RETURNING id`, [CUSTOMERS])
    ).rows.map((r) => r.id);
    const { createAlertDefinition } = await server
      .http()
      .data(CreateAlertDefinitionDocument, { input: { title: 'Below zero', area: 'BALANCE', operator: 'LT', threshold: '0' } });
    rule = localId(createAlertDefinition.id);
    await client.query('ANALYZE');
  });
  afterAll(() => client.end());

  /** The writer's parameters for one event of `kind` per customer, in customer order. */
  function params(kind: 'TRIGGERED' | 'RESOLVED'): unknown[] {
    const each = <T>(v: T) => customers.map(() => v);
    return [each(kind), each(rule), customers, each('BALANCE'), each(kind === 'TRIGGERED' ? '-1' : '1'), each('0'), each('subject'), each('message'), each(null), each(false)];
  }

  it('joins each event to its incident: the TRIGGERED events open one each, the RESOLVED ones join and close them', async () => {
    await client.query('BEGIN');
    try {
      const opened = (await client.query<{ incident_id: string }>(ALERT_EVENTS_INSERT_SQL, params('TRIGGERED'))).rows;
      expect(opened).toHaveLength(CUSTOMERS);
      expect(new Set(opened.map((r) => r.incident_id)).size).toBe(CUSTOMERS);
      const closed = (await client.query<{ incident_id: string }>(ALERT_EVENTS_INSERT_SQL, params('RESOLVED'))).rows;
      // In insertion order, each RESOLVED event names the incident its customer's TRIGGERED opened.
      expect(closed.map((r) => r.incident_id)).toEqual(opened.map((r) => r.incident_id));
      const statuses = await client.query<{ status: string; n: string }>(
        `SELECT status, count(*)::text AS n FROM alert_incidents WHERE definition_id = $1 GROUP BY status`,
        [rule],
      );
      expect(statuses.rows).toEqual([{ status: 'RESOLVED', n: String(CUSTOMERS) }]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('meets the incidents by a join, with no sub-plan run per event', async () => {
    for (const kind of ['TRIGGERED', 'RESOLVED'] as const) {
      const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ALERT_EVENTS_INSERT_SQL}`, params(kind))).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/SubPlan/);
      expect(plan).toMatch(/(Hash|Merge) (Left|Right) Join/);
    }
  });
});
