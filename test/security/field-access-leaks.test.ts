/**
 * The two nested-path leaks of issue 11, against the server in its own production-mode
 * process: an INGEST key reading every customer of a class through submitCdrs'
 * balanceChanges, and a CUSTOMER key reading a class-wide rule's recipients (webhook
 * tokens included) through its alert states and events. Each is refused before anything
 * executes (the CDRs of a refused submitCdrs are not stored, no balance moves), within
 * 1 s and without the server's memory growing; what the roles may read still answers.
 */
import { Client } from 'pg';
import { startServerProcess, type ServerProcess } from './helpers/server-process';
import type { GraphQLErrorShape } from '../helpers/graphql-client';

const WEBHOOK = 'https://hooks.operator.test/lineguard?token=SECRET-TOKEN';

interface Answer<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorShape[];
  ms: number;
}

async function gql<T = Record<string, unknown>>(server: ServerProcess, key: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
  const started = performance.now();
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GraphQLErrorShape[] };
  return { ...body, status: res.status, ms: performance.now() - started };
}

async function ok<T = Record<string, unknown>>(server: ServerProcess, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await gql<T>(server, key, query, variables);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  return r.data;
}

const README_SUBMIT = `mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index callId code field reason } balanceChanges { customer { id } balance delta } alertEvents { kind subject } } }`;

const LEAKY_SUBMIT = `mutation Submit($cdrs: [CdrInput!]!) {
  submitCdrs(cdrs: $cdrs) {
    accepted
    balanceChanges {
      customer { id ...Details }
    }
  }
}
fragment Details on Customer {
  name taxId mainEmail
  customerClass { customers(first: 5) { nodes { taxId address mainEmail } } }
}`;

