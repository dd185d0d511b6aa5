/**
 * cdrs partitioned by day with retention (docs/retention.md): the maintenance pass drops
 * the oldest days while several clients submit CDRs across the kept days, and afterwards
 * every balance is exact, the ledger agrees, every alert event a batch answered is stored,
 * and resubmitting everything charges nothing. Plus the edges: a record older than
 * retention (BEYOND_RETENTION), a late day created on first use, future records, a cursor
 * older than what is kept (CURSOR_EXPIRED), days created ahead, and two instances running
 * the pass at once.
 */
import { randomUUID } from 'node:crypto';
import { AlertsCreateCustomerDocument, RetentionSubmitCdrsDocument, CdrsPagedDocument, type CdrInput } from '../generated/graphql';
import { localId } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { DAY_MS, dayOf, dayPartitions, ensureDayPartitions, partitionName } from '../../src/platform/db/day-partitions';
import { cdrDayIndexes } from '../../src/modules/cdr/cdr-partitions';
import { dec } from '../../src/platform/common/decimal';
import { fixedUuid, migrationHarness, type MigrationHarness } from '../helpers/migration-harness';
import { CdrPartitions1732406401500 } from '../../migrations/1732406401500-cdr-partitions';
import { CallBucketPartitions1732406401510 } from '../../migrations/1732406401510-call-bucket-partitions';
import { CdrCallIdPerDay1732406401620 } from '../../migrations/1732406401620-cdr-callid-per-day';

const RETENTION_DAYS = 3;

