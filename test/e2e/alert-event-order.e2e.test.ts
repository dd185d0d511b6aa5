/**
 * The alert events' order without a global lock (issue 15): writers raise events in
 * transactions that commit in an order of their own (not the order of their ids), none
 * waits for another, and a reader never shows an event before every one that sorts before
 * it has committed or rolled back. A screen that resumes from any cursor (a feed's, a
 * list's, alertEventsHead, an id-only cursor of before the change) gets every event it
 * missed exactly once, in order.
 */
import { AlertEventsDocument, AlertEventsFeedDocument, AlertEventsHeadDocument, CreateApiKeyDocument } from '../generated/graphql';
import { chargeCalls, createCustomer, localId, type Call } from '../helpers/alert-fixtures';
import { eventually } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { quietFor } from '../helpers/waits';
import { ALERT_EVENT } from '../../src/modules/alert/alert.topics';
import type { UnitOfWork } from '../../src/platform/db/unit-of-work';

describe('alert event order without a lock', () => {
  let server: TestServer;
  let nocSecret: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    nocSecret = (await server.http().data(CreateApiKeyDocument, { name: 'noc wall', role: 'NOC' })).createApiKey.secret;
  });

  const db = () => server.app.services.db;
  const live = (n: number) => eventually(() => server.app.services.events.listenerCount(ALERT_EVENT) >= n, 10_000, `${n} alert listeners`);
  const listeners = () => server.app.services.events.listenerCount(ALERT_EVENT);
  const longCalls = (customerId: string, n: number): Call[] => Array.from({ length: n }, () => ({ customerId, duration: 7200 }));
  const cursorOf = (key: string[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
  /** Every event after a cursor's key, in (tx, id) order, read from the table itself (all writers here have ended). */
  const storedAfter = async (cursor: string, customerIds?: string[]) => {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as string[];
    const [tx, id] = key.length === 2 ? key : ['0', key[0]];
    // Ordered by the bigint columns (an `id::text` output column would sort "10" before "9").
    const rows = await db().query<{ event_id: string }>(
      `SELECT id::text AS event_id FROM alert_events WHERE (tx, id) > ($1::bigint, $2::bigint) AND ($3::uuid[] IS NULL OR customer_id = ANY($3::uuid[])) ORDER BY tx, id`,
      [tx, id, customerIds ? customerIds.map(localId) : null],
    );
    return rows.map((r) => `evt_${r.event_id}`);
  };
  /** An event written by a transaction the test holds open until `release`. */
  const holdOpen = (customerId: string, before?: (uow: UnitOfWork) => Promise<void>) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let wrote!: (id: string) => void;
    const written = new Promise<string>((resolve) => (wrote = resolve));
    let step!: () => void;
    const started = new Promise<void>((resolve) => (step = resolve));
    let proceed!: () => void;
    const go = new Promise<void>((resolve) => (proceed = resolve));
    const done = db().transaction(async (uow) => {
      if (before) {
        await before(uow);
        step();
        await go;
      }
      const [row] = await uow.query<{ id: string }>(
        `INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message)
         SELECT 'TRIGGERED', e.definition_id, $1, e.area, 1, 0, 'held', 'held open' FROM alert_events e ORDER BY e.id LIMIT 1
         RETURNING id::text`,
        [localId(customerId)],
      );
      wrote(`evt_${row.id}`);
      await gate;
    });
    return { release, written, done, started, proceed };
  };

  it('a transaction holding an event open blocks no other writer; readers show nothing past it until it commits, then both in order', async () => {
    const [held, busy] = await Promise.all([createCustomer(server, { name: 'Held', callDurationTrigger: 3600 }), createCustomer(server, { name: 'Busy', callDurationTrigger: 3600 })]);
    await chargeCalls(server, longCalls(held, 1));
    const head = (await server.http(nocSecret).data(AlertEventsHeadDocument)).alertEventsHead;
    const before = listeners();
    const feed = server.ws(nocSecret).subscribe(AlertEventsFeedDocument, {});
    await live(before + 1);

    const t1 = holdOpen(held);
    const heldId = await t1.written;
    // T2 takes a larger id and commits first; with no global lock it is not held back.
    const [busyEvent] = await chargeCalls(server, longCalls(busy, 1));
    expect(Number(localId(busyEvent.id))).toBeGreaterThan(Number(localId(heldId)));
    // No reader shows it while T1 is open: resuming after it would skip T1's event.
    await quietFor(300);
    expect(feed.received).toHaveLength(0);
    expect((await server.http(nocSecret).data(AlertEventsDocument, { filter: { customerId: busy }, first: 5 })).alertEvents.nodes).toHaveLength(0);
    expect((await server.http(nocSecret).data(AlertEventsHeadDocument)).alertEventsHead).toBe(head);

    t1.release();
    await t1.done;
    const [a, b] = await feed.waitFor(2);
    expect([a.alertEvents.id, b.alertEvents.id]).toEqual([heldId, busyEvent.id]);
    // The cursor the batch was handed resumes right after its event; the head is that event now.
    expect(b.alertEvents.cursor).toBe(busyEvent.cursor);
    expect((await server.http(nocSecret).data(AlertEventsHeadDocument)).alertEventsHead).toBe(busyEvent.cursor);
    await quietFor(200);
    expect(feed.received).toHaveLength(2);
    feed.close();
  });

  it('commit order unlike id order: a transaction that began first and inserts last sorts first, shown once it commits', async () => {
    const [early, late] = await Promise.all([createCustomer(server, { name: 'Early', callDurationTrigger: 3600 }), createCustomer(server, { name: 'Late', callDurationTrigger: 3600 })]);
    await chargeCalls(server, longCalls(early, 1));
    const before = listeners();
    const feed = server.ws(nocSecret).subscribe(AlertEventsFeedDocument, {});
    await live(before + 1);
    // T1 takes its transaction id first (a write), T2 then inserts and commits; T1 inserts after (a larger id) and commits last.
    const t1 = holdOpen(early, async (uow) => {
      await uow.query(`UPDATE customers SET updated_at = updated_at WHERE id = $1`, [localId(early)]);
    });
    await t1.started;
    const [t2Event] = await chargeCalls(server, longCalls(late, 1));
    t1.proceed();
    const t1Event = await t1.written;
    expect(Number(localId(t1Event))).toBeGreaterThan(Number(localId(t2Event.id)));
    await quietFor(200);
    expect(feed.received).toHaveLength(0);
    t1.release();
    await t1.done;
    const got = await feed.waitFor(2);
    expect(got.map((m) => m.alertEvents.id)).toEqual([t1Event, t2Event.id]);
    // A reader resuming after the first gets the second, and after the second nothing.
    const page = await server.http(nocSecret).data(AlertEventsDocument, { after: got[0].alertEvents.cursor, first: 10 });
    expect(page.alertEvents.nodes.map((n) => n.id)).toEqual([t2Event.id]);
    expect((await server.http(nocSecret).data(AlertEventsDocument, { after: got[1].alertEvents.cursor, first: 10 })).alertEvents.nodes).toEqual([]);
    await quietFor(200);
    expect(feed.received).toHaveLength(2);
    feed.close();
  });

  it('a screen that resumes by cursor while alert-raising batches and held transactions commit concurrently gets every event once, in order', async () => {
    const customers = await Promise.all(['A', 'B', 'C'].map((n) => createCustomer(server, { name: `Concurrent ${n}`, callDurationTrigger: 3600 })));
    const noc = server.ws(nocSecret);
    const before = listeners();
    const first = noc.subscribe(AlertEventsFeedDocument, {});
    await live(before + 1);
    await chargeCalls(server, longCalls(customers[0], 1));
    const [seen] = await first.waitFor(1);
    first.close();
    await noc.close();

    // Away: batches on every customer at once, and a transaction left open across them.
    const held = holdOpen(customers[1]);
    await held.written;
    await Promise.all(customers.flatMap((c) => [chargeCalls(server, longCalls(c, 2)), chargeCalls(server, longCalls(c, 1)), chargeCalls(server, longCalls(c, 3))]));
    // Back while the held transaction is still open and more batches arrive.
    const back = server.ws(nocSecret).subscribe(AlertEventsFeedDocument, { after: seen.alertEvents.cursor });
    const more = Promise.all(customers.map((c) => chargeCalls(server, longCalls(c, 2))));
    await quietFor(100);
    held.release();
    await Promise.all([held.done, more]);
    const all = await storedAfter(seen.alertEvents.cursor, customers);
    expect(all).toHaveLength(3 * 6 + 1 + 3 * 2);
    const got = await back.waitFor(all.length);
    expect(got.map((m) => m.alertEvents.id)).toEqual(all);
    // A list resumed from the middle agrees with the feed.
    const mid = got[10].alertEvents.cursor;
    const page = await server.http(nocSecret).data(AlertEventsDocument, { after: mid, first: 100 });
    expect(page.alertEvents.nodes.map((n) => n.id)).toEqual(all.slice(11));
    await chargeCalls(server, longCalls(customers[2], 1));
    await back.waitFor(all.length + 1);
    await quietFor(300);
    expect(back.received).toHaveLength(all.length + 1);
    expect(new Set(back.received.map((m) => m.alertEvents.id)).size).toBe(all.length + 1);
    back.close();
  });

  it('an id-only cursor from before the change resumes after that event: older events by id, then every event since', async () => {
    const customerId = await createCustomer(server, { name: 'Old Cursor', callDurationTrigger: 3600 });
    const filter = { customerId };
    await chargeCalls(server, longCalls(customerId, 4));
    // What the migration does to rows written under the old lock.
    await db().query(`UPDATE alert_events SET tx = 0 WHERE customer_id = $1`, [localId(customerId)]);
    const old = (await db().query<{ id: string }>(`SELECT id::text FROM alert_events WHERE customer_id = $1 ORDER BY id`, [localId(customerId)])).map((r) => `evt_${r.id}`);
    expect(old).toHaveLength(4);
    const since = await chargeCalls(server, longCalls(customerId, 2));
    const oldCursor = cursorOf([localId(old[1])]);
    const expected = [...old.slice(2), ...since.map((e) => e.id)];

    const page = await server.http(nocSecret).data(AlertEventsDocument, { filter, after: oldCursor, first: 10 });
    expect(page.alertEvents.nodes.map((n) => n.id)).toEqual(expected);
    const before = listeners();
    const feed = server.ws(nocSecret).subscribe(AlertEventsFeedDocument, { filter, after: oldCursor });
    await live(before + 1);
    const got = await feed.waitFor(expected.length);
    expect(got.map((m) => m.alertEvents.id)).toEqual(expected);
    await quietFor(200);
    expect(feed.received).toHaveLength(expected.length);
    feed.close();
    // Anything else is still refused.
    expect(await server.http(nocSecret).errorCode(AlertEventsDocument, { filter, after: cursorOf(['x']), first: 1 })).toBe('BAD_USER_INPUT');
  });
});
