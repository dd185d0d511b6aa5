/**
 * alert_events partitioned by ISO week with retention (docs/retention.md): the pass drops
 * the oldest weeks while four clients on two instances submit CDRs that raise alert
 * events, and afterwards every balance is exact, every event a batch answered is stored
 * and was delivered once, in order, to a live subscriber; a cursor from a dropped week
 * is refused (CURSOR_EXPIRED) by the list, the feed and an incident's events; an incident
 * whose events are gone keeps working; new events keep flowing. Plus the migration on
 * existing data, and deleting a customer without the cascade.
 */
import { randomUUID } from 'node:crypto';
import {
  AlertsCreateCustomerDocument,
  DeleteCustomerDocument,
  RetentionAcknowledgeDocument,
  RetentionEventsDocument,
  RetentionEventsFeedDocument,
  RetentionIncidentDocument,
  AlertsSubmitCdrsDocument,
  type CdrInput,
} from '../generated/graphql';
import { localId } from '../helpers/alert-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { describeWithRedis } from '../helpers/test-env';
import { DAY_MS, dayOf, dayPartitions, ensureDayPartitions } from '../../src/platform/db/day-partitions';
import { eventPartitionName, weekOf } from '../../src/modules/alert/alert-event-partitions';
import { dec } from '../../src/platform/common/decimal';
import { awaitSettled } from '../../src/modules/balance/ledger-order';
import { fixedUuid, migrationHarness, type MigrationHarness } from '../helpers/migration-harness';
import { AlertEventPartitions1732406401700 } from '../../migrations/1732406401700-alert-event-partitions';

const RETENTION_DAYS = 14;

