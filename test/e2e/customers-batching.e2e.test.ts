import { CustomerClassDocument, CustomerClassesWithCustomersDocument, CustomersDeepDocument, MeDocument } from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * No N+1: a page of customers with class (and its template and customer count), trunks
 * (with their customer) and hosts (with trunk and customer) costs the same number of
 * SQL statements for 50 customers as for 500.
 */
describe('customers list statement count', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Background jobs (outbox, alert schedulers) off: the counter counts every statement of the process.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const db = server.app.services.db;
    // Fixtures by SQL for speed: 600 customers over 3 classes, 2 trunks each, 2 hosts per trunk.
    await db.query(`INSERT INTO notification_templates (name) VALUES ('T')`);
    await db.query(`INSERT INTO customer_classes (name, notification_template_id) SELECT 'class ' || g, (SELECT id FROM notification_templates) FROM generate_series(1, 3) g`);
    await db.query(`
      INSERT INTO customers (name, customer_class_id)
      SELECT 'cust ' || lpad(g::text, 4, '0'), (SELECT id FROM customer_classes ORDER BY name OFFSET g % 3 LIMIT 1)
        FROM generate_series(1, 600) g`);
    await db.query(`INSERT INTO trunks (name, customer_id) SELECT 'trk-' || c.id || '-' || k, c.id FROM customers c, generate_series(1, 2) k`);
    await db.query(`
      INSERT INTO hosts (ip, port, trunk_id)
      SELECT ('10.' || (n / 65536) % 256 || '.' || (n / 256) % 256 || '.' || n % 256)::cidr, 5060, id
        FROM (SELECT t.id, row_number() OVER (ORDER BY t.id) * 2 + k AS n FROM trunks t, generate_series(0, 1) k) s`);
  });

  async function statementsFor(first: number): Promise<{ statements: number; customers: number; hosts: number }> {
    const counter = server.app.services.db.queries;
    const before = counter.count;
    const { customers } = await server.http().data(CustomersDeepDocument, { first });
    const statements = counter.count - before;
    const hosts = customers.nodes.flatMap((c) => c.trunks.flatMap((t) => t.hosts));
    return { statements, customers: customers.nodes.length, hosts: hosts.length };
  }

  it('issues the same number of statements for 50 and for 500 customers', async () => {
    // Warm up: the key is read once and cached; last_used_at is refreshed once a minute, not inside the measured requests.
    await server.http().data(MeDocument);
    const small = await statementsFor(50);
    const large = await statementsFor(500);
    expect(small).toMatchObject({ customers: 50, hosts: 200 });
    expect(large).toMatchObject({ customers: 500, hosts: 2000 });
    expect(large.statements).toBe(small.statements);
    // count, page, classes, templates, class counts, trunks, trunk counts, hosts (the key is
    // cached after the warm-up); the customers and trunks nested under trunks and hosts come
    // from the loaders primed by the page.
    expect(small.statements).toBe(8);
    const { customers } = await server.http().data(CustomersDeepDocument, { first: 3 });
    const c = customers.nodes[0];
    expect(c.trunkCount).toBe(2);
    expect(c.customerClass?.customerCount).toBe(200);
    expect(c.customerClass?.notificationTemplate?.name).toBe('T');
    expect(c.trunks[0].customer.id).toBe(c.id);
    expect(c.trunks[0].hosts[0].trunk.id).toBe(c.trunks[0].id);
    expect(c.trunks[0].hosts[0].customer.id).toBe(c.id);
  });

  it('pages the customers of every class with the same statements for 3 classes as for 33', async () => {
    const db = server.app.services.db;
    const measure = async () => {
      await server.http().data(MeDocument);
      const before = db.queries.count;
      const { customerClasses } = await server.http().data(CustomerClassesWithCustomersDocument, { first: 2 });
      return { statements: db.queries.count - before, customerClasses };
    };
    const three = await measure();
    expect(three.customerClasses).toHaveLength(3);
    for (const cls of three.customerClasses) {
      expect(cls.customers).toMatchObject({ totalCount: 200, pageInfo: { hasNextPage: true } });
      expect(cls.customers.nodes).toHaveLength(2);
    }
    // class 1 holds customers 3, 6, 9...: its first page is "cust 0003", "cust 0006", and after it comes "cust 0009".
    const class1 = three.customerClasses.find((c) => c.name === 'class 1')!;
    expect(class1.customers.nodes.map((n) => n.name)).toEqual(['cust 0003', 'cust 0006']);
    const next = await server.http().data(CustomerClassDocument, { id: class1.id, first: 2, after: class1.customers.pageInfo.endCursor });
    expect(next.customerClass?.customers.nodes.map((n) => n.name)).toEqual(['cust 0009', 'cust 0012']);

    await db.query(`INSERT INTO customer_classes (name) SELECT 'more ' || g FROM generate_series(1, 30) g`);
    await db.query(`INSERT INTO customers (name, customer_class_id) SELECT 'm-' || cc.name || '-' || k, cc.id FROM customer_classes cc, generate_series(1, 3) k WHERE cc.name LIKE 'more %'`);
    const many = await measure();
    expect(many.customerClasses).toHaveLength(33);
    expect(many.customerClasses.find((c) => c.name === 'more 7')?.customers).toMatchObject({ totalCount: 3, nodes: [{ name: 'm-more 7-1' }, { name: 'm-more 7-2' }] });
    expect(many.statements).toBe(three.statements);
  });
});
