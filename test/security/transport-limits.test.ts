/**
 * Transport attacks against a production-mode server in its own process: graphql-ws
 * floods (subscriptions per socket, sockets per key, sockets that never initialise),
 * HTTP floods (16 MB bodies without a valid key, slow headers and bodies, more
 * connections than the cap). Each is refused within 1 s (or within the configured
 * timeout), the server's peak RSS during the attack stays under 50 MB above idle, and
 * the server answers `{ me { role } }` afterwards.
 */
import { AdjustDecimalDocument, CreateApiKeyDocument, CreateCustomerDocument, MeDocument, type Role } from '../generated/graphql';
import { startServerProcess, type ServerProcess } from './helpers/server-process';
import { postHead, rawHttp, RawGraphqlWs, type RawHttpExchange } from './helpers/transport-clients';
import { within } from '../helpers/waits';

jest.setTimeout(60_000);

const MB = 1024 * 1024;
const MAX_SUBSCRIPTIONS = 100;
const MAX_SOCKETS = 5;
const INIT_TIMEOUT_MS = 500;
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: ServerProcess;
let customerId: string;
let customerKey: string;
let nocKey: string;

async function createKey(role: Role, customer?: string): Promise<string> {
  const created = await server.http().data(CreateApiKeyDocument, { name: `transport ${role}`, role, customerId: customer });
  return created.createApiKey.secret;
}

/** Idle RSS after a settle, with the peak reset so peakRss() measures the attack alone. */
async function idleRss(): Promise<number> {
  await sleep(200);
  server.resetPeak();
  return server.rss();
}

async function expectHealthy(): Promise<void> {
  const me = await server.http().data(MeDocument);
  expect(me.me.role).toBe('ADMIN');
}