/** The (tx, id) key of an event cursor, as bigints, for order checks. */
const keyOf = (cursor: string): [bigint, bigint] => {
  const [tx, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as string[];
  return [BigInt(tx), BigInt(id)];
};
const before = (a: [bigint, bigint], b: [bigint, bigint]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

describeWithRedis('alert events partitions and retention', () => {
  let server: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    // The scheduler is off (no repeats of the planted incident) and the test runs the passes.
    const env = { ALERT_EVENT_RETENTION_DAYS: String(RETENTION_DAYS), PARTITION_MAINTENANCE_MS: '3600000', SCHEDULER_INTERVAL_MS: '0' };
    // Through Redis: a batch on one instance wakes the feeds of the other.
    server = await startTestServer({ env, redis: true });
    other = await startTestServer({ env, redis: true, shared: { databaseUrl: server.databaseUrl, redisPrefix: server.redisPrefix, adminKey: server.adminKey } });
  });

  const db = () => server.app.services.db;
  const weeks = async () => (await dayPartitions(db(), 'alert_events')).filter((p) => p.attached).map((p) => p.day);
  const customer = async (input: Record<string, unknown>) =>
    (await server.http().data(AlertsCreateCustomerDocument, { input: { name: `Event retention ${randomUUID()}`, ...input } })).createCustomer.id;
  const submit = async (client: TestServer, cdrs: CdrInput[]) => (await client.http().data(AlertsSubmitCdrsDocument, { cdrs })).submitCdrs;
  const expectExpired = (errors: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined, keptSince: string) => {
    expect(errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CURSOR_EXPIRED', keptSince });
    expect(errors?.[0].message).toMatch(/Resync/);
  };

  it('keeps last week to two weeks ahead created, one partition per ISO week from Monday, on two instances at once', async () => {
    const week = weekOf(dayOf(Date.now()));
    expect(new Date(week * DAY_MS).getUTCDay()).toBe(1);
    // Both instances at once (the creation lock makes one create each week); nothing here is past retention.
    expect(await Promise.all([server.app.services.alertEventPartitions.maintain(), other.app.services.alertEventPartitions.maintain()])).toEqual([[], []]);
    const all = await weeks();
    expect(all).toEqual(expect.arrayContaining([week - 7, week, week + 7, week + 14]));
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((w) => weekOf(w) === w)).toBe(true);
  });

  it('drops the oldest weeks while four clients raise alerts: balances exact, no kept event lost, old cursors refused, new events keep flowing', async () => {
    const week = weekOf(dayOf(Date.now()));
    const [w5, w4] = [week - 35, week - 28];
    const keptSince = new Date((w4 + 7) * DAY_MS).toISOString();
    // Stored long ago: an incident whose events all fall in the two weeks past retention.
    const owner = localId(await customer({ balance: '100' }));
    await ensureDayPartitions(db(), 'alert_events', [w5, w4], { spanDays: 7 });
    const [{ id: incidentId }] = await db().query<{ id: string }>(
      `INSERT INTO alert_incidents (definition_id, customer_id, opened_value, last_value, opened_at)
       SELECT id, $1, -5, -6, $2 FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD' RETURNING id::text`,
      [owner, new Date(w5 * DAY_MS + 3_600_000).toISOString()],
    );
    for (const [w, kind] of [[w5, 'TRIGGERED'], [w4, 'REPEATED']] as const) {
      await db().query(
        `INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, occurred_at, incident_id)
         SELECT $1, d.id, $2, 'BALANCE', -5, 0, 'old', 'old', $3::timestamptz + g * interval '1 minute', $4
           FROM alert_definitions d, generate_series(1, 200) g WHERE d.builtin = 'LOW_BALANCE_THRESHOLD'`,
        [kind, owner, new Date(w * DAY_MS).toISOString(), incidentId],
      );
    }
    // Planted behind the API's back: shown once settled (every transaction that began before them ended).
    await awaitSettled(db(), (await db().query<{ tx: string }>(`SELECT max(tx)::text AS tx FROM alert_events`))[0].tx);
    const oldList = await server.http().data(RetentionEventsDocument, { first: 2 });
    const oldCursor = oldList.alertEvents.nodes[0].cursor;
    const incidentGid = `inc_${incidentId}`;
    const oldIncidentCursor = (await server.http().data(RetentionIncidentDocument, { id: incidentGid })).alertIncident!.events.nodes[0].cursor;
    const head = (await server.http().data(RetentionEventsDocument, { last: 1 })).alertEvents.nodes[0].cursor;

    // Customers that cross their low-balance threshold once and raise an event per long call.
    const customers = await Promise.all(Array.from({ length: 6 }, () => customer({ balance: '1000', lowBalanceThreshold: '999.5', callDurationTrigger: 3600 })));
    const batches: CdrInput[][] = Array.from({ length: 20 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => ({
        callId: randomUUID(),
        customerId: customers[(b + i) % customers.length],
        callee: '4930123456',
        startedAt: new Date(Date.now() - 60_000 - i * 1000).toISOString(),
        duration: i % 10 === 0 ? 7200 : 42,
        disposition: 'ANSWERED' as const,
        charge: `0.${String(1 + ((b * 7 + i) % 97)).padStart(4, '0')}`,
      })),
    );
    const expected = new Map(customers.map((c) => [localId(c), dec('0')]));
    for (const batch of batches) for (const r of batch) expected.set(localId(String(r.customerId)), expected.get(localId(String(r.customerId)))!.plus(String(r.charge)));

    // A live screen from before the ingest, without a cursor.
    const screen = server.ws().subscribe(RetentionEventsFeedDocument, {});
    await (async () => {
      while (server.app.services.alertEvents.feedFollowers < 1) await new Promise((r) => setTimeout(r, 10));
    })();

    const answered: string[] = [];
    let next = 0;
    const client = async (instance: TestServer) => {
      while (next < batches.length) {
        const result = await submit(instance, batches[next++]);
        expect(result.rejected).toEqual([]);
        expect(result.accepted).toBe(100);
        answered.push(...result.alertEvents.map((e) => e.id));
      }
    };
    const clients = [client(server), client(other), client(server), client(other)];
    while (next < 4) await new Promise((r) => setTimeout(r, 5));
    const [dropped] = await Promise.all([server.app.services.alertEventPartitions.maintain(), ...clients]);
    expect(dropped).toEqual([w5, w4]);
    // Gone whole, not deleted row by row.
    const [{ leftover }] = await db().query<{ leftover: string | null }>(`SELECT to_regclass($1)::text AS leftover`, [eventPartitionName(w4)]);
    expect(leftover).toBeNull();
    expect(await weeks()).toEqual(expect.arrayContaining([week - 7, week]));

    // Balances exact, the ledger agrees.
    for (const c of customers) {
      const [row] = await db().query<{ balance: string; ledger: string }>(
        `SELECT c.balance::text AS balance, (SELECT sum(delta) FROM balance_ledger l WHERE l.customer_id = c.id)::text AS ledger FROM customers c WHERE c.id = $1`,
        [localId(c)],
      );
      expect(dec(row.balance).eq(dec('1000').minus(expected.get(localId(c))!))).toBe(true);
      expect(dec(row.ledger).eq(row.balance)).toBe(true);
    }
    // 200 long calls and one low-balance crossing per customer; every event answered is stored.
    expect(answered).toHaveLength(200 + customers.length);
    const stored = await db().query<{ id: string }>(`SELECT 'evt_' || id AS id FROM alert_events WHERE id = ANY($1::bigint[])`, [answered.map(localId)]);
    expect(stored).toHaveLength(answered.length);
    // The screen got each exactly once, in cursor order.
    const seen = await screen.waitFor(answered.length, 30_000);
    expect(seen.map((s) => s.alertEvents.id).sort()).toEqual([...answered].sort());
    for (let i = 1; i < seen.length; i++) expect(before(keyOf(seen[i - 1].alertEvents.cursor), keyOf(seen[i].alertEvents.cursor))).toBe(true);
    // And the list, from its start, holds them all (the planted weeks are gone).
    const listed = await server.http().data(RetentionEventsDocument, { first: 500 });
    expect(listed.alertEvents.nodes.map((n) => n.id).sort()).toEqual([...answered].sort());

    // Cursors into the dropped weeks: refused by the list (both ways), the incident's events and the feed.
    expectExpired((await server.http().request(RetentionEventsDocument, { first: 10, after: oldCursor })).errors, keptSince);
    expectExpired((await server.http().request(RetentionEventsDocument, { last: 10, before: oldCursor })).errors, keptSince);
    expectExpired((await server.http().request(RetentionIncidentDocument, { id: incidentGid, after: oldIncidentCursor })).errors, keptSince);
    const stale = server.ws().subscribe(RetentionEventsFeedDocument, { after: oldCursor });
    await stale.ended();
    expect(JSON.stringify(stale.errors)).toContain('CURSOR_EXPIRED');

    // The incident outlives its events: it lists, its events are those kept (none), and it can be acknowledged.
    const incident = await server.http().data(RetentionIncidentDocument, { id: incidentGid });
    expect(incident.alertIncident).toMatchObject({ status: 'OPEN', openedValue: '-5', events: { nodes: [] } });
    expect((await server.http().data(RetentionAcknowledgeDocument, { id: incidentGid })).acknowledgeIncident.status).toBe('ACKNOWLEDGED');
    expect((await server.http().data(RetentionIncidentDocument, { id: incidentGid })).alertIncident!.events.nodes.map((n) => n.kind)).toEqual(['ACKNOWLEDGED']);

    // The cursor at the last dropped event (the head before the ingest) is the mark itself: still good, it resumes every kept event.
    const resumed = await server.http().request(RetentionEventsDocument, { first: 500, after: head });
    expect(resumed.errors).toBeUndefined();
    expect(resumed.data!.alertEvents.nodes.filter((n) => n.kind !== 'ACKNOWLEDGED').map((n) => n.id).sort()).toEqual([...answered].sort());

    // A transaction that straddled the dropped week's end (a kept row with a smaller tx) is treated as gone: no list hands out a cursor before the mark.
    const [straddler] = await db().query<{ id: string }>(
      `INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, tx)
       SELECT 'TRIGGERED', id, $1, 'BALANCE', -5, 0, 'straddler', 'straddler', 1 FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD' RETURNING 'evt_' || id AS id`,
      [owner],
    );
    for (const args of [{ first: 1 }, { last: 500 }]) {
      const page = (await server.http().data(RetentionEventsDocument, args)).alertEvents.nodes;
      expect(page.map((n) => n.id)).not.toContain(straddler.id);
      expect((await server.http().request(RetentionEventsDocument, { first: 1, after: page[0].cursor })).errors).toBeUndefined();
    }

    // New events keep flowing to the screen, and to one that resumes from the mark on the other instance.
    const late = other.ws().subscribe(RetentionEventsFeedDocument, { after: head });
    const more = await submit(other, [{ ...batches[0][0], callId: randomUUID(), duration: 7200, startedAt: new Date(Date.now() - 10_000).toISOString() }]);
    expect(more.alertEvents).toHaveLength(1);
    await eventuallyHas(screen, more.alertEvents[0].id);
    await eventuallyHas(late, more.alertEvents[0].id);
    expect(late.received.filter((r) => r.alertEvents.kind !== 'ACKNOWLEDGED')).toHaveLength(answered.length + 1);
  });

  it("deletes a customer's events with it (no cascade on the partitioned table)", async () => {
    const id = localId(await customer({}));
    await db().query(
      `INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message)
       SELECT 'TRIGGERED', id, $1, 'BALANCE', 0, 0, 's', 'm' FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD'`,
      [id],
    );
    expect((await server.http().data(DeleteCustomerDocument, { id: `cus_${id}` })).deleteCustomer).toBe(true);
    expect(await db().query(`SELECT id FROM alert_events WHERE customer_id = $1`, [id])).toEqual([]);
  });
});

