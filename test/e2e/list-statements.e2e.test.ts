import { DashboardAlertEventsDocument, DashboardCustomersCountedDocument, DashboardCustomersTreeDocument, MeDocument } from '../generated/graphql';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Dashboard lists in SQL statements per request (the statements bench:lists reports):
 * the same small number for a page of 50 as for 500, and a count only when totalCount is
 * selected. Keys are cached (API_KEY_CACHE_MS), so a warm request reads no key.
 */
describe('dashboard list statements', () => {
  let server: TestServer;
  const statements: string[] = [];

  beforeAll(async () => {
    // Background jobs off: the counter counts every statement of the process.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const db = server.app.services.db;
    // 600 customers, 3 trunks each, 2 hosts per trunk; 700 alert events over 3 rules.
    await db.query(`INSERT INTO customers (name) SELECT 'cust ' || lpad(g::text, 4, '0') FROM generate_series(1, 600) g`);
    await db.query(`INSERT INTO trunks (name, customer_id) SELECT 'trk-' || c.id || '-' || k, c.id FROM customers c, generate_series(1, 3) k`);
    await db.query(`
      INSERT INTO hosts (ip, port, trunk_id)
      SELECT ('10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256)::cidr, 5060, id
        FROM (SELECT t.id, row_number() OVER (ORDER BY t.id) * 2 + k AS n FROM trunks t, generate_series(0, 1) k) s`);
    await db.query(`INSERT INTO alert_definitions (title, area, operator, threshold) SELECT 'rule ' || g, 'BALANCE', 'LT', g FROM generate_series(1, 3) g`);
    await db.query(`
      INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message)
      SELECT 'TRIGGERED', d.id, c.id, 'BALANCE', 0, 1, 's', 'm'
        FROM generate_series(1, 700) g
        JOIN LATERAL (SELECT id FROM customers ORDER BY name OFFSET g % 600 LIMIT 1) c ON true
        JOIN LATERAL (SELECT id FROM alert_definitions WHERE builtin IS NULL ORDER BY title OFFSET g % 3 LIMIT 1) d ON true
       ORDER BY g`);
    await db.query('ANALYZE');
    // Warm: the admin key is read once and then held.
    await server.http().data(MeDocument);
  });

  /** The statements one request sends, and its data. */
  async function counted<T>(run: () => Promise<T>): Promise<{ n: number; data: T }> {
    const counter = server.app.services.db.queries;
    const before = counter.count;
    const data = await run();
    return { n: counter.count - before, data };
  }

  it('customers -> trunks -> hosts: one statement per level, for a page of 50 as for 500', async () => {
    const page = (first: number) => counted(() => server.http().data(DashboardCustomersTreeDocument, { first, filter: { status: ['ACTIVE'] }, orderBy: { field: 'NAME', direction: 'ASC' } }));
    const small = await page(50);
    const large = await page(500);
    expect(small.data.customers.nodes).toHaveLength(50);
    expect(large.data.customers.nodes).toHaveLength(500);
    const hosts = large.data.customers.nodes.flatMap((c) => c.trunks.flatMap((t) => t.hosts));
    expect(hosts).toHaveLength(3000);
    // customers page, their trunks, the trunks' hosts; no count, no key lookup.
    expect(small.n).toBe(3);
    expect(large.n).toBe(small.n);
    statements.push(`customers 50 -> trunks -> hosts: ${small.n}, 500: ${large.n}`);
  });

  it('alert events with customer and rule: the same statements for 50 and 500 events, a count only when selected', async () => {
    const page = (first: number, counted_: boolean) => counted(() => server.http().data(DashboardAlertEventsDocument, { first, counted: counted_ }));
    const small = await page(50, false);
    const large = await page(500, false);
    expect(large.data.alertEvents.nodes).toHaveLength(500);
    expect(large.data.alertEvents.nodes[0].customer.name).toMatch(/^cust /);
    expect(large.data.alertEvents.nodes[0].definition.title).toMatch(/^rule /);
    // One: the events page, its customers and rules joined to it.
    expect(small.n).toBe(1);
    expect(large.n).toBe(small.n);
    const withCount = await page(500, true);
    expect(withCount.data.alertEvents.totalCount).toBe(700);
    expect(withCount.n).toBe(small.n + 1);
    statements.push(`alert events 50: ${small.n}, 500: ${large.n}, with totalCount: ${withCount.n}`);
  });

  interface Ev {
    id: string;
    customer: { id: string; name: string; balance: string; mainEmail: string | null };
    definition: { title: string; enabled: boolean };
  }
  type Answer = { alertEvents: { nodes: Ev[] }; customer: { name: string; availableCredit: string; trunks: unknown[] } };

  it('alert events whose customer and rule are read only for plain fields: one statement, the same values as whole rows, nothing partial reaching other fields', async () => {
    const ask = async (query: string) => {
      const r = await counted(() => server.http().request(parse(query) as TypedDocumentNode<Answer, Record<string, never>>));
      expect(r.data.errors).toBeUndefined();
      return { n: r.n, data: r.data.data! };
    };
    const narrow = await ask(`{ alertEvents(first: 20) { nodes { id customer { id name balance mainEmail } definition { title enabled } } } }`);
    // availableCredit is computed, the fragment is on an interface: whole rows, as before.
    const whole = await ask(`{ alertEvents(first: 20) { nodes { id customer { id name balance mainEmail availableCredit ... on Node { id } } definition { title enabled threshold } } } }`);
    expect(narrow.n).toBe(1);
    expect(whole.n).toBe(1);
    const plain = (d: Answer) => d.alertEvents.nodes.map((e) => [e.id, e.customer.id, e.customer.name, e.customer.balance, e.customer.mainEmail, e.definition.title, e.definition.enabled]);
    expect(plain(narrow.data)).toEqual(plain(whole.data));
    expect(narrow.data.alertEvents.nodes[0].customer).toEqual({ id: expect.stringMatching(/^cus_/), name: expect.stringMatching(/^cust /), balance: '0', mainEmail: null });
    // The same customer read elsewhere in the operation with other fields comes whole (the narrow object stays on its event).
    const id = narrow.data.alertEvents.nodes[0].customer.id;
    const mixed = await ask(`{ alertEvents(first: 1) { nodes { customer { name } } } customer(id: "${id}") { name availableCredit trunks { name } } }`);
    expect(mixed.data.customer).toMatchObject({ name: narrow.data.alertEvents.nodes[0].customer.name, availableCredit: '0' });
    expect(mixed.data.customer.trunks).toHaveLength(3);
  });

  it('counts only when totalCount is selected, and checks rows before the cursor only when hasPreviousPage is', async () => {
    const first = await counted(() => server.http().data(DashboardCustomersCountedDocument, { first: 50 }));
    expect(first.data.customers.totalCount).toBe(600);
    expect(first.data.customers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // page, count.
    expect(first.n).toBe(2);
    const next = await counted(() => server.http().data(DashboardCustomersCountedDocument, { first: 50, after: first.data.customers.pageInfo.endCursor }));
    expect(next.data.customers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(next.data.customers.totalCount).toBe(600);
    // page, count, rows before the cursor.
    expect(next.n).toBe(3);
    process.stdout.write(`statements per request: ${statements.join('; ')}\n`);
  });
});