describe('cdrs partitions and retention', () => {
  let server: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    // The job's own timer stays out of the way (hourly); the test runs the passes.
    const env = { CDR_RETENTION_DAYS: String(RETENTION_DAYS), PARTITION_MAINTENANCE_MS: '3600000' };
    server = await startTestServer({ env });
    other = await startTestServer({ env, shared: { databaseUrl: server.databaseUrl, redisPrefix: server.redisPrefix, adminKey: server.adminKey } });
  });

  const today = () => dayOf(Date.now());
  const submit = async (client: TestServer, cdrs: CdrInput[]) => (await client.http().data(RetentionSubmitCdrsDocument, { cdrs })).submitCdrs;
  const days = async () => (await dayPartitions(server.app.services.db, 'cdrs')).filter((p) => p.attached).map((p) => p.day);
  const customer = async (balance: string, lowBalanceThreshold: string) =>
    (await server.http().data(AlertsCreateCustomerDocument, { input: { name: `Retention ${randomUUID()}`, balance, lowBalanceThreshold } })).createCustomer.id;
  const record = (customerId: string, startedAtMs: number, charge = '0.0137'): CdrInput => ({
    callId: randomUUID(),
    customerId,
    callee: '4930123456',
    startedAt: new Date(startedAtMs).toISOString(),
    duration: 42,
    disposition: 'ANSWERED',
    charge,
  });
  /** Stores rows on a day submitCdrs no longer accepts, as if they had been ingested back then. */
  const storeOld = async (customerId: string, day: number, n: number) => {
    await ensureDayPartitions(server.app.services.db, 'cdrs', [day], { dayIndexes: cdrDayIndexes });
    await server.app.services.db.query(
      `INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge)
       SELECT 'old-' || gen_random_uuid(), $1, '4930', $2::timestamptz + g * interval '1 second', 10, 'ANSWERED', 0.01 FROM generate_series(1, $3) g`,
      [localId(customerId), new Date(day * DAY_MS).toISOString(), n],
    );
  };

  it('refuses a record older than retention with BEYOND_RETENTION, creates a late day within it on first use, and refuses the future past the clock skew', async () => {
    const id = await customer('100', '0');
    const t = today();
    const keptSince = (t - RETENTION_DAYS) * DAY_MS;
    expect((await days()).includes(t - RETENTION_DAYS)).toBe(false);
    const result = await submit(server, [
      record(id, keptSince - 1), // 0: a millisecond too old
      record(id, keptSince), // 1: the first kept instant: its day is created now
      record(id, Date.now() + 4 * 60_000), // 2: within the clock-skew allowance
      record(id, Date.now() + 10 * 60_000), // 3: the future
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.code, r.field])).toEqual([
      [0, 'BEYOND_RETENTION', 'startedAt'],
      [3, 'INVALID', 'startedAt'],
    ]);
    expect(result.rejected[0].reason).toContain('CDR_RETENTION_DAYS');
    expect(await days()).toContain(t - RETENTION_DAYS);
  });

  it('recreates a day the instance believed in but that is gone (dropped by hand) and stores the batch', async () => {
    const id = await customer('100', '0');
    const yesterday = today() - 1;
    // The instance knows yesterday (its start-up pass created it); it goes behind its back.
    await server.app.services.db.query(`ALTER TABLE cdrs DETACH PARTITION ${partitionName('cdrs', yesterday)}`);
    await server.app.services.db.query(`DROP TABLE ${partitionName('cdrs', yesterday)}`);
    const result = await submit(server, [record(id, yesterday * DAY_MS + 1000), record(id, Date.now() - 60_000)]);
    expect(result).toMatchObject({ accepted: 2, rejected: [] });
    expect(await days()).toContain(yesterday);
  });

  it('keeps the call buckets of the longest window by days and drops older days whole', async () => {
    const db = server.app.services.db;
    const id = localId(await customer('100', '0'));
    const t = today();
    const old = t - 10;
    await ensureDayPartitions(db, 'alert_call_buckets', [old], { storage: 'WITH (fillfactor = 50)' });
    await db.query(`INSERT INTO alert_call_buckets VALUES ($1, $2, 1, 1, 60, 1)`, [id, new Date(old * DAY_MS + 60_000).toISOString()]);
    await db.query(`INSERT INTO alert_call_buckets VALUES ($1, date_bin('1 minute', now(), timestamptz 'epoch'), 2, 1, 60, 1)`, [id]);
    await server.app.services.cdrPartitions.maintain();
    const bucketDays = (await dayPartitions(db, 'alert_call_buckets')).map((p) => p.day);
    expect(bucketDays).not.toContain(old);
    // BUCKET_RETENTION_DAYS 1 (no windowed rule here) and a day of grace, to 7 ahead.
    expect(bucketDays).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, i) => t - 2 + i)));
    const [{ fillfactor }] = await db.query<{ fillfactor: string[] }>(`SELECT reloptions AS fillfactor FROM pg_class WHERE relname = $1`, [partitionName('alert_call_buckets', t)]);
    expect(fillfactor).toEqual(['fillfactor=50']);
    expect(await db.query(`SELECT attempts FROM alert_call_buckets WHERE customer_id = $1`, [id])).toEqual([{ attempts: 2 }]);
  });

  it('refuses a cursor older than what is kept with CURSOR_EXPIRED, telling the client to resync', async () => {
    const keptSince = (today() - RETENTION_DAYS) * DAY_MS;
    const cursor = (ms: number) => Buffer.from(JSON.stringify([new Date(ms).toISOString(), '1'])).toString('base64url');
    for (const args of [{ first: 10, after: cursor(keptSince - 1000) }, { last: 10, before: cursor(keptSince - DAY_MS) }]) {
      const r = await server.http().request(CdrsPagedDocument, args);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CURSOR_EXPIRED', keptSince: new Date(keptSince).toISOString() });
      expect(r.errors?.[0].message).toMatch(/Resync/);
    }
    const fine = await server.http().request(CdrsPagedDocument, { first: 10, after: cursor(keptSince + 1000) });
    expect(fine.errors).toBeUndefined();
  });

  it('drops the oldest days while four clients ingest across the kept days: balances exact, ledger consistent, no alert event lost, nothing charged twice', async () => {
    const t = today();
    const customers = await Promise.all(Array.from({ length: 8 }, () => customer('1000', '999.5')));
    // Two days past retention (and its day of grace) with stored calls: what the pass drops.
    await storeOld(customers[0], t - RETENTION_DAYS - 3, 500);
    await storeOld(customers[1], t - RETENTION_DAYS - 2, 500);
    const batches: CdrInput[][] = [];
    for (let b = 0; b < 24; b++) {
      batches.push(
        Array.from({ length: 150 }, (_, i) => {
          // Spread over the kept days, today included (no later than now).
          const day = t - (i % (RETENTION_DAYS + 1));
          const start = Math.min(day * DAY_MS + ((b * 150 + i) * 997) % DAY_MS, Date.now() - 60_000);
          return record(customers[(b + i) % customers.length], start, `0.${String(1 + ((b * 7 + i) % 97)).padStart(4, '0')}`);
        }),
      );
    }
    const expected = new Map<string, ReturnType<typeof dec>>(customers.map((c) => [localId(c), dec('0')]));
    for (const batch of batches) for (const r of batch) expected.set(localId(String(r.customerId)), expected.get(localId(String(r.customerId)))!.plus(String(r.charge)));

    const eventIds: string[] = [];
    let next = 0;
    const client = async (instance: TestServer) => {
      while (next < batches.length) {
        const result = await submit(instance, batches[next++]);
        expect(result.rejected).toEqual([]);
        expect(result.accepted).toBe(150);
        eventIds.push(...result.alertEvents.map((e) => e.id));
      }
    };
    // The pass starts once ingest is under way and runs while it goes on.
    const clients = [client(server), client(other), client(server), client(other)];
    while (next < 4) await new Promise((r) => setTimeout(r, 5));
    const [dropped] = await Promise.all([server.app.services.cdrPartitions.maintain(), ...clients]);
    expect(dropped).toEqual([t - RETENTION_DAYS - 3, t - RETENTION_DAYS - 2]);
    const kept = await days();
    expect(kept).not.toContain(t - RETENTION_DAYS - 2);
    expect(kept).toEqual(expect.arrayContaining([t - RETENTION_DAYS, t - 1, t]));
    // Gone whole, not deleted row by row.
    const [{ leftover }] = await server.app.services.db.query<{ leftover: string | null }>(`SELECT to_regclass($1)::text AS leftover`, [partitionName('cdrs', t - RETENTION_DAYS - 2)]);
    expect(leftover).toBeNull();

    const db = server.app.services.db;
    const check = async () => {
      for (const c of customers) {
        const [row] = await db.query<{ balance: string; charged: string; stored: string; ledger: string }>(
          `SELECT c.balance::text AS balance,
                  coalesce((SELECT sum(delta) FROM balance_ledger l WHERE l.customer_id = c.id AND l.reason = 'CDR_CHARGES'), 0)::text AS charged,
                  coalesce((SELECT sum(charge) FROM cdrs r WHERE r.customer_id = c.id AND r.call_id NOT LIKE 'old-%'), 0)::text AS stored,
                  (SELECT sum(delta) FROM balance_ledger l WHERE l.customer_id = c.id)::text AS ledger
             FROM customers c WHERE c.id = $1`,
          [localId(c)],
        );
        const sum = expected.get(localId(c))!;
        expect(dec(row.charged).neg().eq(sum)).toBe(true);
        expect(dec(row.stored).eq(sum)).toBe(true);
        expect(dec(row.balance).eq(dec('1000').minus(sum))).toBe(true);
        expect(dec(row.ledger).eq(row.balance)).toBe(true);
      }
    };
    await check();
    // Each customer went below its low-balance threshold once: one TRIGGERED event each, and every event a batch answered is stored.
    const events = await db.query<{ id: string; customer_id: string }>(
      `SELECT e.id::text, e.customer_id::text FROM alert_events e JOIN alert_definitions d ON d.id = e.definition_id
        WHERE d.builtin = 'LOW_BALANCE_THRESHOLD' AND e.kind = 'TRIGGERED' AND e.customer_id = ANY($1::uuid[])`,
      [customers.map(localId)],
    );
    expect(events.map((e) => e.customer_id).sort()).toEqual(customers.map(localId).sort());
    const stored = new Set((await db.query<{ id: string }>(`SELECT id::text FROM alert_events`)).map((e) => e.id));
    expect(eventIds.length).toBeGreaterThanOrEqual(customers.length);
    expect(eventIds.map((id) => id.replace(/^[a-z]+_/, '')).filter((id) => !stored.has(id))).toEqual([]);

    // Every record again, concurrently: all duplicates, nothing charged.
    const again = await Promise.all(batches.map((b, i) => submit(i % 2 ? other : server, b)));
    expect(again.every((r) => r.accepted === 0 && r.duplicates === 150 && r.rejected.length === 0)).toBe(true);
    await check();
  });
});