beforeAll(async () => {
  server = await startServerProcess({
    env: {
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: String(MAX_SUBSCRIPTIONS),
      WS_MAX_SOCKETS_PER_KEY: String(MAX_SOCKETS),
      WS_INIT_TIMEOUT_MS: String(INIT_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      // The socket and connection caps are under test here, not the request budgets (rate-limits.test.ts).
      RATE_LIMIT_REQUESTS_PER_SEC_ADMIN: '0',
      RATE_LIMIT_REQUESTS_PER_SEC_NOC: '0',
      RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER: '0',
    },
  });
  const created = await server.http().data(CreateCustomerDocument, { input: { name: 'Transport target' } });
  customerId = created.createCustomer.id;
  customerKey = await createKey('CUSTOMER', customerId);
  nocKey = await createKey('NOC');
});


describe('graphql-ws limits', () => {
  const balanceChanged = 'subscription ($c: ID) { balanceChanged(customerId: $c) { balance delta } }';

  it('caps a CUSTOMER socket at WS_MAX_SUBSCRIPTIONS_PER_SOCKET: the next one gets LIMIT_EXCEEDED, a completed one frees its slot', async () => {
    const ws = await RawGraphqlWs.open(server.url, customerKey);
    expect(ws.acknowledged).toBe(true);
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) ws.subscribe(String(i), balanceChanged, { c: customerId });
    await sleep(500);
    const started = Date.now();
    ws.subscribe('over', balanceChanged, { c: customerId });
    await ws.until(() => ws.count('error') === 1, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    const refusal = ws.messages.find((m) => m.type === 'error')!;
    expect(refusal.id).toBe('over');
    const [error] = refusal.payload as { message: string; extensions: Record<string, unknown> }[];
    expect(error.message).toContain('WS_MAX_SUBSCRIPTIONS_PER_SOCKET');
    expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET', max: MAX_SUBSCRIPTIONS });

    // The admitted 100 are live: one balance change reaches each of them, once.
    await server.http().data(AdjustDecimalDocument, { customerId, amount: '1.5' });
    await ws.until(() => ws.count('next') >= MAX_SUBSCRIPTIONS, 10_000);
    await sleep(200);
    expect(ws.count('next')).toBe(MAX_SUBSCRIPTIONS);

    ws.send({ id: '0', type: 'complete' });
    await sleep(100);
    ws.subscribe('after-complete', balanceChanged, { c: customerId });
    await sleep(300);
    expect(ws.messages.some((m) => m.id === 'after-complete')).toBe(false);
    expect(ws.close).toBeUndefined();
    await ws.terminate();
    await expectHealthy();
  });

  it.each([
    ['CUSTOMER', 'balanceChanged'],
    ['NOC', 'alertEvents'],
  ])('answers a %s socket that sends 5,000 %s subscriptions with LIMIT_EXCEEDED past the cap, then closes it (4429)', async (role, field) => {
    const ws = await RawGraphqlWs.open(server.url, role === 'NOC' ? nocKey : customerKey);
    const query = field === 'balanceChanged' ? balanceChanged : 'subscription { alertEvents { id } }';
    // Warm-up: the first subscription compiles the server's code paths.
    ws.subscribe('warm-up', query, { c: customerId });
    await sleep(300);
    ws.send({ id: 'warm-up', type: 'complete' });
    await sleep(100);
    const idle = await idleRss();
    const started = Date.now();
    for (let i = 0; i < 5_000; i++) ws.subscribe(String(i), query, { c: customerId });
    await ws.until(() => ws.close !== undefined, 10_000);
    expect(ws.close!.at - started).toBeLessThan(1_000);
    expect(ws.close).toMatchObject({ code: 4429, reason: `Kept sending operations past WS_MAX_SUBSCRIPTIONS_PER_SOCKET=${MAX_SUBSCRIPTIONS}` });
    // Refusals answered before the close are all LIMIT_EXCEEDED; nothing past the cap ran.
    expect(ws.count('error', 'LIMIT_EXCEEDED')).toBeGreaterThan(0);
    expect(ws.count('error')).toBe(ws.count('error', 'LIMIT_EXCEEDED'));
    expect(ws.count('next')).toBe(0);
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);
    await expectHealthy();
  });

  it('closes sockets of one key past WS_MAX_SOCKETS_PER_KEY with 4429; other keys are unaffected; a closed socket frees its slot', async () => {
    const open: RawGraphqlWs[] = [];
    for (let i = 0; i < MAX_SOCKETS; i++) open.push(await RawGraphqlWs.open(server.url, nocKey));
    expect(open.every((s) => s.acknowledged)).toBe(true);
    const idle = await idleRss();
    for (let i = 0; i < 100; i++) {
      const started = Date.now();
      const refused = await RawGraphqlWs.open(server.url, nocKey);
      await refused.until(() => refused.close !== undefined, 1_000);
      expect(refused.acknowledged).toBe(false);
      expect(refused.close).toMatchObject({ code: 4429 });
      expect(refused.close!.reason).toContain('WS_MAX_SOCKETS_PER_KEY=5');
      expect(refused.close!.at - started).toBeLessThan(1_000);
    }
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);

    const otherKey = await RawGraphqlWs.open(server.url, customerKey);
    expect(otherKey.acknowledged).toBe(true);
    await otherKey.terminate();

    await open[0].terminate();
    let replacement: RawGraphqlWs | undefined;
    for (let attempt = 0; attempt < 20 && !replacement?.acknowledged; attempt++) {
      if (attempt) await sleep(50);
      replacement = await RawGraphqlWs.open(server.url, nocKey);
    }
    expect(replacement!.acknowledged).toBe(true);
    await Promise.all([replacement!, ...open.slice(1)].map((s) => s.terminate()));
    await expectHealthy();
  });

  it('closes a socket that never sends connection_init after WS_INIT_TIMEOUT_MS with 4408', async () => {
    const idle = await idleRss();
    const sockets = await Promise.all(Array.from({ length: 20 }, () => RawGraphqlWs.open(server.url)));
    const opened = Date.now();
    await Promise.all(sockets.map((s) => s.until(() => s.close !== undefined, INIT_TIMEOUT_MS + 1_000)));
    for (const s of sockets) {
      expect(s.close!.code).toBe(4408);
      expect(s.close!.at - opened).toBeLessThan(INIT_TIMEOUT_MS + 1_000);
    }
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);
    await expectHealthy();
  });
});

