import { AdjustDecimalDocument, AdjustInlineDecimalDocument, ApiKeysDocument, CreateApiKeyDocument, MeDocument, NodeByIdDocument, RevokeApiKeyDocument } from '../generated/graphql';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('service foundation', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  it('answers /healthz and /readyz', async () => {
    const base = server.url.replace(/\/graphql$/, '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: true });
  });

  it('refuses anonymous and unknown keys with UNAUTHENTICATED', async () => {
    const anon = await server.http(null).request(MeDocument);
    expect(anon.status).toBe(401);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(anon.data ?? null).toBeNull();
    const wrong = await server.http('lg_not_a_key').request(MeDocument);
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('knows the configured admin key', async () => {
    const { me } = await server.http().data(MeDocument);
    expect(me.role).toBe('ADMIN');
    expect(me.apiKey?.name).toContain('ADMIN_API_KEY');
  });

  it('tags every response with a request id (and keeps a sane one given by the client)', async () => {
    const r = await server.http().request(MeDocument, undefined, { 'x-request-id': 'trace-123' });
    expect(r.headers.get('x-request-id')).toBe('trace-123');
    const r2 = await server.http().request(MeDocument);
    expect(r2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates keys shown once, hashes them, and enforces roles', async () => {
    const created = await server.http().data(CreateApiKeyDocument, { name: 'noc screen', role: 'NOC' });
    expect(created.createApiKey.secret).toMatch(/^lg_/);
    expect(created.createApiKey.apiKey.role).toBe('NOC');
    const noc = server.http(created.createApiKey.secret);
    expect((await noc.data(MeDocument)).me.role).toBe('NOC');
    expect(await noc.errorCode(CreateApiKeyDocument, { name: 'x', role: 'ADMIN' })).toBe('FORBIDDEN');
    const stored = await server.app.services.db.query<{ secret_hash: string }>(`SELECT secret_hash FROM api_keys WHERE name = 'noc screen'`);
    expect(stored[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].secret_hash).not.toContain(created.createApiKey.secret);
    const list = await server.http().data(ApiKeysDocument);
    expect(list.apiKeys.map((k) => k.name)).toContain('noc screen');
  });

  it('validates key creation', async () => {
    const admin = server.http();
    expect(await admin.errorCode(CreateApiKeyDocument, { name: 'c', role: 'CUSTOMER' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateApiKeyDocument, { name: '  ', role: 'NOC' })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateApiKeyDocument, { name: 'c', role: 'CUSTOMER', customerId: 'cus_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    expect(await admin.errorCode(CreateApiKeyDocument, { name: 'c', role: 'NOC', customerId: 'cus_00000000-0000-4000-8000-000000000000' })).toBe('BAD_USER_INPUT');
    const [{ n }] = await server.app.services.db.query<{ n: string }>(`SELECT count(*) AS n FROM api_keys WHERE name = 'c'`);
    expect(n).toBe('0');
  });

  it('binds CUSTOMER keys to their customer', async () => {
    const [{ id }] = await server.app.services.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Acme Telecom') RETURNING id`);
    const created = await server.http().data(CreateApiKeyDocument, { name: 'acme portal', role: 'CUSTOMER', customerId: `cus_${id}` });
    expect(created.createApiKey.apiKey.customer?.id).toBe(`cus_${id}`);
    const me = await server.http(created.createApiKey.secret).data(MeDocument);
    expect(me.me).toMatchObject({ role: 'CUSTOMER', customer: { id: `cus_${id}`, name: 'Acme Telecom' } });
    // node() of another type resolves through the id prefix.
    const node = await server.http().data(NodeByIdDocument, { id: `cus_${id}` });
    expect(node.node).toEqual({ id: `cus_${id}`, __typename: 'Customer' });
    expect((await server.http().data(NodeByIdDocument, { id: 'cus_nope' })).node).toBeNull();
  });

  it('refuses a revoked key on its next HTTP request and its next subscription', async () => {
    const created = await server.http().data(CreateApiKeyDocument, { name: 'temp', role: 'NOC' });
    const secret = created.createApiKey.secret;
    expect((await server.http(secret).data(MeDocument)).me.role).toBe('NOC');
    expect(await server.http().data(RevokeApiKeyDocument, { id: created.createApiKey.apiKey.id })).toEqual({ revokeApiKey: true });
    const after = await server.http(secret).request(MeDocument);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const ws = server.ws(secret);
    expect(await ws.closed()).toBe(4403);
    await ws.close();
    expect(await server.http().errorCode(RevokeApiKeyDocument, { id: 'key_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
  });

  it('refuses a subscription on an open socket whose key was revoked before the revocation reached it, then closes the socket', async () => {
    const created = await server.http().data(CreateApiKeyDocument, { name: 'revoked-quietly', role: 'NOC' });
    // The protocol itself, so the order of the error and the close is what is seen.
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const messages: { id?: string; type: string; payload?: { extensions?: { code?: string } }[] }[] = [];
    const acked = new Promise<void>((resolve) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        messages.push(message);
        if (message.type === 'connection_ack') resolve();
      }),
    );
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${created.createApiKey.secret}` } }));
    await acked;
    // As if another instance revoked it and its message is still on the way: the row only.
    await server.app.services.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [created.createApiKey.apiKey.id.replace(/^key_/, '')]);
    socket.send(JSON.stringify({ id: 'late', type: 'subscribe', payload: { query: 'subscription { balanceChanged { delta } }' } }));
    expect(await closed).toBe(4403);
    expect(messages.map((m) => m.type)).toEqual(['connection_ack', 'error']);
    expect(messages[1]).toMatchObject({ id: 'late', payload: [{ extensions: { code: 'FORBIDDEN' } }] });
  });

  it('refuses a WebSocket without a key with close code 4403', async () => {
    const ws = server.ws(null);
    expect(await ws.closed()).toBe(4403);
    await ws.close();
  });

  it('refuses floats-as-strings in Decimal, inline or as variables, with BAD_USER_INPUT', async () => {
    const [{ id }] = await server.app.services.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ('Decimal Test') RETURNING id`);
    const customerId = `cus_${id}`;
    expect(await server.http().errorCode(AdjustInlineDecimalDocument, { customerId })).toBe('BAD_USER_INPUT');
    for (const amount of ['1e400', 'NaN', 'abc', '0.1e1', 'Infinity']) {
      expect(await server.http().errorCode(AdjustDecimalDocument, { customerId, amount })).toBe('BAD_USER_INPUT');
    }
    const [{ balance }] = await server.app.services.db.query<{ balance: string }>(`SELECT balance::text FROM customers WHERE id = $1`, [id]);
    expect(balance).toBe('0.0000000000');
    // The arithmetic is exact: 0.1 + 0.2 is 0.3.
    await server.http().data(AdjustDecimalDocument, { customerId, amount: '0.1' });
    const r = await server.http().data(AdjustDecimalDocument, { customerId, amount: '0.2' });
    expect(r.adjustBalance.balance).toBe('0.3');
  });

  it('answers a body over the limit with a clear error', async () => {
    const big = 'x'.repeat(server.config.maxBodyBytes + 10);
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminKey}` },
      body: JSON.stringify({ query: '{ me { role } }', variables: { pad: big } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toContain('MAX_BODY_BYTES');
  });
});