describe('cdrs partitions created ahead', () => {
  // Without retention: moving the pass's clock weeks ahead must not drop the days the other tests use.
  it('keeps the days from yesterday to 7 ahead created, and more ahead as time passes, on two instances at once', async () => {
    const server = await startTestServer({ env: { PARTITION_MAINTENANCE_MS: '3600000' } });
    const other = await startTestServer({ env: { PARTITION_MAINTENANCE_MS: '3600000' }, shared: { databaseUrl: server.databaseUrl, redisPrefix: server.redisPrefix, adminKey: server.adminKey } });
    const days = async () => (await dayPartitions(server.app.services.db, 'cdrs')).filter((p) => p.attached).map((p) => p.day);
    const t = dayOf(Date.now());
    expect(await days()).toEqual(expect.arrayContaining(Array.from({ length: 9 }, (_, i) => t - 1 + i)));
    const later = Date.now() + 20 * DAY_MS;
    // Both instances at once: the creation lock makes one create each day, the other sees it.
    const created = await Promise.all([server.app.services.cdrPartitions.maintain(later), other.app.services.cdrPartitions.maintain(later)]);
    expect(created).toEqual([[], []]);
    const after = await days();
    expect(after).toEqual(expect.arrayContaining(Array.from({ length: 9 }, (_, i) => t + 19 + i)));
    expect(new Set(after).size).toBe(after.length);
  });
});

