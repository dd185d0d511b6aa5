import {
  CreateApiKeyDocument,
  CreateCustomerClassDocument,
  CreateCustomerDocument,
  CustomerDocument,
  CustomersDocument,
  DeleteCustomerDocument,
  RecordPaymentDocument,
  SetCustomerStatusDocument,
  UpdateCustomerDocument,
  type CustomersQueryVariables,
} from '../generated/graphql';
import { Client } from 'pg';
import { ACCOUNT_TABLES, tableDigest } from '../helpers/db-state';
import { eventually } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

const MISSING = 'cus_00000000-0000-4000-8000-000000000000';
const local = (id: string) => id.slice(4);

describe('customers', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  describe('create, update, delete', () => {
    it('creates a customer with every field and records an opening balance in the ledger', async () => {
      const { createCustomer: c } = await server.http().data(CreateCustomerDocument, {
        input: {
          name: ' Acme Telecom ',
          company: 'Acme Ltd',
          type: 'CARRIER',
          status: 'INACTIVE',
          terms: 'POSTPAID',
          balance: '100.5',
          creditLimit: '50.25',
          testCredit: '5',
          callLimit: 100,
          cpsLimit: 10,
          minProfitability: '-0.5',
          mainEmail: 'main@acme.test',
          nocEmail: 'noc@acme.test, noc2@acme.test',
          billingEmail: 'billing@acme.test',
          ratesEmail: 'rates@acme.test',
          taxId: 'GB123',
          address: '1 Main St',
          prepaidBalanceTrigger: '75',
          callDurationTrigger: 3600,
          lowBalanceThreshold: '10',
          notificationsEnabled: false,
        },
      });
      expect(c).toMatchObject({
        name: 'Acme Telecom',
        company: 'Acme Ltd',
        type: 'CARRIER',
        status: 'INACTIVE',
        suspendedUntil: null,
        terms: 'POSTPAID',
        balance: '100.5',
        creditLimit: '50.25',
        availableCredit: '150.75',
        accruedCharges: '0',
        testCredit: '5',
        callLimit: 100,
        cpsLimit: 10,
        minProfitability: '-0.5',
        nocEmail: 'noc@acme.test, noc2@acme.test',
        taxId: 'GB123',
        prepaidBalanceTrigger: '75',
        callDurationTrigger: 3600,
        lowBalanceThreshold: '10',
        notificationsEnabled: false,
        customerClass: null,
      });
      const ledger = await server.app.services.db.query(`SELECT reason, delta::text, balance::text, note FROM balance_ledger WHERE customer_id = $1`, [local(c.id)]);
      expect(ledger).toEqual([{ reason: 'ADJUSTMENT', delta: '100.5000000000', balance: '100.5000000000', note: 'opening balance' }]);
    });

    it('applies defaults, and a class fills terms, credit, call and CPS limits left out ("create by template")', async () => {
      const admin = server.http();
      const { createCustomer: plain } = await admin.data(CreateCustomerDocument, { input: { name: 'Plain' } });
      expect(plain).toMatchObject({ type: 'CUSTOMER', status: 'ACTIVE', terms: 'PREPAID', balance: '0', creditLimit: '0', callLimit: null, notificationsEnabled: true, callDurationTrigger: 0 });
      const { createCustomerClass: cls } = await admin.data(CreateCustomerClassDocument, {
        input: { name: 'Gold', defaultTerms: 'POSTPAID', defaultCreditLimit: '1000', defaultCallLimit: 300, defaultCpsLimit: 30 },
      });
      const { createCustomer: templated } = await admin.data(CreateCustomerDocument, { input: { name: 'Templated', customerClassId: cls.id, cpsLimit: 5 } });
      expect(templated).toMatchObject({ terms: 'POSTPAID', creditLimit: '1000', availableCredit: '1000', callLimit: 300, cpsLimit: 5, customerClass: { id: cls.id, name: 'Gold' } });
      const { createCustomer: cleared } = await admin.data(CreateCustomerDocument, { input: { name: 'No call limit', customerClassId: cls.id, callLimit: null } });
      expect(cleared).toMatchObject({ callLimit: null, cpsLimit: 30 });
    });

    it('updates only the fields given; explicit null clears nullable fields', async () => {
      const admin = server.http();
      const { createCustomer: c } = await admin.data(CreateCustomerDocument, {
        input: { name: 'Partial', company: 'Old Co', callLimit: 7, mainEmail: 'a@b.test', taxId: 'T1' },
      });
      const { updateCustomer: u } = await admin.data(UpdateCustomerDocument, { id: c.id, input: { company: null, callLimit: 9, creditLimit: '20.125' } });
      expect(u).toMatchObject({ name: 'Partial', company: null, callLimit: 9, creditLimit: '20.125', availableCredit: '20.125', mainEmail: 'a@b.test', taxId: 'T1' });
      expect(new Date(u.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(c.updatedAt).getTime());
      const { createCustomerClass: cls } = await admin.data(CreateCustomerClassDocument, { input: { name: 'Silver' } });
      const withClass = await admin.data(UpdateCustomerDocument, { id: c.id, input: { customerClassId: cls.id } });
      expect(withClass.updateCustomer.customerClass?.id).toBe(cls.id);
      const noClass = await admin.data(UpdateCustomerDocument, { id: c.id, input: { customerClassId: null, taxId: null } });
      expect(noClass.updateCustomer).toMatchObject({ customerClass: null, taxId: null, callLimit: 9 });
    });

    it('refuses bad input (negative limits, bad e-mails, empty or null names, unknown ids) and changes nothing', async () => {
      const admin = server.http();
      const { createCustomer: c } = await admin.data(CreateCustomerDocument, { input: { name: 'Guarded' } });
      const before = await tableDigest(server, ACCOUNT_TABLES);
      const bad: [string, unknown][] = [
        ['create empty name', admin.errorCode(CreateCustomerDocument, { input: { name: '  ' } })],
        ['create negative call limit', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', callLimit: -1 } })],
        ['create negative cps limit', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', cpsLimit: -5 } })],
        ['create negative credit', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', creditLimit: '-0.01' } })],
        ['create negative duration trigger', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', callDurationTrigger: -1 } })],
        ['create bad email', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', mainEmail: 'not-an-email' } })],
        ['create bad noc email', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', nocEmail: 'a@b.test, broken' } })],
        ['create float balance', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', balance: '1e3' } })],
        ['create unknown class', admin.errorCode(CreateCustomerDocument, { input: { name: 'x', customerClassId: 'cls_00000000-0000-4000-8000-000000000000' } })],
        ['update null name', admin.errorCode(UpdateCustomerDocument, { id: c.id, input: { name: null } })],
        ['update null terms', admin.errorCode(UpdateCustomerDocument, { id: c.id, input: { terms: null } })],
        ['update negative limit', admin.errorCode(UpdateCustomerDocument, { id: c.id, input: { callLimit: -3 } })],
        ['update bad email', admin.errorCode(UpdateCustomerDocument, { id: c.id, input: { billingEmail: '@nope' } })],
        ['update unknown', admin.errorCode(UpdateCustomerDocument, { id: MISSING, input: { name: 'x' } })],
        ['update malformed id', admin.errorCode(UpdateCustomerDocument, { id: 'trk_00000000-0000-4000-8000-000000000000', input: { name: 'x' } })],
        ['delete unknown', admin.errorCode(DeleteCustomerDocument, { id: MISSING })],
        ['create NUL name', admin.errorCode(CreateCustomerDocument, { input: { name: 'a\u0000b' } })],
        ['update lone surrogate', admin.errorCode(UpdateCustomerDocument, { id: c.id, input: { company: '\udfff' } })],
      ];
      const codes = Object.fromEntries(await Promise.all(bad.map(async ([k, p]) => [k, await p])));
      expect(codes).toEqual({
        'create empty name': 'BAD_USER_INPUT',
        'create negative call limit': 'BAD_USER_INPUT',
        'create negative cps limit': 'BAD_USER_INPUT',
        'create negative credit': 'BAD_USER_INPUT',
        'create negative duration trigger': 'BAD_USER_INPUT',
        'create bad email': 'BAD_USER_INPUT',
        'create bad noc email': 'BAD_USER_INPUT',
        'create float balance': 'BAD_USER_INPUT',
        'create unknown class': 'NOT_FOUND',
        'update null name': 'BAD_USER_INPUT',
        'update null terms': 'BAD_USER_INPUT',
        'update negative limit': 'BAD_USER_INPUT',
        'update bad email': 'BAD_USER_INPUT',
        'update unknown': 'NOT_FOUND',
        'update malformed id': 'NOT_FOUND',
        'delete unknown': 'NOT_FOUND',
        'create NUL name': 'BAD_USER_INPUT',
        'update lone surrogate': 'BAD_USER_INPUT',
      });
      expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    });

    it('deletes a customer without history; one with trunks or ledger rows is a CONFLICT saying why', async () => {
      const admin = server.http();
      const { createCustomer: clean } = await admin.data(CreateCustomerDocument, { input: { name: 'Mistake' } });
      expect(await admin.data(DeleteCustomerDocument, { id: clean.id })).toEqual({ deleteCustomer: true });
      expect(await admin.errorCode(CustomerDocument, { id: clean.id })).toBe('NOT_FOUND');

      const { createCustomer: paid } = await admin.data(CreateCustomerDocument, { input: { name: 'Has ledger', balance: '1' } });
      const { createCustomer: trunked } = await admin.data(CreateCustomerDocument, { input: { name: 'Has trunk' } });
      await server.app.services.db.query(`INSERT INTO trunks (name, customer_id) VALUES ('del-trunk', $1)`, [local(trunked.id)]);
      const before = await tableDigest(server, ACCOUNT_TABLES);
      const r1 = await admin.request(DeleteCustomerDocument, { id: paid.id });
      expect(r1.errors?.[0].extensions?.code).toBe('CONFLICT');
      expect(r1.errors?.[0].message).toContain('balance ledger');
      const r2 = await admin.request(DeleteCustomerDocument, { id: trunked.id });
      expect(r2.errors?.[0].extensions?.code).toBe('CONFLICT');
      expect(r2.errors?.[0].message).toContain('1 trunk');
      expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    });

    it('a payment waiting on a customer being deleted answers NOT_FOUND and writes no ledger entry', async () => {
      const admin = server.http();
      const { createCustomer: racing } = await admin.data(CreateCustomerDocument, { input: { name: 'Deleted mid-payment' } });
      const holder = new Client({ connectionString: server.databaseUrl });
      await holder.connect();
      try {
        // What deleteCustomer does first: the row FOR UPDATE, then the delete.
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [local(racing.id)]);
        const payment = admin.request(RecordPaymentDocument, { customerId: racing.id, amount: '5' });
        await eventually(
          async () => (await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n >= 1,
          10_000,
          'the payment waiting on the row',
        );
        await holder.query(`DELETE FROM customers WHERE id = $1`, [local(racing.id)]);
        await holder.query('COMMIT');
        expect((await payment).errors?.[0].extensions?.code).toBe('NOT_FOUND');
        const orphans = await holder.query(`SELECT count(*)::int AS n FROM balance_ledger l WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = l.customer_id)`);
        expect(orphans.rows[0].n).toBe(0);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  });

  describe('setCustomerStatus', () => {
    it('switches many customers in one call and clears suspensions', async () => {
      const admin = server.http();
      const ids: string[] = [];
      for (const name of ['S1', 'S2', 'S3']) ids.push((await admin.data(CreateCustomerDocument, { input: { name } })).createCustomer.id);
      await server.app.services.db.query(`UPDATE customers SET status = 'SUSPENDED', suspended_until = now() + interval '1 hour' WHERE id = $1`, [local(ids[2])]);
      const { setCustomerStatus } = await admin.data(SetCustomerStatusDocument, { ids, status: 'INACTIVE' });
      expect(setCustomerStatus).toEqual(ids.map((id) => ({ id, status: 'INACTIVE', suspendedUntil: null })));
      const manual = await admin.data(SetCustomerStatusDocument, { ids: [ids[0]], status: 'SUSPENDED' });
      expect(manual.setCustomerStatus).toEqual([{ id: ids[0], status: 'SUSPENDED', suspendedUntil: null }]);
    });

    it('changes nothing when one id is unknown', async () => {
      const admin = server.http();
      const { createCustomer: c } = await admin.data(CreateCustomerDocument, { input: { name: 'Atomic' } });
      const before = await tableDigest(server, ACCOUNT_TABLES);
      const r = await admin.request(SetCustomerStatusDocument, { ids: [c.id, MISSING], status: 'INACTIVE' });
      expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(r.errors?.[0].message).toContain(MISSING);
      expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
      expect((await admin.data(CustomerDocument, { id: c.id })).customer?.status).toBe('ACTIVE');
    });
  });
});

describe('customers list: filters, order, pages', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const admin = server.http();
    const { createCustomerClass: cls } = await admin.data(CreateCustomerClassDocument, { input: { name: 'Retail' } });
    ids.class = cls.id;
    const specs = [
      { name: 'Alpha Voice', company: 'Zeta Holdings', type: 'CUSTOMER', terms: 'PREPAID', balance: '10', mainEmail: 'ops@alpha.test', taxId: 'TAX-ALPHA' },
      { name: 'beta telecom', company: 'Acme', type: 'CARRIER', terms: 'POSTPAID', balance: '10.0000000001', billingEmail: 'pay@beta.test', customerClassId: cls.id },
      { name: 'Gamma 100%', company: null, type: 'CUSTOMER', terms: 'POSTPAID', balance: '-3.5', ratesEmail: 'rates@gamma.test', customerClassId: cls.id },
      { name: 'Delta_Net', company: 'acme networks', type: 'CARRIER', terms: 'PREPAID', balance: '9.9999999999', nocEmail: 'noc@delta.test' },
      // Names are unique whatever their case (issue 13); the twin ties with Alpha Voice on the company instead.
      { name: 'Alpha Voice Twin', company: 'ZETA HOLDINGS', type: 'CUSTOMER', terms: 'PREPAID', balance: '0', status: 'INACTIVE' },
    ] as const;
    for (const [i, s] of specs.entries()) {
      const { createCustomer } = await admin.data(CreateCustomerDocument, { input: { ...s } });
      ids[`c${i}`] = createCustomer.id;
    }
  });

  const names = async (vars: CustomersQueryVariables) => (await server.http().data(CustomersDocument, vars)).customers.nodes.map((n) => n.name);
  const count = async (vars: CustomersQueryVariables) => (await server.http().data(CustomersDocument, vars)).customers.totalCount;

  it('narrows by every filter field, totalCount honouring the filter', async () => {
    expect(await count({})).toBe(5);
    // search: name, company, e-mails and tax id, case-insensitive; LIKE metacharacters are literal.
    expect(await names({ filter: { search: 'ALPHA' } })).toEqual(['Alpha Voice', 'Alpha Voice Twin']);
    expect(await names({ filter: { search: 'acme' } })).toEqual(['beta telecom', 'Delta_Net']);
    expect(await names({ filter: { search: 'pay@beta' } })).toEqual(['beta telecom']);
    expect(await names({ filter: { search: 'rates@GAMMA' } })).toEqual(['Gamma 100%']);
    expect(await names({ filter: { search: 'noc@delta' } })).toEqual(['Delta_Net']);
    expect(await names({ filter: { search: 'tax-alpha' } })).toEqual(['Alpha Voice']);
    expect(await names({ filter: { search: '100%' } })).toEqual(['Gamma 100%']);
    expect(await names({ filter: { search: 'a_n' } })).toEqual(['Delta_Net']);
    expect(await names({ filter: { name: 'TELE' } })).toEqual(['beta telecom']);
    expect(await names({ filter: { company: 'ACME' } })).toEqual(['beta telecom', 'Delta_Net']);
    expect(await names({ filter: { status: ['INACTIVE'] } })).toEqual(['Alpha Voice Twin']);
    expect(await names({ filter: { status: ['ACTIVE', 'INACTIVE'] } })).toHaveLength(5);
    expect(await names({ filter: { terms: ['POSTPAID'] } })).toEqual(['beta telecom', 'Gamma 100%']);
    expect(await names({ filter: { type: ['CARRIER'] } })).toEqual(['beta telecom', 'Delta_Net']);
    expect(await names({ filter: { customerClassId: ids.class } })).toEqual(['beta telecom', 'Gamma 100%']);
    // Exact NUMERIC comparisons: 10.0000000001 is above 10, 9.9999999999 below it.
    expect(await names({ filter: { balanceAbove: '10' } })).toEqual(['beta telecom']);
    expect(await names({ filter: { balanceBelow: '10' } })).toEqual(['Alpha Voice Twin', 'Delta_Net', 'Gamma 100%']);
    expect(await names({ filter: { balanceBelow: '10.0000000001', balanceAbove: '9.9999999999' } })).toEqual(['Alpha Voice']);
    expect(await count({ filter: { type: ['CUSTOMER'], terms: ['PREPAID'], status: ['ACTIVE'] } })).toBe(1);
  });

  it('sorts by every field both ways, ties broken by id, stable across pages', async () => {
    const byBalanceAsc = await names({ orderBy: { field: 'BALANCE', direction: 'ASC' } });
    expect(byBalanceAsc).toEqual(['Gamma 100%', 'Alpha Voice Twin', 'Delta_Net', 'Alpha Voice', 'beta telecom']);
    expect(await names({ orderBy: { field: 'BALANCE', direction: 'DESC' } })).toEqual([...byBalanceAsc].reverse());
    expect(await names({ orderBy: { field: 'CREATED_AT', direction: 'ASC' } })).toEqual(['Alpha Voice', 'beta telecom', 'Gamma 100%', 'Delta_Net', 'Alpha Voice Twin']);
    expect(await names({ orderBy: { field: 'CREATED_AT', direction: 'DESC' } })).toEqual(['Alpha Voice Twin', 'Delta_Net', 'Gamma 100%', 'beta telecom', 'Alpha Voice']);
    const idsBy = async (field: 'NAME' | 'COMPANY', direction: 'ASC' | 'DESC') =>
      (await server.http().data(CustomersDocument, { orderBy: { field, direction } })).customers.nodes.map((n) => n.id);
    expect(await idsBy('NAME', 'ASC')).toEqual([ids.c0, ids.c4, ids.c1, ids.c3, ids.c2]);
    expect(await idsBy('NAME', 'DESC')).toEqual([ids.c2, ids.c3, ids.c1, ids.c4, ids.c0]);
    // "Zeta Holdings" and "ZETA HOLDINGS" tie (the order ignores case): the id decides.
    const twins = [ids.c0, ids.c4].sort();
    expect(await idsBy('COMPANY', 'ASC')).toEqual([ids.c2, ids.c1, ids.c3, ...twins]);
    expect(await idsBy('COMPANY', 'DESC')).toEqual([...[...twins].reverse(), ids.c3, ids.c1, ids.c2]);

    for (const field of ['NAME', 'COMPANY', 'BALANCE', 'CREATED_AT'] as const) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const all = (await server.http().data(CustomersDocument, { orderBy: { field, direction } })).customers.nodes.map((n) => n.id);
        const paged: string[] = [];
        let after: string | null | undefined;
        for (;;) {
          const { customers } = await server.http().data(CustomersDocument, { orderBy: { field, direction }, first: 2, after });
          expect(customers.totalCount).toBe(5);
          expect(customers.edges.map((e) => e.node.id)).toEqual(customers.nodes.map((n) => n.id));
          paged.push(...customers.nodes.map((n) => n.id));
          if (!customers.pageInfo.hasNextPage) break;
          after = customers.pageInfo.endCursor;
        }
        expect(paged).toEqual(all);
      }
    }
  });

  it('defaults to 50 a page, allows 500, refuses more and foreign cursors', async () => {
    const admin = server.http();
    await server.app.services.db.query(`INSERT INTO customers (name) SELECT 'bulk ' || g FROM generate_series(1, 60) g`);
    const def = await admin.data(CustomersDocument, {});
    expect(def.customers.nodes).toHaveLength(50);
    expect(def.customers.pageInfo.hasNextPage).toBe(true);
    expect(def.customers.totalCount).toBe(65);
    expect((await admin.data(CustomersDocument, { first: 500 })).customers.nodes).toHaveLength(65);
    expect((await admin.data(CustomersDocument, { first: 0 })).customers).toMatchObject({ nodes: [], totalCount: 65 });
    expect(await admin.errorCode(CustomersDocument, { first: 501 })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CustomersDocument, { first: -1 })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CustomersDocument, { after: 'bm9wZQ' })).toBe('BAD_USER_INPUT');
    const nameCursor = def.customers.pageInfo.endCursor;
    expect(await admin.errorCode(CustomersDocument, { after: nameCursor, orderBy: { field: 'BALANCE', direction: 'ASC' } })).toBe('BAD_USER_INPUT');
    const forged = Buffer.from(JSON.stringify(['BALANCE', 'abc', 'not-a-uuid'])).toString('base64url');
    expect(await admin.errorCode(CustomersDocument, { after: forged, orderBy: { field: 'BALANCE', direction: 'ASC' } })).toBe('BAD_USER_INPUT');
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const uuid = '00000000-0000-4000-8000-000000000000';
    for (const [key, field] of [[['CREATED_AT', 'yesterday', uuid], 'CREATED_AT'], [['CREATED_AT', '2026-02-30 10:00:00+00', uuid], 'CREATED_AT'], [['BALANCE', '1e400', uuid], 'BALANCE'], [['NAME', 'a', 42], 'NAME']] as const) {
      const r = await admin.request(CustomersDocument, { after: forge(key), orderBy: { field, direction: 'DESC' } });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const search = await admin.request(CustomersDocument, { filter: { search: 'x\u0000' } });
    expect(search.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
  });

  it('scopes CUSTOMER keys to their own customer and refuses INGEST', async () => {
    const admin = server.http();
    const own = ids.c1;
    const key = (await admin.data(CreateApiKeyDocument, { name: 'beta portal', role: 'CUSTOMER', customerId: own })).createApiKey.secret;
    const portal = server.http(key);
    const list = await portal.data(CustomersDocument, {});
    expect(list.customers).toMatchObject({ totalCount: 1, nodes: [{ id: own, name: 'beta telecom' }] });
    expect((await portal.data(CustomersDocument, { filter: { search: 'alpha' } })).customers.totalCount).toBe(0);
    expect((await portal.data(CustomerDocument, { id: own })).customer?.name).toBe('beta telecom');
    expect(await portal.errorCode(CustomerDocument, { id: ids.c0 })).toBe('NOT_FOUND');
    expect(await portal.errorCode(UpdateCustomerDocument, { id: own, input: { name: 'mine' } })).toBe('FORBIDDEN');
    expect(await portal.errorCode(SetCustomerStatusDocument, { ids: [own], status: 'ACTIVE' })).toBe('FORBIDDEN');
    const noc = server.http((await admin.data(CreateApiKeyDocument, { name: 'noc', role: 'NOC' })).createApiKey.secret);
    expect((await noc.data(CustomersDocument, {})).customers.totalCount).toBeGreaterThan(1);
    expect(await noc.errorCode(CreateCustomerDocument, { input: { name: 'x' } })).toBe('FORBIDDEN');
    expect(await noc.errorCode(DeleteCustomerDocument, { id: own })).toBe('FORBIDDEN');
    const ingest = server.http((await admin.data(CreateApiKeyDocument, { name: 'switch', role: 'INGEST' })).createApiKey.secret);
    expect(await ingest.errorCode(CustomersDocument, {})).toBe('FORBIDDEN');
    expect(await ingest.errorCode(CustomerDocument, { id: own })).toBe('FORBIDDEN');
  });
});

describe('customers list: lowest available credit first', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const admin = server.http();
    // availableCredit = balance + creditLimit; the balance order is a different one.
    const specs = {
      deep: { balance: '-30', creditLimit: '10' }, // -20: over its limit
      zeroA: { balance: '-20', creditLimit: '20' }, // 0
      zeroB: { balance: '0', creditLimit: '0' }, // 0: ties with zeroA, the id decides
      low: { balance: '10', creditLimit: '5' }, // 15
      hundred: { balance: '100', creditLimit: '0' }, // 100
      // 100 exactly, in NUMERIC: ties with hundred (no float rounding).
      exact: { balance: '99.9999999999', creditLimit: '0.0000000001' },
      credit: { balance: '-50', creditLimit: '200' }, // 150: the lowest balance, the most credit
    };
    for (const [name, s] of Object.entries(specs)) {
      ids[name] = (await admin.data(CreateCustomerDocument, { input: { name, ...s } })).createCustomer.id;
    }
  });

  const byId = (...names: string[]) => names.map((n) => ids[n]).sort();

  /** Every page of `first` customers, following endCursor. */
  async function pages(direction: 'ASC' | 'DESC', first: number) {
    const seen: { id: string; availableCredit: string }[][] = [];
    let after: string | null | undefined;
    for (;;) {
      const { customers } = await server.http().data(CustomersDocument, { orderBy: { field: 'AVAILABLE_CREDIT', direction }, first, after });
      expect(customers.totalCount).toBe(7);
      seen.push(customers.nodes.map(({ id, availableCredit }) => ({ id, availableCredit })));
      if (!customers.pageInfo.hasNextPage) return seen;
      after = customers.pageInfo.endCursor;
    }
  }

  it('orders by balance + creditLimit both ways, ties broken by id, across pages of first/after', async () => {
    const asc = [ids.deep, ...byId('zeroA', 'zeroB'), ids.low, ...byId('hundred', 'exact'), ids.credit];
    const ascPages = await pages('ASC', 2);
    expect(ascPages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    expect(ascPages.flat().map((n) => n.id)).toEqual(asc);
    expect(ascPages.flat().map((n) => n.availableCredit)).toEqual(['-20', '0', '0', '15', '100', '100', '150']);

    const desc = [...asc].reverse();
    const descPages = await pages('DESC', 3);
    expect(descPages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(descPages.flat().map((n) => n.id)).toEqual(desc);

    // Pages of one: every cursor, both ties included, continues exactly after its row.
    expect((await pages('ASC', 1)).flat().map((n) => n.id)).toEqual(asc);
    expect((await pages('DESC', 1)).flat().map((n) => n.id)).toEqual(desc);
  });

  it('follows balance changes, and refuses cursors of another order', async () => {
    const admin = server.http();
    // A payment of 25 takes "low" from 15 to 40: past nobody but itself.
    await admin.data(RecordPaymentDocument, { customerId: ids.low, amount: '25' });
    // Raising the credit limit of "deep" to 130 takes it from -20 to 100: into the tie at 100.
    await admin.data(UpdateCustomerDocument, { id: ids.deep, input: { creditLimit: '130' } });
    const order = (await pages('ASC', 50)).flat().map((n) => n.id);
    expect(order).toEqual([...byId('zeroA', 'zeroB'), ids.low, ...byId('hundred', 'exact', 'deep'), ids.credit]);

    const { customers } = await admin.data(CustomersDocument, { orderBy: { field: 'BALANCE', direction: 'ASC' }, first: 1 });
    const balanceCursor = customers.pageInfo.endCursor;
    const r = await admin.request(CustomersDocument, { orderBy: { field: 'AVAILABLE_CREDIT', direction: 'ASC' }, after: balanceCursor });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