/** Waits until the subscription received the event. */
async function eventuallyHas(sub: { received: { alertEvents: { id: string } }[]; waitFor(n: number, ms?: number): Promise<unknown> }, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!sub.received.some((r) => r.alertEvents.id === id)) {
    if (Date.now() > deadline) throw new Error(`event ${id} not delivered`);
    await sub.waitFor(sub.received.length + 1, deadline - Date.now()).catch(() => undefined);
  }
}

describe('the alert events partitioning migration on existing data', () => {
  let harness: MigrationHarness;

  beforeAll(async () => {
    harness = await migrationHarness(AlertEventPartitions1732406401700);
  });

  afterAll(() => harness?.close());

  it('moves every event into the partition of its week, keeps ids, tx and the sequence, and reverts with the foreign keys', async () => {
    const q = (sql: string) => harness.dataSource.query(sql);
    await q(`INSERT INTO customers (id, name) VALUES ('${fixedUuid(1)}', 'Old')`);
    const [{ id: incident }] = await q(
      `INSERT INTO alert_incidents (definition_id, customer_id, opened_value, last_value) SELECT id, '${fixedUuid(1)}', 1, 1 FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD' RETURNING id`,
    );
    await q(`
      INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, occurred_at, incident_id)
      SELECT 'TRIGGERED', d.id, '${fixedUuid(1)}', 'BALANCE', v, 0, 's', 'm', at, ${incident}
        FROM alert_definitions d, (VALUES (1, timestamptz '2026-01-01T00:00:00Z'), (2, '2026-01-04T23:59:59.999Z'), (3, '2026-01-05T00:00:00Z'), (4, now())) AS x(v, at)
       WHERE d.builtin = 'LOW_BALANCE_THRESHOLD'`);
    await q(`INSERT INTO notifications (kind, channel, recipient, alert_event_id) SELECT 'ALERT', 'EMAIL', 'noc@example.com', min(id) FROM alert_events`);
    const rows = `SELECT id::text, tx::text, kind, occurred_at, incident_id::text, value::text FROM alert_events ORDER BY tx, id`;
    const original = await q(rows);
    await harness.run('up');
    expect(await q(rows)).toEqual(original);
    // 2026-01-01 (a Thursday) and the Sunday after are in the week of Monday 2025-12-29; the Monday starts the next.
    expect((await q(`SELECT tableoid::regclass::text AS part FROM alert_events WHERE occurred_at < '2026-02-01' ORDER BY id`)).map((r: { part: string }) => r.part)).toEqual([
      'alert_events_p20251229',
      'alert_events_p20251229',
      'alert_events_p20260105',
    ]);
    expect(await q(`SELECT conname FROM pg_constraint WHERE conrelid IN ('alert_events'::regclass, 'notifications'::regclass) AND contype = 'f'`)).toEqual([
      { conname: 'notifications_customer_id_fkey' },
    ]);
    expect(await q(`SELECT dropped_tx::text, dropped_id::text, kept_since FROM alert_event_retention`)).toEqual([{ dropped_tx: '0', dropped_id: '0', kept_since: null }]);
    const [added] = await q(
      `INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message) SELECT 'RESOLVED', id, '${fixedUuid(1)}', 'BALANCE', 5, 0, 's', 'm' FROM alert_definitions WHERE builtin = 'LOW_BALANCE_THRESHOLD' RETURNING id::text, tx::text`,
    );
    expect(Number(added.id)).toBeGreaterThan(Number(original[3].id));
    expect(Number(added.tx)).toBeGreaterThan(0);
    await harness.run('down');
    expect(await q(`SELECT relkind FROM pg_class WHERE relname = 'alert_events'`)).toEqual([{ relkind: 'r' }]);
    expect((await q(rows)).slice(0, 4)).toEqual(original);
    expect((await q(`SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'alert_events'::regclass AND contype = 'f'`))[0].n).toBe(3);
    expect(await q(`SELECT alert_event_id::text AS id FROM notifications`)).toEqual([{ id: original[0].id }]);
    await harness.run('up');
    expect(await q(`SELECT count(*)::int AS n FROM alert_events`)).toEqual([{ n: 5 }]);
  });
});
