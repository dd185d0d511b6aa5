/**
 * Fleet-wide pacing (src/platform/db/job-runs.ts): call-bucket compaction runs once per
 * CALL_BUCKET_COMPACTION_MS across all instances (once per CALL_BUCKET_COMPACTION_RULES_MS
 * while a windowed rule exists), and the windows' re-evaluation once per
 * ALERT_WINDOW_INTERVAL_MS, not once per instance and tick.
 */
import { randomUUID } from 'node:crypto';
import { claimJobRun } from '../../src/platform/db/job-runs';
import { CreateAlertDefinitionDocument, DeleteAlertDefinitionDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('fleet-wide job pacing', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    // Ticks every 40 ms on each instance; compaction due every 500 ms across both (every
    // 250 ms while a windowed rule exists), the windows every 700 ms.
    const env = { SCHEDULER_INTERVAL_MS: '40', CALL_BUCKET_COMPACTION_MS: '500', CALL_BUCKET_COMPACTION_RULES_MS: '250', ALERT_WINDOW_INTERVAL_MS: '700' };
    a = await startTestServer({ env });
    b = await startTestServer({ env, shared: { databaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix, adminKey: a.adminKey } });
  });

  it('grants one of many concurrent claims from two instances, then none until the interval is over', async () => {
    const name = `test-${randomUUID()}`;
    const dbs = [a.app.services.db, b.app.services.db];
    const round = (everyMs: number) => Promise.all(Array.from({ length: 8 }, (_, i) => claimJobRun(dbs[i % 2], name, everyMs)));
    // An interval of seconds: the second round must start inside it, and a slow CI host once
    // took over 300 ms between the first round's claim and the second round's.
    expect((await round(3_000)).filter(Boolean)).toHaveLength(1);
    expect((await round(3_000)).filter(Boolean)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 3_050));
    expect((await round(3_000)).filter(Boolean)).toHaveLength(1);
    expect((await round(60_000)).filter(Boolean)).toHaveLength(0);
  });

  /** When the passes of job `name` began (job_runs), polled for `forMs`. */
  async function passStarts(name: string, forMs: number): Promise<number[]> {
    const seen: number[] = [];
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      const [row] = await a.app.services.db.query<{ at: Date | null }>(`SELECT max(last_run_at) AS at FROM job_runs WHERE name = $1`, [name]);
      const at = row.at?.getTime();
      if (at !== undefined && seen[seen.length - 1] !== at) seen.push(at);
      await new Promise((r) => setTimeout(r, 15));
    }
    return seen;
  }

  it('re-evaluates the windows about every 700 ms with two instances ticking every 40 ms', async () => {
    const seen = await passStarts('alert-windows', 3_000);
    // Fifty ticks a second between them; a pass starts at least 665 ms after the last (0.95 of
    // the interval): 3 s holds at most five starts, plus the one first seen, which may be older.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThanOrEqual(6);
    const gaps = seen.slice(1).map((t, i) => t - seen[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(665);
  });

  it('compacts about every 500 ms with two instances ticking every 40 ms, and folds the deltas appended meanwhile', async () => {
    const db = a.app.services.db;
    const seen = await passStarts('alert-bucket-compaction', 2_600);
    // Fifty ticks a second between them, two passes a second: 2.6 s holds 4-6 passes.
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.length).toBeLessThanOrEqual(7);
    const gaps = seen.slice(1).map((t, i) => t - seen[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(475);

    // A delta appended now is gone into its bucket within one interval and a tick or two.
    const [{ id }] = await db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Paced Co') RETURNING id`);
    await db.query(`INSERT INTO alert_call_bucket_deltas VALUES ($1, date_bin('1 minute', now(), timestamptz 'epoch'), 2, 1, 60, 0.5)`, [id]);
    const deadline = Date.now() + 1_500;
    let buckets: { attempts: number }[] = [];
    while (Date.now() < deadline && buckets.length === 0) {
      buckets = await db.query<{ attempts: number }>(`SELECT attempts::int AS attempts FROM alert_call_buckets WHERE customer_id = $1`, [id]);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(buckets).toEqual([{ attempts: 2 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM alert_call_bucket_deltas WHERE customer_id = $1`, [id])).toEqual([{ n: 0 }]);
  });

  it('compacts about every 250 ms while a windowed rule exists, and every 500 ms again once none is left', async () => {
    const { id } = (
      await a.http().data(CreateAlertDefinitionDocument, {
        input: { title: 'Calls in five minutes', area: 'CALL_COUNT', operator: 'GTE', threshold: '1000000', samplePeriod: 300, minCalls: 0 },
      })
    ).createAlertDefinition;
    // A pass or two at the longer interval go by before a pass finds the rule's bounds kept.
    await new Promise((r) => setTimeout(r, 1_200));
    const fast = await passStarts('alert-bucket-compaction', 2_600);
    const fastGaps = fast.slice(1).map((t, i) => t - fast[i]);
    // Four passes a second: 2.6 s holds 8-12; none closer than 0.95 of the interval.
    expect(fast.length).toBeGreaterThanOrEqual(8);
    expect(fast.length).toBeLessThanOrEqual(12);
    for (const gap of fastGaps) expect(gap).toBeGreaterThanOrEqual(237);

    await a.http().data(DeleteAlertDefinitionDocument, { id });
    await new Promise((r) => setTimeout(r, 1_200));
    const slow = await passStarts('alert-bucket-compaction', 2_600);
    expect(slow.length).toBeLessThanOrEqual(7);
    for (const gap of slow.slice(1).map((t, i) => t - slow[i])) expect(gap).toBeGreaterThanOrEqual(475);
  });
});
