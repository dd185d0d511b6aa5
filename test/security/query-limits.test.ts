/**
 * Query attacks against the server in its own production-mode process, over HTTP and
 * graphql-ws, each from the key an attacker would hold: refused with a typed error within
 * 1 s, at most 50 MB of extra resident memory, and the server answering afterwards.
 * The real dashboard queries pass with the same default limits.
 */
import { CUSTOMER_PORTAL, DASHBOARD, fragmentBomb, NOC_ALERTS, SUBMIT_CDRS } from './helpers/attack-queries';
import { sendRaw, type RawResult, type Transport } from './helpers/raw-requests';
import { RELAXED_RATE_LIMITS, startServerProcess, type ServerProcess } from './helpers/server-process';

const MB = 1024 * 1024;
const TRANSPORTS: Transport[] = ['http', 'ws'];

/** The fields of the dashboard and portal answers the checks read (the queries are raw strings). */
interface CustomerList {
  customers: { nodes: Array<{ id: string; customerClass: { name: string }; trunks: Array<{ hosts: unknown[] }> }> };
}

describe('query limits under attack (own process, production)', () => {
  let server: ServerProcess;
  const keys = {} as Record<'ADMIN' | 'NOC' | 'CUSTOMER' | 'INGEST', string>;
  let customerId = '';

  /** Runs a seeding mutation; each selects only string fields (id, secret) of one payload. */
  async function admin(query: string, variables?: Record<string, unknown>): Promise<Record<string, Record<string, string>>> {
    const r = await sendRaw(server, 'http', server.adminKey, query, variables);
    if (r.errors?.length || !r.data) throw new Error(`seed failed: ${JSON.stringify(r.errors)}`);
    return r.data as Record<string, Record<string, string>>;
  }

  beforeAll(async () => {
    // The attacks and checks here send bursts from one key; rate limits have their own tests.
    server = await startServerProcess({ env: { SCHEDULER_INTERVAL_MS: '0', ...RELAXED_RATE_LIMITS } });
    keys.ADMIN = server.adminKey;
    const cls = await admin('mutation { createCustomerClass(input: { name: "Gold" }) { id } }');
    const customer = await admin('mutation($c: ID) { createCustomer(input: { name: "Acme", customerClassId: $c }) { id } }', { c: cls.createCustomerClass.id });
    customerId = customer.createCustomer.id;
    await admin('mutation($c: ID) { createCustomer(input: { name: "Other", customerClassId: $c }) { id } }', { c: cls.createCustomerClass.id });
    for (let t = 0; t < 3; t++) {
      const trunk = await admin('mutation($c: ID!, $n: String!) { createTrunk(input: { customerId: $c, name: $n }) { id } }', { c: customerId, n: `trunk-${t}` });
      for (let h = 0; h < 2; h++) {
        await admin('mutation($t: ID!, $ip: String!) { createHost(input: { trunkId: $t, ip: $ip }) { id } }', { t: trunk.createTrunk.id, ip: `10.0.${t}.${h + 1}` });
      }
    }
    const key = async (role: string, customer?: string) =>
      (await admin('mutation($r: Role!, $c: ID) { createApiKey(name: "k", role: $r, customerId: $c) { secret } }', { r: role, c: customer })).createApiKey.secret as string;
    keys.CUSTOMER = await key('CUSTOMER', customerId);
    keys.NOC = await key('NOC');
    keys.INGEST = await key('INGEST');
  });

  /** Sends the attack after a warm-up, and checks time, memory and that the server still answers. */
  async function underAttack(transport: Transport, key: string, query: string, variables?: Record<string, unknown>): Promise<RawResult> {
    await sendRaw(server, transport, key, '{ me { role } }');
    server.resetPeak();
    const idle = server.rss();
    const result = await sendRaw(server, transport, key, query, variables);
    const extra = server.peakRss() - idle;
    expect(result.ms).toBeLessThan(1_000);
    expect(extra).toBeLessThan(50 * MB);
    const after = await sendRaw(server, transport, key, '{ me { role } }');
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual({ me: { role: expect.any(String) } });
    return result;
  }

  function refusal(result: RawResult) {
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.length).toBeGreaterThan(0);
    const [first] = result.errors!;
    return { code: first.extensions?.code, limit: first.extensions?.limit, message: first.message };
  }

  describe.each(TRANSPORTS)('over %s', (transport) => {
    it('refuses the 1.9 KB fragment bomb from a CUSTOMER key', async () => {
      const bomb = fragmentBomb();
      expect(bomb.length).toBeLessThan(2_000);
      const r = refusal(await underAttack(transport, keys.CUSTOMER, bomb));
      expect(r).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
      expect(r.message).toMatch(/MAX_QUERY_DEPTH=12/);
    });

    it('refuses trunks { hosts { trunk { hosts ... } } } at depth 17 from a CUSTOMER key', async () => {
      const query = `{ me { customer { trunks { ${'hosts { trunk { '.repeat(7)}id${' } }'.repeat(7)} } } } }`;
      const r = refusal(await underAttack(transport, keys.CUSTOMER, query));
      expect(r).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    });

    it('refuses classes of 500 customers of classes of 500 customers from a NOC key', async () => {
      const query = '{ customerClasses { customers(first: 500) { nodes { customerClass { customers(first: 500) { nodes { id name } } } } } } }';
      const r = refusal(await underAttack(transport, keys.NOC, query));
      expect(r).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    });

    it('refuses 200 aliases of customers(first: 500) (at the parser) and 40 at the alias limit', async () => {
      const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: customers(first: 500) { totalCount }`).join(' ')} }`;
      expect(refusal(await underAttack(transport, keys.NOC, aliases(200)))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
      expect(refusal(await underAttack(transport, keys.NOC, aliases(40)))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
    });

    it('refuses a directive flood', async () => {
      const query = `{ me ${'@include(if: true) '.repeat(120)}{ role } }`;
      expect(refusal(await underAttack(transport, keys.CUSTOMER, query))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'directives' });
    });

    it('stops a token flood at the parser (1 MB over HTTP, 900 KB within the socket frame limit)', async () => {
      const size = transport === 'http' ? MB : 900 * 1024;
      const query = `{ me { ${'role '.repeat(Math.floor(size / 5))}} }`;
      expect(refusal(await underAttack(transport, keys.CUSTOMER, query))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    });

    it('refuses a document of 1,000 operations at the token limit', async () => {
      const query = Array.from({ length: 1_000 }, (_, i) => `query Q${i} { me { role } }`).join('\n');
      expect(refusal(await underAttack(transport, keys.CUSTOMER, query))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    });

    it('refuses one field repeated 245 times (graphql-js compares every pair), also through fragments', async () => {
      const query = `{ me { customer { ${'trunks { id } '.repeat(245)}} } }`;
      expect(refusal(await underAttack(transport, keys.CUSTOMER, query))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'fieldRepeats' });
      const fragments = Array.from({ length: 8 }, (_, i) => `fragment T${i} on Customer { ${'trunks { id } '.repeat(20)}}`).join('\n');
      const spread = `${fragments}\nquery { me { customer { ${Array.from({ length: 8 }, (_, i) => `...T${i}`).join(' ')} } } }`;
      expect(refusal(await underAttack(transport, keys.CUSTOMER, spread))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'fieldRepeats' });
    });

    it('refuses an introspection bomb during validation, whoever asks', async () => {
      const bomb = '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }';
      for (const key of [keys.CUSTOMER, keys.NOC]) {
        expect(refusal(await underAttack(transport, key, bomb))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
      }
    });

    it('answers the real dashboard, NOC and switch queries with the default limits', async () => {
      const deep = await sendRaw(server, transport, keys.NOC, DASHBOARD, { first: 500 });
      expect(deep.errors).toBeUndefined();
      const acme = (deep.data as unknown as CustomerList).customers.nodes.find((c) => c.id === customerId);
      expect(acme?.customerClass.name).toBe('Gold');
      expect(acme?.trunks).toHaveLength(3);
      expect(acme?.trunks.map((t) => t.hosts.length)).toEqual([2, 2, 2]);
      const alerts = await sendRaw(server, transport, keys.NOC, NOC_ALERTS);
      expect(alerts.errors).toBeUndefined();
      expect(alerts.data).toMatchObject({ alertEvents: { totalCount: expect.any(Number) } });
      const own = await sendRaw(server, transport, keys.CUSTOMER, CUSTOMER_PORTAL, { first: 10 });
      expect(own.errors).toBeUndefined();
      expect((own.data as unknown as CustomerList).customers.nodes.map((c) => c.id)).toEqual([customerId]);
    });
  });

  it('bounds the nested lists by first, within their documented maximum', async () => {
    const q = (trunks: number, hosts: number) =>
      `query($id: ID!) { customer(id: $id) { trunkCount trunks(first: ${trunks}) { name hosts(first: ${hosts}) { ip } } alertStates(first: 5) { triggered } } }`;
    const r = await sendRaw(server, 'http', keys.CUSTOMER, q(2, 1), { id: customerId });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({
      customer: { trunkCount: 3, trunks: [{ name: 'trunk-0', hosts: [{ ip: '10.0.0.1' }] }, { name: 'trunk-1', hosts: [{ ip: '10.0.1.1' }] }], alertStates: [] },
    });
    for (const [trunks, hosts] of [[101, 1], [1, 101], [-1, 1]]) {
      const refused = await sendRaw(server, 'http', keys.CUSTOMER, q(trunks, hosts), { id: customerId });
      expect(refused.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('takes a submitCdrs of 10,000 records (variables are not tokens) from an INGEST key', async () => {
    const startedAt = new Date(Date.now() - 3_600_000).toISOString();
    const cdrs = Array.from({ length: 10_000 }, (_, i) => ({
      callId: `qlim-${i}`,
      customerId,
      callee: '4930123456',
      startedAt,
      duration: 60,
      disposition: 'ANSWERED',
      charge: '0.001',
    }));
    const r = await sendRaw(server, 'http', keys.INGEST, SUBMIT_CDRS, { cdrs });
    expect(r.errors).toBeUndefined();
    expect(r.data).toMatchObject({ submitCdrs: { accepted: 10_000, duplicates: 0, rejected: [] } });
  });

  describe.each(TRANSPORTS)('introspection and suggestions over %s', (transport) => {
    const query = '{ __schema { queryType { name } } __type(name: "Customer") { name } }';

    it.each(['ADMIN', 'NOC'] as const)('lets a %s key introspect', async (role) => {
      const r = await sendRaw(server, transport, keys[role], query);
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } }, __type: { name: 'Customer' } });
    });

    it.each(['CUSTOMER', 'INGEST'] as const)('refuses introspection to a %s key', async (role) => {
      const r = await sendRaw(server, transport, keys[role], query);
      expect(r.data ?? null).toBeNull();
      expect(r.errors![0].extensions?.code).toBe('FORBIDDEN');
      // __typename is not introspection.
      const typename = await sendRaw(server, transport, keys[role], '{ __typename }');
      expect(typename.data).toEqual({ __typename: 'Query' });
    });

    it('names no schema members in errors', async () => {
      const field = await sendRaw(server, transport, keys.CUSTOMER, '{ me { rol } }');
      expect(field.errors![0]).toMatchObject({ message: 'Cannot query field "rol" on type "Principal".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      const variable = await sendRaw(server, transport, keys.NOC, 'query($s: [CustomerStatus!]) { customers(filter: { status: $s }) { totalCount } }', { s: ['ACTIV'] });
      expect(variable.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(variable.errors![0].message).toContain('"ACTIV"');
      for (const e of [...field.errors!, ...variable.errors!]) expect(e.message).not.toMatch(/Did you mean/);
    });
  });

  it('answers a subscription to an unknown field over graphql-ws as a validation error', async () => {
    const r = await sendRaw(server, 'ws', keys.NOC, 'subscription { noSuchEvents { id } }');
    expect(r.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0].message).toBe('Cannot query field "noSuchEvents" on type "Subscription".');
  });
});
