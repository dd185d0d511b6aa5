/**
 * The customers' kept bounds (migrations/1732406402500-call-bucket-bounds.ts): the
 * compaction keeps alert_call_bounds equal to each customer's buckets summed from the
 * widest window's first minute, as calls are folded, as time moves that minute on, when a
 * longer window appears and when the last windowed rule goes; call_bucket_bounds reads
 * them, or sums the buckets when a window starts before them; and a batch's windowed rule
 * still sees the calls that were compacted before it.
 */
import { AlertEventsDocument, CreateAlertDefinitionDocument, DeleteAlertDefinitionDocument, type AlertDefinitionInput } from '../generated/graphql';
import { compactCallBucketsSql } from '../../src/modules/cdr/call-buckets';
import { chargeCalls, createCustomer, localId, runJob } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe("the customers' kept call bounds", () => {
  let server: TestServer;

  beforeAll(async () => {
    // The jobs run on demand (runJob).
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });

  const db = () => server.app.services.db;
  const define = async (input: AlertDefinitionInput) => (await server.http().data(CreateAlertDefinitionDocument, { input })).createAlertDefinition;
  const compact = () => runJob(server, 'alert-bucket-compaction');
  const keptSince = async () => (await db().query<{ since: Date | null }>(`SELECT since FROM alert_call_bound_state`))[0].since;
  /** Rows as [customer, attempts, spend], by customer. */
  type Sums = [string, number, string][];
  const sorted = (...sums: Sums): Sums => sums.sort((x, y) => x[0].localeCompare(y[0]));
  const rows = (r: { customer_id: string; attempts: string; spend: string }[]): Sums => sorted(...r.map((x) => [x.customer_id, Number(x.attempts), x.spend] as [string, number, string]));
  const kept = async () => rows(await db().query(`SELECT customer_id, attempts, trim_scale(spend)::text AS spend FROM alert_call_bounds`));
  /** What the kept rows must equal: the buckets from the kept minute on, per customer. */
  const bucketsSinceKept = async () =>
    rows(
      await db().query(
        `SELECT customer_id, sum(attempts) AS attempts, trim_scale(sum(spend))::text AS spend FROM alert_call_buckets
          WHERE minute >= (SELECT since FROM alert_call_bound_state) GROUP BY 1`,
      ),
    );
  const of = (sums: Sums, customerId: string) => sums.find((s) => s[0] === localId(customerId));
  /** Time passes by whole minutes for the stored calls and the kept minute alike. */
  const age = async (minutes: number) => {
    await db().query(`UPDATE cdrs SET started_at = started_at - make_interval(mins => $1)`, [minutes]);
    await db().query(`UPDATE alert_call_bucket_deltas SET minute = minute - make_interval(mins => $1)`, [minutes]);
    await db().query(`UPDATE alert_call_buckets SET minute = minute - make_interval(mins => $1)`, [minutes]);
    await db().query(`UPDATE alert_call_bound_state SET since = since - make_interval(mins => $1)`, [minutes]);
  };
  const horizon = async (seconds: number) =>
    (await db().query<{ since: Date }>(`SELECT date_trunc('minute', now() - make_interval(secs => $1)) AS since`, [seconds]))[0].since;

  it('equal the buckets from the widest window on through folds, time, a longer window and no window', async () => {
    const a = await createCustomer(server, { name: 'Bounds A' });
    const b = await createCustomer(server, { name: 'Bounds B' });
    // Calls 2, 4 and 15 minutes ago; no windowed rule yet: nothing is kept.
    await chargeCalls(server, [
      { customerId: a, duration: 10, charge: '0.1', ago: 120 },
      { customerId: a, duration: 10, charge: '0.2', ago: 240 },
      { customerId: a, duration: 10, charge: '0.4', ago: 900 },
      { customerId: b, duration: 10, charge: '1', ago: 240 },
    ]);
    await compact();
    expect(await keptSince()).toBeNull();
    expect(await kept()).toEqual([]);

    // A ten-minute window: the next compaction counts the buckets from its first minute.
    const tenMinutes = await define({ title: 'Calls in ten minutes', customerId: a, area: 'CALL_COUNT', operator: 'GTE', threshold: '1000', samplePeriod: 600, minCalls: 0 });
    await compact();
    expect((await keptSince())!.getTime()).toBeGreaterThanOrEqual((await horizon(600)).getTime() - 60_000);
    expect(of(await kept(), a)).toEqual([localId(a), 2, '0.3']);
    expect(of(await kept(), b)).toEqual([localId(b), 1, '1']);
    expect(await kept()).toEqual(await bucketsSinceKept());

    // New calls, one older than the window: folded into the buckets, and into the bounds from the kept minute on.
    await chargeCalls(server, [
      { customerId: a, duration: 10, charge: '0.05', ago: 60 },
      { customerId: a, duration: 10, charge: '0.5', ago: 1_200 },
    ]);
    await compact();
    expect(of(await kept(), a)).toEqual([localId(a), 3, '0.35']);
    expect(await kept()).toEqual(await bucketsSinceKept());

    // Seven minutes on: the calls of 4 minutes ago (now 11) have left; B has nothing left and goes.
    await age(7);
    await compact();
    expect(of(await kept(), a)).toEqual([localId(a), 2, '0.15']);
    expect(of(await kept(), b)).toBeUndefined();
    expect(await kept()).toEqual(await bucketsSinceKept());

    // A one-hour window: until the next compaction a reader sums the buckets itself...
    const hour = await define({ title: 'Calls in an hour', customerId: b, area: 'SPEND', operator: 'GT', threshold: '1000', samplePeriod: 3600, minCalls: 0 });
    const read = async (since: Date) =>
      rows(await db().query(`SELECT customer_id, attempts, trim_scale(spend)::text AS spend FROM call_bucket_bounds($1::uuid[], $2)`, [[localId(a), localId(b)], since]));
    const since = await horizon(3600);
    expect(await read(since)).toEqual(sorted([localId(a), 5, '1.25'], [localId(b), 1, '1']));
    // ...and the compaction adds the minutes the kept sums lacked.
    await compact();
    expect((await keptSince())!.getTime()).toBeLessThanOrEqual(since.getTime());
    expect(await kept()).toEqual(await bucketsSinceKept());
    expect(await read(since)).toEqual(await bucketsSinceKept());
    expect(of(await kept(), a)).toEqual([localId(a), 5, '1.25']);

    // No windowed rule left: nothing kept, and a reader with a window sums the buckets.
    for (const d of [tenMinutes, hour]) await server.http().data(DeleteAlertDefinitionDocument, { id: d.id });
    await compact();
    expect(await keptSince()).toBeNull();
    expect(await kept()).toEqual([]);
    expect(of(await read(since), a)).toEqual([localId(a), 5, '1.25']);
  });

  it('keep their table from growing as every pass updates every calling customer', async () => {
    // A windowed rule keeps bounds (the test above may have left one; this one is sure).
    await define({ title: 'Calls in five minutes', area: 'CALL_COUNT', operator: 'GTE', threshold: '1000000', samplePeriod: 300, minCalls: 0 });
    const ids = (
      await db().query<{ id: string }>(`INSERT INTO customers (name, type) SELECT 'Bounds bulk ' || g, 'CUSTOMER' FROM generate_series(1, 2000) g RETURNING id`)
    ).map((r) => r.id);
    /** A call a minute ago for each of them, folded by one pass: every one of their rows updated. */
    const pass = async () => {
      await db().query(
        `INSERT INTO alert_call_bucket_deltas (customer_id, minute, attempts, answered, answered_seconds, spend)
         SELECT c, date_trunc('minute', now()) - interval '1 minute', 1, 1, 30, 0.01 FROM unnest($1::uuid[]) AS c`,
        [ids],
      );
      await compact();
    };
    const pages = async () =>
      (await db().query<{ heap: number; key: number }>(
        `SELECT (pg_relation_size('alert_call_bounds') / 8192)::int AS heap, (pg_relation_size('alert_call_bounds_pkey') / 8192)::int AS key`,
      ))[0];
    await pass();
    const first = await pages();
    for (let i = 0; i < 12; i++) await pass();
    // Each row's new version stays on its page and the old one is pruned there: with full
    // pages each pass left 2,000 dead rows elsewhere and 2,000 more index entries.
    const after = await pages();
    expect(after.heap).toBeLessThanOrEqual(first.heap * 2);
    expect(after.key).toBeLessThanOrEqual(first.key * 2);
    expect(of(await kept(), `cus_${ids[0]}`)).toEqual([ids[0], 13, '0.13']);
    expect(await kept()).toEqual(await bucketsSinceKept());
  });

  it('are updated in place where a customer has one, and inserted only for customers new to them', async () => {
    await define({ title: 'Spend in five minutes', area: 'SPEND', operator: 'GT', threshold: '1000000', samplePeriod: 300, minCalls: 0 });
    const known = await createCustomer(server, { name: 'Known to the bounds' });
    const fresh = await createCustomer(server, { name: 'New to the bounds' });
    await chargeCalls(server, [{ customerId: known, duration: 10, charge: '0.5', ago: 60 }]);
    await compact();
    expect(of(await kept(), known)).toEqual([localId(known), 1, '0.5']);
    expect(of(await kept(), fresh)).toBeUndefined();
    await chargeCalls(server, [
      { customerId: known, duration: 10, charge: '0.25', ago: 30 },
      { customerId: fresh, duration: 10, charge: '2', ago: 30 },
    ]);
    // The pass's plan, in a transaction rolled back: the known customer's row is updated by
    // a join to the moved sums, the new one inserted, and no row goes through an upsert.
    type PlanNode = { 'Node Type': string; Operation?: string; 'Relation Name'?: string; 'Actual Rows': number; 'Conflict Resolution'?: string; Plans?: PlanNode[] };
    const writes: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      if (n['Relation Name'] === 'alert_call_bounds' && n.Operation) writes.push(n);
      n.Plans?.forEach(walk);
    };
    await db().transaction(async (uow) => {
      const [row] = await uow.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${compactCallBucketsSql(true)}`);
      walk(row['QUERY PLAN'][0].Plan);
      throw Object.assign(new Error('rolled back'), { rollback: true });
    }).catch((err: { rollback?: boolean }) => {
      if (!err.rollback) throw err;
    });
    expect(writes.map((w) => [w.Operation, w['Conflict Resolution'] ?? null, w.Operation === 'Update' ? w['Actual Rows'] : null]).sort()).toEqual([
      ['Insert', null, null],
      ['Update', null, 1],
    ]);
    await compact();
    expect(of(await kept(), known)).toEqual([localId(known), 2, '0.75']);
    expect(of(await kept(), fresh)).toEqual([localId(fresh), 1, '2']);
    expect(await kept()).toEqual(await bucketsSinceKept());
  });

  it("lets a batch's windowed rule fire on calls compacted before it", async () => {
    const customerId = await createCustomer(server, { name: 'Bounded Co' });
    await define({ title: 'Five calls in ten minutes', customerId, area: 'CALL_COUNT', operator: 'GTE', threshold: '5', samplePeriod: 600, minCalls: 0 });
    await chargeCalls(server, [1, 2, 3, 4].map(() => ({ customerId, duration: 10, ago: 120 })));
    await compact();
    expect(of(await kept(), customerId)).toEqual([localId(customerId), 4, '0']);
    // The fifth call's batch bounds the window by the four kept and its own one: the rule may hold, and does.
    const raised = await chargeCalls(server, [{ customerId, duration: 10, ago: 60 }]);
    expect(raised).toHaveLength(1);
    const { alertEvents } = await server.http().data(AlertEventsDocument, { filter: { customerId }, first: 10 });
    expect(alertEvents.nodes.map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '5']]);
  });
});