describe('HTTP limits', () => {
  const BODY = 16 * MB;

  /** Sends a 16 MB request head and its first 64 KB, then keeps sending until the server cuts the connection. */
  async function hugeBody(key: string | undefined): Promise<{ exchange: RawHttpExchange; answeredIn: number; sentWhenAnswered: number; sent: number }> {
    const exchange = await rawHttp(server.url);
    const started = Date.now();
    await exchange.write(postHead(server.url, BODY, key));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    if (await exchange.write(chunk)) sent += chunk.length;
    const answeredAt = await within(exchange.firstByte, 1_000, 'answer to a 16 MB body');
    const sentWhenAnswered = sent;
    while (sent < BODY && (await exchange.write(chunk))) sent += chunk.length;
    await within(exchange.closed, 2_000, 'server closing the connection');
    return { exchange, answeredIn: answeredAt - started, sentWhenAnswered, sent };
  }

  it.each([
    ['without a key', undefined],
    ['with an unknown key', 'lg_unknown_key_0123456789abcdef'],
  ])('answers a 16 MB body %s with 401 before reading it, and closes the connection', async (_label, key) => {
    const idle = await idleRss();
    const results = await Promise.all(Array.from({ length: 10 }, () => hugeBody(key)));
    for (const r of results) {
      expect(r.exchange.received()).toMatch(/^HTTP\/1\.1 401 /);
      expect(r.exchange.received()).toMatch(/[Cc]onnection: close/);
      expect(r.exchange.received()).toContain('"code":"UNAUTHENTICATED"');
      // The answer came when 64 KB of the 16 MB had been sent: the body was not waited for.
      expect(r.sentWhenAnswered).toBe(64 * 1024);
      expect(r.answeredIn).toBeLessThan(1_000);
      // The rest was not accepted: the connection closed before 16 MB went out.
      expect(r.sent).toBeLessThan(BODY);
    }
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);
    await expectHealthy();
  });

  it('cuts slow headers after HTTP_HEADERS_TIMEOUT_MS and a slow body after HTTP_REQUEST_TIMEOUT_MS with 408', async () => {
    const idle = await idleRss();
    const head = postHead(server.url, 1_000, server.adminKey);
    const slow = async (prefix: string, drip: string): Promise<{ exchange: RawHttpExchange; heldFor: number }> => {
      const exchange = await rawHttp(server.url);
      const started = Date.now();
      await exchange.write(prefix);
      let closed = false;
      void exchange.closed.then(() => (closed = true));
      // A few bytes a second, for far longer than the timeout if the server let it.
      for (let i = 0; i < 40 && !closed; i++) {
        await exchange.write(drip[i % drip.length]);
        await sleep(250);
      }
      return { exchange, heldFor: (await within(exchange.closed, 1, 'close')) - started };
    };
    const [headers, bodies] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => slow('', head))),
      Promise.all(Array.from({ length: 10 }, () => slow(head, '{"query":"{ me { role } }"}'))),
    ]);
    for (const h of headers) {
      expect(h.exchange.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(h.heldFor).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(h.heldFor).toBeLessThan(HEADERS_TIMEOUT_MS + 1_000);
    }
    for (const b of bodies) {
      expect(b.exchange.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(b.heldFor).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      expect(b.heldFor).toBeLessThan(REQUEST_TIMEOUT_MS + 1_000);
    }
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);
    await expectHealthy();
    expect(server.output()).toContain('request timed out');
  });

  it('closes connections past HTTP_MAX_CONNECTIONS at once and logs it', async () => {
    const idle = await idleRss();
    const attempts = MAX_CONNECTIONS + 20;
    const opened = await Promise.all(
      Array.from({ length: attempts }, async () => {
        const exchange = await rawHttp(server.url);
        // A request begun, so an accepted connection stays open until the headers timeout.
        await exchange.write('POST /graphql HTTP/1.1\r\n');
        return { exchange, at: Date.now() };
      }),
    );
    await sleep(500);
    const closedEarly = [];
    for (const o of opened) {
      const closedAt = await Promise.race([o.exchange.closed, Promise.resolve(0)]);
      if (closedAt) closedEarly.push(closedAt - o.at);
    }
    // The test's own keep-alive connections count too, so at least the 20 over the cap are closed.
    expect(closedEarly.length).toBeGreaterThanOrEqual(attempts - MAX_CONNECTIONS);
    expect(closedEarly.length).toBeLessThan(attempts);
    for (const ms of closedEarly) expect(ms).toBeLessThan(1_000);
    expect(server.peakRss() - idle).toBeLessThan(50 * MB);
    for (const o of opened) o.exchange.socket.destroy();
    await sleep(200);
    await expectHealthy();
    expect(server.output()).toContain('HTTP_MAX_CONNECTIONS');
  });
});
