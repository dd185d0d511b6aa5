/**
 * Live fan-out at scale: many subscribers on two instances sharing Redis and PostgreSQL,
 * alert events raised by submitCdrs. Each instance reads every new event once (one shared
 * reader) and executes it once per selection and scope, so its SQL statements for N events
 * do not grow with its subscribers; every subscriber still gets exactly the events it is
 * entitled to, once, in cursor order. A socket that stops reading is closed (4413) while
 * the others keep receiving.
 */
import { print } from 'graphql';
import { WebSocket } from 'ws';
import { AlertEventsDocument, AlertEventsFeedDocument, AlertEventsHeadDocument, CreateApiKeyDocument } from '../generated/graphql';
import { eventually, type TestSubscription } from '../helpers/graphql-client';
import { describeWithRedis } from '../helpers/test-env';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { chargeCalls, createCustomer, type Call } from '../helpers/alert-fixtures';
import { quietFor } from '../helpers/waits';
import { ALERT_EVENT } from '../../src/modules/alert/alert.topics';
import { CLOSE_SLOW_CONSUMER } from '../../src/platform/http/ws-transport';

type Feed = TestSubscription<{ alertEvents: { id: string; cursor: string; customer: { id: string } } }>;

const BATCHES = 5;
/** Statements one instance may send per CDR batch of 4 events, whatever its subscribers: the shared reads (a wake-up during a read reads once more) and, per event at most, the selection's two lookups (definition, customer). */
const PER_BATCH = 3 + 4 * 2;

describeWithRedis('fan-out of alert events to many subscribers on two instances', () => {
  let a: TestServer;
  let b: TestServer;
  const env = { SCHEDULER_INTERVAL_MS: '0', WS_MAX_SOCKETS_PER_KEY: '1000' };

  beforeAll(async () => {
    a = await startTestServer({ redis: true, env });
    b = await startTestServer({ redis: true, shared: { databaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix, adminKey: a.adminKey }, env });
  });

  const long = (customerId: string, n: number): Call[] => Array.from({ length: n }, () => ({ customerId, duration: 7200 }));
  const followers = (s: TestServer) => s.app.services.events.listenerCount(ALERT_EVENT);
  /** Opens n subscribers on the server (one socket each) and waits until all are live. */
  const subscribe = async (s: TestServer, n: number, key?: string, variables: { after?: string } = {}): Promise<Feed[]> => {
    const before = followers(s);
    const subs = Array.from({ length: n }, () => s.ws(key).subscribe(AlertEventsFeedDocument, variables));
    await eventually(() => followers(s) >= before + n, 20_000, `${n} subscribers live`);
    return subs;
  };
  const storedAfter = async (cursor: string, customerId?: string) =>
    (await a.http().data(AlertEventsDocument, { filter: customerId ? { customerId } : undefined, after: cursor, first: 500 })).alertEvents.nodes.map((e) => e.id);
  const ids = (sub: Feed) => sub.received.map((m) => m.alertEvents.id);
  const closeAll = async (subs: Feed[]) => {
    for (const s of subs) s.close();
    await eventually(() => followers(a) + followers(b) === 0, 10_000, 'subscribers gone');
  };

  it('200 subscribers get every event once, in order; each instance reads and executes it once (statements independent of subscribers)', async () => {
    const [x, y] = await Promise.all([createCustomer(a, { name: 'Fan X', callDurationTrigger: 3600 }), createCustomer(a, { name: 'Fan Y', callDurationTrigger: 3600 })]);
    const produce = async () => {
      for (let i = 0; i < BATCHES; i++) await chargeCalls(a, [...long(x, 2), ...long(y, 2)]);
    };
    const statementsOnB = async (subscribers: number) => {
      const { alertEventsHead: head } = await b.http().data(AlertEventsHeadDocument);
      const subs = [...(await subscribe(a, subscribers / 2)), ...(await subscribe(b, subscribers / 2))];
      const before = b.app.services.db.queries.count;
      await produce();
      const expected = await storedAfter(head);
      expect(expected).toHaveLength(BATCHES * 4);
      await Promise.all(subs.map((s) => s.waitFor(expected.length, 20_000)));
      await quietFor(300);
      const statements = b.app.services.db.queries.count - before;
      for (const s of subs) expect(ids(s)).toEqual(expected);
      await closeAll(subs);
      return statements;
    };
    const few = await statementsOnB(20);
    const many = await statementsOnB(200);
    process.stdout.write(`fan-out: ${BATCHES * 4} events, statements on the subscribers' instance: ${few} with 10 subscribers, ${many} with 100\n`);
    expect(few).toBeLessThanOrEqual(BATCHES * PER_BATCH);
    expect(many).toBeLessThanOrEqual(BATCHES * PER_BATCH);
  });

  it('CUSTOMER keys among staff subscribers see only their own customer, across instances', async () => {
    const [x, y] = await Promise.all([createCustomer(a, { name: 'Scope X', callDurationTrigger: 3600 }), createCustomer(a, { name: 'Scope Y', callDurationTrigger: 3600 })]);
    const keyOf = async (customerId: string) => (await a.http().data(CreateApiKeyDocument, { name: `portal ${customerId}`, role: 'CUSTOMER', customerId })).createApiKey.secret;
    const [kx, ky] = await Promise.all([keyOf(x), keyOf(y)]);
    const { alertEventsHead: head } = await b.http().data(AlertEventsHeadDocument);
    const staff = [...(await subscribe(a, 10)), ...(await subscribe(b, 10))];
    const ofX = [...(await subscribe(a, 10, kx)), ...(await subscribe(b, 10, kx))];
    const ofY = [...(await subscribe(a, 10, ky)), ...(await subscribe(b, 10, ky))];
    for (let i = 0; i < 3; i++) await chargeCalls(a, [...long(x, 2), ...long(y, 1)]);
    const [all, onlyX, onlyY] = await Promise.all([storedAfter(head), storedAfter(head, x), storedAfter(head, y)]);
    expect([all.length, onlyX.length, onlyY.length]).toEqual([9, 6, 3]);
    await Promise.all([...staff.map((s) => s.waitFor(9)), ...ofX.map((s) => s.waitFor(6)), ...ofY.map((s) => s.waitFor(3))]);
    await quietFor(300);
    for (const s of staff) expect(ids(s)).toEqual(all);
    for (const s of ofX) expect(ids(s)).toEqual(onlyX);
    for (const s of ofY) expect(ids(s)).toEqual(onlyY);
    for (const s of [...ofX, ...ofY]) expect(s.errors).toEqual([]);
    await closeAll([...staff, ...ofX, ...ofY]);
  });

  it('a subscriber resuming from an old cursor while events flow to 100 others gets the missed and the new ones once, in order', async () => {
    const x = await createCustomer(a, { name: 'Resume X', callDurationTrigger: 3600 });
    const { alertEventsHead: head } = await b.http().data(AlertEventsHeadDocument);
    const others = [...(await subscribe(a, 50)), ...(await subscribe(b, 50))];
    for (let i = 0; i < 6; i++) await chargeCalls(a, long(x, 5));
    // Resumes from the head on B while A keeps producing: its catch-up overlaps the live reads.
    const resumed = b.ws().subscribe(AlertEventsFeedDocument, { after: head });
    for (let i = 0; i < 6; i++) await chargeCalls(a, long(x, 5));
    const expected = await storedAfter(head);
    expect(expected).toHaveLength(60);
    await Promise.all([resumed, ...others].map((s) => s.waitFor(60, 20_000)));
    await quietFor(300);
    expect(ids(resumed)).toEqual(expected);
    for (const s of others) expect(ids(s)).toEqual(expected);
    await closeAll([resumed, ...others]);
  });
});