describe('the cdrs partitioning migration on existing data', () => {
  let harness: MigrationHarness;

  beforeAll(async () => {
    harness = await migrationHarness(CdrPartitions1732406401500);
  });

  afterAll(() => harness?.close());

  it('moves every stored record into the partition of its day, keeps ids and the sequence, and reverts', async () => {
    const q = (sql: string) => harness.dataSource.query(sql);
    await q(`INSERT INTO customers (id, name) VALUES ('${fixedUuid(1)}', 'Old')`);
    await q(`
      INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge) VALUES
        ('a', '${fixedUuid(1)}', '1', '2026-01-01T23:59:59.999Z', 1, 'ANSWERED', 1.5),
        ('b', '${fixedUuid(1)}', '1', '2026-01-02T00:00:00Z', 2, 'BUSY', 0),
        ('c', '${fixedUuid(1)}', '1', now() - interval '1 hour', 3, 'ANSWERED', 2)`);
    const before = await q(`SELECT id::text, call_id, started_at, charge::text FROM cdrs ORDER BY id`);
    await harness.run('up');
    expect(await q(`SELECT id::text, call_id, started_at, charge::text FROM cdrs ORDER BY id`)).toEqual(before);
    const placed = await q(`SELECT tableoid::regclass::text AS part, call_id FROM cdrs ORDER BY id`);
    expect(placed.slice(0, 2)).toEqual([
      { part: 'cdrs_p20260101', call_id: 'a' },
      { part: 'cdrs_p20260102', call_id: 'b' },
    ]);
    // The two old days, yesterday, today and 7 ahead (today's record is in one of those).
    expect(await q(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'cdrs'::regclass`)).toEqual([{ n: 11 }]);
    // New rows continue the ids; the same callId with the same start is one record.
    const [added] = await q(`INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge) VALUES ('d', '${fixedUuid(1)}', '1', now(), 1, 'ANSWERED', 1) RETURNING id::text`);
    expect(Number(added.id)).toBeGreaterThan(Number(before[2].id));
    await expect(q(`INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge) VALUES ('a', '${fixedUuid(1)}', '1', '2026-01-01T23:59:59.999Z', 1, 'ANSWERED', 1)`)).rejects.toThrow(/duplicate key/);
    await harness.run('down');
    expect(await q(`SELECT relkind FROM pg_class WHERE relname = 'cdrs'`)).toEqual([{ relkind: 'r' }]);
    expect((await q(`SELECT call_id FROM cdrs ORDER BY id`)).map((r: { call_id: string }) => r.call_id)).toEqual(['a', 'b', 'c', 'd']);
    await harness.run('up');
    expect(await q(`SELECT count(*)::int AS n FROM cdrs`)).toEqual([{ n: 4 }]);
  });
});

describe('the call buckets partitioning migration on existing data', () => {
  let harness: MigrationHarness;

  beforeAll(async () => {
    harness = await migrationHarness(CallBucketPartitions1732406401510);
  });

  afterAll(() => harness?.close());

  it('moves every bucket into the partition of its day, keeps the view of buckets and deltas, and reverts', async () => {
    const q = (sql: string) => harness.dataSource.query(sql);
    await q(`INSERT INTO customers (id, name) VALUES ('${fixedUuid(1)}', 'Old')`);
    await q(`INSERT INTO alert_call_buckets VALUES ('${fixedUuid(1)}', '2026-01-01T23:59:00Z', 3, 2, 120, 1.5), ('${fixedUuid(1)}', date_bin('1 minute', now(), timestamptz 'epoch'), 1, 1, 60, 0.5)`);
    await q(`INSERT INTO alert_call_bucket_deltas VALUES ('${fixedUuid(1)}', '2026-01-01T23:59:00Z', 1, 0, 0, 0.25)`);
    const before = await q(`SELECT customer_id, minute, attempts, trim_scale(spend)::text AS spend FROM alert_call_minutes ORDER BY minute, attempts`);
    await harness.run('up');
    expect(await q(`SELECT customer_id, minute, attempts, trim_scale(spend)::text AS spend FROM alert_call_minutes ORDER BY minute, attempts`)).toEqual(before);
    expect(await q(`SELECT tableoid::regclass::text AS part FROM alert_call_buckets WHERE minute < '2026-02-01'`)).toEqual([{ part: 'alert_call_buckets_p20260101' }]);
    await harness.run('down');
    expect(await q(`SELECT customer_id, minute, attempts, trim_scale(spend)::text AS spend FROM alert_call_minutes ORDER BY minute, attempts`)).toEqual(before);
    expect(await q(`SELECT relkind FROM pg_class WHERE relname = 'alert_call_buckets'`)).toEqual([{ relkind: 'r' }]);
  });
});

describe('the callId-per-day migration on existing data', () => {
  let harness: MigrationHarness;

  beforeAll(async () => {
    harness = await migrationHarness(CdrCallIdPerDay1732406401620);
  });

  afterAll(() => harness?.close());

  it('refuses a day holding one callId twice, naming it; then gives every day its unique callId index and reverts', async () => {
    const q = (sql: string) => harness.dataSource.query(sql);
    const insert = (callId: string, at: string) =>
      q(`INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge) VALUES ('${callId}', '${fixedUuid(1)}', '1', '${at}', 1, 'ANSWERED', 1)`);
    await q(`INSERT INTO customers (id, name) VALUES ('${fixedUuid(1)}', 'Old')`);
    await q(`CREATE TABLE cdrs_p20260101 PARTITION OF cdrs FOR VALUES FROM ('2026-01-01T00:00:00Z') TO ('2026-01-02T00:00:00Z')`);
    await insert('twice', '2026-01-01T01:00:00Z');
    await insert('twice', '2026-01-01T02:00:00Z');
    await expect(harness.run('up')).rejects.toThrow(/twice on 2026-01-01/);
    await q(`DELETE FROM cdrs WHERE call_id = 'twice' AND started_at = '2026-01-01T02:00:00Z'`);
    await harness.run('up');
    const indexes = await q(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname ~ '^cdrs_p[0-9]{8}_call_id_key$'`);
    expect(indexes).toEqual(await q(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'cdrs'::regclass`));
    expect(await q(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'cdrs_call_id_key'`)).toEqual([{ n: 0 }]);
    await expect(insert('twice', '2026-01-01T03:00:00Z')).rejects.toThrow(/duplicate key/);
    await harness.run('down');
    expect(await q(`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname ~ '^cdrs_p[0-9]{8}_call_id_key$'`)).toEqual([{ n: 0 }]);
    await insert('twice', '2026-01-01T04:00:00Z');
    await expect(insert('twice', '2026-01-01T04:00:00Z')).rejects.toThrow(/duplicate key/);
  });
});
