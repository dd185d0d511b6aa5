import { AlertEventsDocument, AlertEventsFeedDocument, AlertEventsHeadDocument, AlertTriggeredDocument, CreateAlertDefinitionDocument, CreateApiKeyDocument } from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { describeWithRedis } from '../helpers/test-env';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { chargeCalls, createCustomer, localId, runJob, type Call } from '../helpers/alert-fixtures';
import { quietFor } from '../helpers/waits';
import { ALERT_EVENT } from '../../src/modules/alert/alert.topics';

describeWithRedis('alert subscriptions across instances', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ redis: true, env: { SCHEDULER_INTERVAL_MS: '0' } });
    b = await startTestServer({
      redis: true,
      shared: { databaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix, adminKey: a.adminKey },
      env: { SCHEDULER_INTERVAL_MS: '0' },
    });
  });

  const ws = (server: TestServer, key?: string) => server.ws(key);
  /** Resolves once `server` has `n` live listeners on alert events (the subscription reached Redis). */
  const live = (server: TestServer, n: number) => eventually(() => server.app.services.events.listenerCount(ALERT_EVENT) >= n, 10_000, 'subscription live');
  const longCalls = (customerId: string, n: number): Call[] => Array.from({ length: n }, () => ({ customerId, duration: 7200 }));

  it('a subscriber on instance B receives the alert caused by a CDR batch on instance A, repeats included', async () => {
    const customerId = await createCustomer(a, { name: 'Cross Instance', balance: '1' });
    await a.http().data(CreateAlertDefinitionDocument, {
      input: { title: 'Cross-instance negative', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', repeatInterval: 60 },
    });
    const sub = ws(b).subscribe(AlertTriggeredDocument, { customerId });
    await live(b, 1);
    await chargeCalls(a, [{ customerId, duration: 30, charge: '3' }]);
    const [first] = await sub.waitFor(1);
    expect(first.alertTriggered).toMatchObject({ kind: 'TRIGGERED', value: '-2', customer: { id: customerId, name: 'Cross Instance' } });
    await a.app.services.db.query(`UPDATE alert_states SET last_notified_at = now() - interval '61 seconds' WHERE customer_id = $1`, [localId(customerId)]);
    await runJob(a, 'alert-repeats');
    const [, repeated] = await sub.waitFor(2);
    expect(repeated.alertTriggered).toMatchObject({ kind: 'REPEATED', value: '-2' });
    expect(Number(localId(repeated.alertTriggered.id))).toBeGreaterThan(Number(localId(first.alertTriggered.id)));
    sub.close();
  });

  it('a subscriber that missed 50 events resumes with after: exactly those 50 in order, then live ones, none twice', async () => {
    const customerId = await createCustomer(a, { name: 'Resumer', callDurationTrigger: 3600 });
    const filter = { customerId };
    const c1 = ws(b);
    const s1 = c1.subscribe(AlertEventsFeedDocument, { filter });
    await live(b, 1);
    await chargeCalls(a, longCalls(customerId, 1));
    const [seen] = await s1.waitFor(1);
    s1.close();
    await c1.close();
    // Offline: 50 events in 5 separately committed batches.
    for (let i = 0; i < 5; i++) await chargeCalls(a, longCalls(customerId, 10));
    const missed = (await a.http().data(AlertEventsDocument, { filter, after: seen.alertEvents.cursor, first: 500 })).alertEvents.nodes;
    expect(missed).toHaveLength(50);
    // Resubscribe on B while A keeps producing: catch-up and live overlap.
    const s2 = ws(b).subscribe(AlertEventsFeedDocument, { filter, after: seen.alertEvents.cursor });
    const producing = (async () => {
      for (let i = 0; i < 4; i++) await chargeCalls(a, longCalls(customerId, 5));
    })();
    await producing;
    const got = await s2.waitFor(70);
    const all = (await a.http().data(AlertEventsDocument, { filter, after: seen.alertEvents.cursor, first: 500 })).alertEvents.nodes;
    expect(all).toHaveLength(70);
    expect(got.slice(0, 50).map((m) => m.alertEvents.id)).toEqual(missed.map((e) => e.id));
    expect(got.map((m) => m.alertEvents.id)).toEqual(all.map((e) => e.id));
    // And then live ones, still exactly once.
    await chargeCalls(a, longCalls(customerId, 1));
    await s2.waitFor(71);
    await quietFor(300);
    expect(s2.received).toHaveLength(71);
    const ids = s2.received.map((m) => Number(localId(m.alertEvents.id)));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(71);
    s2.close();
  });

  it('alertEventsHead: a screen that loads its state, then subscribes after the head, misses nothing committed in between and gets nothing twice', async () => {
    const customerId = await createCustomer(a, { name: 'Head Reader', callDurationTrigger: 3600 });
    await chargeCalls(a, longCalls(customerId, 2));
    const { alertEventsHead: head } = await b.http().data(AlertEventsHeadDocument);
    const newest = (await a.http().data(AlertEventsDocument, { filter: { customerId } })).alertEvents.nodes.at(-1)!;
    // Nothing else writes events in this deployment meanwhile: the head is the newest event.
    expect(head).toBe(newest.cursor);
    // Committed after the screen read its state, before its subscription starts:
    await chargeCalls(a, longCalls(customerId, 3));
    const sub = ws(b).subscribe(AlertEventsFeedDocument, { filter: { customerId }, after: head });
    await chargeCalls(a, longCalls(customerId, 1));
    const got = await sub.waitFor(4);
    await quietFor(300);
    expect(sub.received).toHaveLength(4);
    const after = (await a.http().data(AlertEventsDocument, { filter: { customerId }, after: head })).alertEvents.nodes;
    expect(got.map((m) => m.alertEvents.id)).toEqual(after.map((e) => e.id));
    sub.close();
  });

  it("a CUSTOMER key subscribed with another customer's id receives nothing of it", async () => {
    const mine = await createCustomer(a, { name: 'Mine', callDurationTrigger: 60 });
    const theirs = await createCustomer(a, { name: 'Theirs', callDurationTrigger: 60 });
    const key = (await a.http().data(CreateApiKeyDocument, { name: 'mine portal', role: 'CUSTOMER', customerId: mine })).createApiKey.secret;
    const client = ws(b, key);
    const before = b.app.services.events.listenerCount(ALERT_EVENT);
    const spying = client.subscribe(AlertTriggeredDocument, { customerId: theirs });
    const spyingFeed = client.subscribe(AlertEventsFeedDocument, { filter: { customerId: theirs } });
    const everything = client.subscribe(AlertEventsFeedDocument, {});
    await live(b, before + 3);
    await chargeCalls(a, [
      { customerId: theirs, duration: 100 },
      { customerId: mine, duration: 100 },
      { customerId: theirs, duration: 200 },
    ]);
    const [own] = await everything.waitFor(1);
    expect(own.alertEvents.customer.id).toBe(mine);
    await quietFor(300);
    expect(everything.received).toHaveLength(1);
    expect(spying.received).toHaveLength(0);
    expect(spyingFeed.received).toHaveLength(0);
    // Nor does the cursor help: catching up from the start yields only its own events.
    const fromTheStart = Buffer.from(JSON.stringify(['0'])).toString('base64url');
    const catchUp = client.subscribe(AlertEventsFeedDocument, { after: fromTheStart });
    const [c1] = await catchUp.waitFor(1);
    expect(c1.alertEvents.customer.id).toBe(mine);
    await quietFor(300);
    expect(catchUp.received.every((m) => m.alertEvents.customer.id === mine)).toBe(true);
  });

  it('refuses INGEST keys', async () => {
    const key = (await a.http().data(CreateApiKeyDocument, { name: 'switch', role: 'INGEST' })).createApiKey.secret;
    const sub = ws(b, key).subscribe(AlertTriggeredDocument, {});
    await sub.ended();
    expect(JSON.stringify(sub.errors)).toContain('FORBIDDEN');
    expect(sub.received).toHaveLength(0);
  });
});