describeWithRedis('a socket that stops reading', () => {
  let server: TestServer;
  const long = (customerId: string, n: number): Call[] => Array.from({ length: n }, () => ({ customerId, duration: 7200 }));

  beforeAll(async () => {
    server = await startTestServer({ redis: true, env: { SCHEDULER_INTERVAL_MS: '0', WS_MAX_BUFFERED_BYTES: String(64 * 1024) } });
  });

  it('is closed with 4413 once its unsent bytes pass WS_MAX_BUFFERED_BYTES, while other subscribers receive every event', async () => {
    const x = await createCustomer(server, { name: 'Slow Reader', callDurationTrigger: 3600 });
    const { alertEventsHead: head } = await server.http().data(AlertEventsHeadDocument);
    const followers = () => server.app.services.alertEvents.feedFollowers;
    const healthy = server.ws().subscribe(AlertEventsFeedDocument, {});
    // A raw graphql-ws client with 100 subscriptions, whose socket stops reading.
    const slow = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => slow.once('open', () => resolve()));
    slow.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${server.adminKey}` } }));
    await new Promise<void>((resolve) => slow.once('message', () => resolve()));
    const query = print(AlertEventsFeedDocument);
    for (let i = 0; i < 100; i++) slow.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query, variables: {} } }));
    await eventually(() => followers() === 101, 10_000, 'subscriptions live');
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();

    let batches = 0;
    // Each event is ~1 KB to each of the 100 subscriptions: the kernel buffers fill, then ws's.
    while (followers() > 1 && batches < 60) {
      await chargeCalls(server, long(x, 50));
      batches++;
    }
    // The server gave up on the slow socket (its subscriptions are gone) ...
    await eventually(() => followers() === 1, 10_000, 'slow socket closed');
    // ... and said why, once the client reads again.
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(CLOSE_SLOW_CONSUMER);
    // The other subscriber got everything.
    const expected = (await server.http().data(AlertEventsDocument, { filter: { customerId: x }, after: head, first: 500 })).alertEvents.nodes.map((e) => e.id);
    expect(expected.length).toBeGreaterThan(0);
    await healthy.waitFor(expected.length, 20_000);
    expect(healthy.received.map((m) => m.alertEvents.id)).toEqual(expected);
    healthy.close();
  });
});