describe('nested paths cannot read past the role', () => {
  let server: ServerProcess;
  let db: Client;
  const keys: Record<'NOC' | 'INGEST' | 'CUSTOMER', string> = { NOC: '', INGEST: '', CUSTOMER: '' };
  let customerA = '';
  const cdr = (callId: string, charge: string) => ({
    callId,
    customerId: customerA,
    callee: '4930123456',
    startedAt: '2026-11-24T10:15:00Z',
    duration: 60,
    disposition: 'ANSWERED',
    charge,
  });
  const balances = async () =>
    (await db.query<{ name: string; balance: string }>(`SELECT name, balance::text AS balance FROM customers ORDER BY name`)).rows;
  const cdrCount = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM cdrs`)).rows[0].n);

  beforeAll(async () => {
    server = await startServerProcess();
    db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    const admin = server.adminKey;
    const cls = await ok<{ createCustomerClass: { id: string } }>(server, admin, `mutation { createCustomerClass(input: { name: "Gold" }) { id } }`);
    const create = `mutation C($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`;
    const classId = cls.createCustomerClass.id;
    customerA = (await ok<{ createCustomer: { id: string } }>(server, admin, create, {
      input: { name: 'Alpha Voice', customerClassId: classId, balance: '10', taxId: 'TAX-ALPHA', address: '1 Alpha Road', mainEmail: 'ops@alpha.test' },
    })).createCustomer.id;
    await ok(server, admin, create, {
      input: { name: 'Beta Carrier', customerClassId: classId, balance: '10', taxId: 'TAX-BETA', address: '2 Beta Street', mainEmail: 'ops@beta.test' },
    });
    await ok(server, admin, `mutation D($input: AlertDefinitionInput!) { createAlertDefinition(input: $input) { id } }`, {
      input: {
        title: 'Gold low balance',
        customerClassId: classId,
        area: 'BALANCE',
        operator: 'LT',
        threshold: '5',
        emails: ['noc@operator.test'],
        phones: ['+4915100000000'],
        webhookUrls: [WEBHOOK],
      },
    });
    const key = `mutation K($name: String!, $role: Role!, $customerId: ID) { createApiKey(name: $name, role: $role, customerId: $customerId) { secret } }`;
    for (const role of ['NOC', 'INGEST', 'CUSTOMER'] as const) {
      const created = await ok<{ createApiKey: { secret: string } }>(server, admin, key, { name: role, role, customerId: role === 'CUSTOMER' ? customerA : null });
      keys[role] = created.createApiKey.secret;
    }
    // Warm-up: each key once, so the peak below measures the attack, not the first request.
    for (const k of Object.values(keys)) await ok(server, k, `{ me { role } }`);
  });

  afterAll(async () => {
    await db?.end();
  });

  it('refuses an INGEST submitCdrs that selects customer details, before anything is stored', async () => {
    const before = await balances();
    const idle = server.rss();
    server.resetPeak();
    const r = await gql(server, keys.INGEST, LEAKY_SUBMIT, { cdrs: [cdr('leak-1', '6')] });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Customer.name' });
    expect(r.errors?.[0].message).toBe('The INGEST role may not read Customer.name');
    expect(r.data ?? null).toBeNull();
    expect(r.status).toBe(403);
    expect(r.ms).toBeLessThan(1000);
    // The path without the fragment: the class's customers are refused too.
    const direct = await gql(
      server,
      keys.INGEST,
      `mutation Submit($cdrs: [CdrInput!]!) {
        submitCdrs(cdrs: $cdrs) { balanceChanges { customer { id customerClass { customers(first: 5) { nodes { taxId address mainEmail } } } } } }
      }`,
      { cdrs: [cdr('leak-2', '6')] },
    );
    expect(direct.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Customer.customerClass' });
    // The issue's own query (a class's 500 customers under every balance change of a batch)
    // is refused earlier still, by the cost limit in validation: also before anything runs.
    const costly = await gql(
      server,
      keys.INGEST,
      `mutation Submit($cdrs: [CdrInput!]!) {
        submitCdrs(cdrs: $cdrs) { balanceChanges { customer { id customerClass { customers(first: 500) { nodes { taxId address mainEmail } } } } } }
      }`,
      { cdrs: [cdr('leak-3', '6')] },
    );
    expect(costly.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(costly.ms).toBeLessThan(1000);
    expect(server.peakRss() - idle).toBeLessThan(50 * 1024 * 1024);
    expect(await cdrCount()).toBe(0);
    expect(await balances()).toEqual(before);
  });

  it("still answers the README's INGEST selection: ids and its own submission's figures", async () => {
    const r = await ok<{ submitCdrs: { accepted: number; balanceChanges: unknown[]; alertEvents: { kind: string; subject: string }[] } }>(
      server,
      keys.INGEST,
      README_SUBMIT,
      { cdrs: [cdr('ok-1', '6')] },
    );
    expect(r.submitCdrs.accepted).toBe(1);
    expect(r.submitCdrs.balanceChanges).toEqual([{ customer: { id: customerA }, balance: '4', delta: '-6' }]);
    expect(r.submitCdrs.alertEvents).toEqual([expect.objectContaining({ kind: 'TRIGGERED' })]);
    expect(await cdrCount()).toBe(1);
  });

  it("refuses a CUSTOMER reading a class-wide rule's recipients through its alert states and events", async () => {
    const idle = server.rss();
    server.resetPeak();
    const viaStates = await gql(server, keys.CUSTOMER, `query Q($id: ID!) { customer(id: $id) { alertStates { definition { title emails webhookUrls } } } }`, {
      id: customerA,
    });
    expect(viaStates.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'AlertDefinition.emails' });
    expect(viaStates.ms).toBeLessThan(1000);
    const viaEvents = await gql(
      server,
      keys.CUSTOMER,
      `{ alertEvents { nodes { ...E } } } fragment E on AlertEvent { definition { ... on AlertDefinition { id webhookUrls } } }`,
    );
    expect(viaEvents.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'AlertDefinition.webhookUrls' });
    for (const field of ['phones', 'penalty', 'template { id }', 'customerClass { id }', 'states { triggered }']) {
      const r = await gql(server, keys.CUSTOMER, `query Q($id: ID!) { customer(id: $id) { alertStates { definition { ${field} } } } }`, { id: customerA });
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    // Its own customer's other data and the class's other customers stay out of reach too.
    const classmates = await gql(server, keys.CUSTOMER, `query Q($id: ID!) { customer(id: $id) { customerClass { customers { nodes { taxId } } } } }`, { id: customerA });
    expect(classmates.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'CustomerClass.customers' });
    expect((await gql(server, keys.CUSTOMER, `{ apiKeys { name } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(server.peakRss() - idle).toBeLessThan(50 * 1024 * 1024);

    // What the rule watches stays visible, on its own state and events.
    const own = await ok<{ customer: { alertStates: { triggered: boolean; definition: { title: string; threshold: string } }[] } }>(
      server,
      keys.CUSTOMER,
      `query Q($id: ID!) { customer(id: $id) { alertStates { triggered definition { title threshold } } } }`,
      { id: customerA },
    );
    expect(own.customer.alertStates).toEqual([{ triggered: true, definition: { title: 'Gold low balance', threshold: '5' } }]);
    const events = await ok<{ alertEvents: { nodes: { kind: string; definition: { title: string } }[] } }>(
      server,
      keys.CUSTOMER,
      `{ alertEvents { nodes { kind definition { title } } } }`,
    );
    expect(events.alertEvents.nodes).toEqual([{ kind: 'TRIGGERED', definition: { title: 'Gold low balance' } }]);
  });

  it("keeps the rule's staff deliveries out of a CUSTOMER's notifications (NOC sees them)", async () => {
    const list = `{ notifications(first: 100) { nodes { id recipient channel } } }`;
    const noc = await ok<{ notifications: { nodes: { id: string; recipient: string }[] } }>(server, keys.NOC, list);
    const staff = noc.notifications.nodes.filter((n) => [WEBHOOK, 'noc@operator.test', '+4915100000000'].includes(n.recipient));
    expect(staff.map((n) => n.recipient).sort()).toEqual(['+4915100000000', WEBHOOK, 'noc@operator.test'].sort());
    const mine = await ok<{ notifications: { nodes: { recipient: string }[] } }>(server, keys.CUSTOMER, list);
    expect(mine.notifications.nodes.map((n) => n.recipient)).not.toEqual(expect.arrayContaining([WEBHOOK]));
    expect(mine.notifications.nodes.filter((n) => staff.some((s) => s.recipient === n.recipient))).toEqual([]);
    for (const n of staff) {
      const r = await ok<{ node: unknown }>(server, keys.CUSTOMER, `query N($id: ID!) { node(id: $id) { id } }`, { id: n.id });
      expect(r.node).toBeNull();
    }
  });

  it('answers every key afterwards', async () => {
    for (const [role, k] of Object.entries(keys)) expect((await ok<{ me: { role: string } }>(server, k, `{ me { role } }`)).me.role).toBe(role);
  });
});
