import {
  CreateApiKeyDocument,
  CreateCustomerDocument,
  CreateHostDocument,
  CreateTrunkDocument,
  CustomerDocument,
  DeleteHostDocument,
  DeleteTrunkDocument,
  HostDocument,
  HostsDocument,
  NodeByIdDocument,
  SetCustomerStatusDocument,
  TrunkDocument,
  TrunksDocument,
  UpdateHostDocument,
  UpdateTrunkDocument,
  type HostsQueryVariables,
} from '../generated/graphql';
import { ACCOUNT_TABLES, tableDigest } from '../helpers/db-state';
import { startTestServer, type TestServer } from '../helpers/test-server';
import type { TrunkChange } from '../../src/modules/trunk/trunk-change';

const MISSING_TRK = 'trk_00000000-0000-4000-8000-000000000000';
const MISSING_CUS = 'cus_00000000-0000-4000-8000-000000000000';
const local = (id: string) => id.slice(4);

describe('trunks and hosts', () => {
  let server: TestServer;
  const hookCalls: TrunkChange[][] = [];
  let acme: string;
  let beta: string;

  beforeAll(async () => {
    server = await startTestServer();
    // Observes the trunk-changed reaction (and still runs it): the services call it through this object.
    const reactions = server.app.services.reactions;
    const trunkChanged = reactions.trunkChanged.bind(reactions);
    reactions.trunkChanged = async (uow, changes) => {
      hookCalls.push(changes);
      await trunkChanged(uow, changes);
    };
    acme = (await server.http().data(CreateCustomerDocument, { input: { name: 'Acme' } })).createCustomer.id;
    beta = (await server.http().data(CreateCustomerDocument, { input: { name: 'Beta Networks' } })).createCustomer.id;
  });

  it('creates, updates and reads trunks, emitting trunkChanged in the transaction', async () => {
    const admin = server.http();
    hookCalls.length = 0;
    const { createTrunk: t } = await admin.data(CreateTrunkDocument, {
      input: { name: 'acme-in', customerId: acme, callLimit: 50, cpsLimit: 5, techPrefix: '#12' },
    });
    expect(t).toMatchObject({ name: 'acme-in', direction: 'INGRESS', enabled: true, callLimit: 50, cpsLimit: 5, techPrefix: '#12', customer: { id: acme, name: 'Acme' }, hosts: [] });
    const { updateTrunk: u } = await admin.data(UpdateTrunkDocument, { id: t.id, input: { name: 'acme-in-1', customerId: acme, direction: 'EGRESS', cpsLimit: null } });
    expect(u).toMatchObject({ name: 'acme-in-1', direction: 'EGRESS', enabled: true, callLimit: 50, cpsLimit: null, techPrefix: '#12' });
    expect(hookCalls).toEqual([
      [{ customerId: local(acme), trunkId: local(t.id), change: 'CREATED' }],
      [{ customerId: local(acme), trunkId: local(t.id), change: 'UPDATED' }],
    ]);
    expect((await admin.data(TrunkDocument, { id: t.id })).trunk?.name).toBe('acme-in-1');
    expect((await admin.data(NodeByIdDocument, { id: t.id })).node?.__typename).toBe('Trunk');
    const customer = await admin.data(CustomerDocument, { id: acme });
    expect(customer.customer).toMatchObject({ trunkCount: 1, trunks: [{ id: t.id, name: 'acme-in-1' }] });
  });

  it('refuses duplicate names, unknown customers and bad limits without change', async () => {
    const admin = server.http();
    const before = await tableDigest(server, ACCOUNT_TABLES);
    hookCalls.length = 0;
    expect(await admin.errorCode(CreateTrunkDocument, { input: { name: 'acme-in-1', customerId: beta } })).toBe('CONFLICT');
    expect(await admin.errorCode(CreateTrunkDocument, { input: { name: 'x', customerId: MISSING_CUS } })).toBe('NOT_FOUND');
    expect(await admin.errorCode(CreateTrunkDocument, { input: { name: 'x', customerId: acme, callLimit: -1 } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(CreateTrunkDocument, { input: { name: ' ', customerId: acme } })).toBe('BAD_USER_INPUT');
    expect(await admin.errorCode(UpdateTrunkDocument, { id: MISSING_TRK, input: { name: 'x', customerId: acme } })).toBe('NOT_FOUND');
    expect(await admin.errorCode(DeleteTrunkDocument, { id: MISSING_TRK })).toBe('NOT_FOUND');
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    expect(hookCalls).toEqual([]);
  });

  it('stores hosts normalised: single addresses without /32 or /128, blocks in CIDR', async () => {
    const admin = server.http();
    const trunkId = (await admin.data(TrunksDocument, { filter: { name: 'acme-in-1' } })).trunks.nodes[0].id;
    hookCalls.length = 0;
    const h1 = (await admin.data(CreateHostDocument, { input: { ip: '10.0.0.5', port: 5060, trunkId } })).createHost;
    const h2 = (await admin.data(CreateHostDocument, { input: { ip: '10.1.0.0/16', trunkId, callLimit: 9 } })).createHost;
    const h3 = (await admin.data(CreateHostDocument, { input: { ip: '2001:DB8:0:0::1/128', trunkId } })).createHost;
    const h4 = (await admin.data(CreateHostDocument, { input: { ip: ' 2001:db8:ff00::/40 ', port: 5080, trunkId } })).createHost;
    expect([h1.ip, h2.ip, h3.ip, h4.ip]).toEqual(['10.0.0.5', '10.1.0.0/16', '2001:db8::1', '2001:db8:ff00::/40']);
    expect(h1).toMatchObject({ port: 5060, enabled: true, trunk: { id: trunkId }, customer: { id: acme } });
    expect(hookCalls).toHaveLength(4);
    expect(hookCalls[0]).toEqual([{ customerId: local(acme), trunkId: local(trunkId), change: 'HOSTS_CHANGED' }]);
    expect((await admin.data(HostDocument, { id: h2.id })).host).toMatchObject({ ip: '10.1.0.0/16', callLimit: 9 });
    expect((await admin.data(NodeByIdDocument, { id: h2.id })).node?.__typename).toBe('Host');
    const { trunk } = await admin.data(TrunkDocument, { id: trunkId });
    expect(trunk?.hosts.map((h) => h.ip)).toEqual(['10.0.0.5', '10.1.0.0/16', '2001:db8::1', '2001:db8:ff00::/40']);
  });

  it('refuses malformed addresses, host bits, bad ports and enabled duplicates without change', async () => {
    const admin = server.http();
    const trunkId = (await admin.data(TrunksDocument, { filter: { name: 'acme-in-1' } })).trunks.nodes[0].id;
    const before = await tableDigest(server, ACCOUNT_TABLES);
    const codes = await Promise.all([
      admin.errorCode(CreateHostDocument, { input: { ip: '10.0.0.256', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: 'not-an-ip', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.1', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.0.0.0/33', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.0.0.1/24', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '2001:db8::1/64', trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.9.9.9', port: 0, trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.9.9.9', port: 65536, trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.9.9.9', cpsLimit: -1, trunkId } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.9.9.9', trunkId: MISSING_TRK } }),
      admin.errorCode(CreateHostDocument, { input: { ip: '10.0.0.5/32', port: 5060, trunkId } }),
      admin.errorCode(UpdateHostDocument, { id: 'hst_00000000-0000-4000-8000-000000000000', input: { ip: '10.9.9.9', trunkId } }),
      admin.errorCode(DeleteHostDocument, { id: 'hst_00000000-0000-4000-8000-000000000000' }),
      admin.errorCode(HostsDocument, { filter: { ip: '10.0.0.1/24' } }),
      admin.errorCode(HostsDocument, { filter: { ip: 'garbage' } }),
      admin.errorCode(HostsDocument, { first: 501 }),
    ]);
    expect(codes).toEqual([
      'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT',
      'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'NOT_FOUND', 'NOT_FOUND',
      'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT',
    ]);
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    // The same address and port may exist while one of them is disabled.
    const disabled = (await admin.data(CreateHostDocument, { input: { ip: '10.0.0.5', port: 5060, trunkId, enabled: false } })).createHost;
    expect(await admin.errorCode(UpdateHostDocument, { id: disabled.id, input: { ip: '10.0.0.5', trunkId, enabled: true } })).toBe('CONFLICT');
    expect(await admin.data(DeleteHostDocument, { id: disabled.id })).toEqual({ deleteHost: true });
  });

  it('searches hosts by IP: equal addresses, containing blocks, hosts inside a block', async () => {
    const admin = server.http();
    const betaTrunk = (await admin.data(CreateTrunkDocument, { input: { name: 'beta-in', customerId: beta } })).createTrunk.id;
    await admin.data(CreateHostDocument, { input: { ip: '10.1.2.3', trunkId: betaTrunk } });
    await admin.data(CreateHostDocument, { input: { ip: '192.168.0.0/24', trunkId: betaTrunk } });
    const ips = async (vars: HostsQueryVariables) => (await admin.data(HostsDocument, vars)).hosts.nodes.map((h) => h.ip);
    expect(await ips({ filter: { ip: '10.0.0.5' } })).toEqual(['10.0.0.5']);
    expect(await ips({ filter: { ip: '10.1.2.3' } })).toEqual(['10.1.0.0/16', '10.1.2.3']);
    expect(await ips({ filter: { ip: '10.1.200.7' } })).toEqual(['10.1.0.0/16']);
    expect(await ips({ filter: { ip: '10.0.0.0/8' } })).toEqual(['10.0.0.5', '10.1.0.0/16', '10.1.2.3']);
    expect(await ips({ filter: { ip: '192.168.0.77' } })).toEqual(['192.168.0.0/24']);
    expect(await ips({ filter: { ip: '2001:db8::1' } })).toEqual(['2001:db8::1']);
    expect(await ips({ filter: { ip: '2001:db8::/32' } })).toEqual(['2001:db8::1', '2001:db8:ff00::/40']);
    expect(await ips({ filter: { ip: '172.16.0.1' } })).toEqual([]);
    expect(await ips({ filter: { customerId: beta } })).toEqual(['10.1.2.3', '192.168.0.0/24']);
    expect(await ips({ filter: { customerName: 'NETWORKS' } })).toEqual(['10.1.2.3', '192.168.0.0/24']);
    expect(await ips({ filter: { trunkName: 'ACME' } })).toHaveLength(4);
    expect(await ips({ filter: { ip: '10.0.0.0/8', customerName: 'acme' } })).toEqual(['10.0.0.5', '10.1.0.0/16']);
    await admin.data(SetCustomerStatusDocument, { ids: [beta], status: 'INACTIVE' });
    expect(await ips({ filter: { status: ['INACTIVE'] } })).toEqual(['10.1.2.3', '192.168.0.0/24']);
    expect((await admin.data(HostsDocument, { filter: { status: ['ACTIVE'] } })).hosts.totalCount).toBe(4);
    await admin.data(SetCustomerStatusDocument, { ids: [beta], status: 'ACTIVE' });
    // Pages in address order, totalCount honouring the filter.
    const p1 = await admin.data(HostsDocument, { first: 4 });
    expect(p1.hosts).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true } });
    const p2 = await admin.data(HostsDocument, { first: 4, after: p1.hosts.pageInfo.endCursor });
    expect([...p1.hosts.nodes, ...p2.hosts.nodes].map((h) => h.ip)).toEqual([
      '10.0.0.5', '10.1.0.0/16', '10.1.2.3', '192.168.0.0/24', '2001:db8::1', '2001:db8:ff00::/40',
    ]);
    expect(p2.hosts.pageInfo.hasNextPage).toBe(false);
  });

  it('serves the ip filter from the GiST inet_ops index', async () => {
    const db = server.app.services.db;
    const qr = db.createQueryRunner();
    try {
      await qr.connect();
      await qr.query(`INSERT INTO hosts (ip, trunk_id, enabled)
        SELECT ('10.200.' || (g / 250) || '.' || (g % 250))::cidr, (SELECT id FROM trunks LIMIT 1), false FROM generate_series(1, 5000) g`);
      await qr.query(`ANALYZE hosts`);
      const plan = (await qr.query(`EXPLAIN SELECT h.id FROM hosts h WHERE (h.ip >>= $1::cidr OR h.ip <<= $1::cidr)`, ['10.1.2.3'])) as { 'QUERY PLAN': string }[];
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('hosts_ip_gist');
      await qr.query(`DELETE FROM hosts WHERE ip <<= '10.200.0.0/16'`);
    } finally {
      await qr.release();
    }
  });

  it('moves a host between trunks, and deleting a trunk deletes its hosts', async () => {
    const admin = server.http();
    const betaTrunk = (await admin.data(TrunksDocument, { filter: { name: 'beta-in' } })).trunks.nodes[0].id;
    const acmeTrunk = (await admin.data(TrunksDocument, { filter: { name: 'acme-in-1' } })).trunks.nodes[0].id;
    const host = (await admin.data(HostsDocument, { filter: { ip: '192.168.0.0/24' } })).hosts.nodes[0];
    hookCalls.length = 0;
    const moved = await admin.data(UpdateHostDocument, { id: host.id, input: { ip: '192.168.0.0/24', trunkId: acmeTrunk, port: 5062 } });
    expect(moved.updateHost).toMatchObject({ port: 5062, enabled: true, trunk: { id: acmeTrunk }, customer: { id: acme } });
    expect(hookCalls[0]).toEqual([
      { customerId: local(acme), trunkId: local(acmeTrunk), change: 'HOSTS_CHANGED' },
      { customerId: local(beta), trunkId: local(betaTrunk), change: 'HOSTS_CHANGED' },
    ]);
    expect(await admin.data(DeleteTrunkDocument, { id: betaTrunk })).toEqual({ deleteTrunk: true });
    expect(hookCalls[1]).toEqual([{ customerId: local(beta), trunkId: local(betaTrunk), change: 'DELETED' }]);
    const [{ n }] = await server.app.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hosts WHERE trunk_id = $1`, [local(betaTrunk)]);
    expect(n).toBe(0);
    expect(await admin.errorCode(TrunkDocument, { id: betaTrunk })).toBe('NOT_FOUND');
  });

  it('filters and pages trunks', async () => {
    const admin = server.http();
    for (const [name, dir, enabled] of [['zz-1', 'EGRESS', false], ['zz-2', 'INGRESS', true], ['zz-3', 'EGRESS', true]] as const) {
      await admin.data(CreateTrunkDocument, { input: { name, customerId: beta, direction: dir, enabled } });
    }
    const names = async (filter: object, first?: number) => (await admin.data(TrunksDocument, { filter, first })).trunks.nodes.map((t) => t.name);
    expect(await names({ customerId: beta })).toEqual(['zz-1', 'zz-2', 'zz-3']);
    expect(await names({ name: 'ZZ' })).toEqual(['zz-1', 'zz-2', 'zz-3']);
    expect(await names({ direction: 'EGRESS' })).toEqual(['acme-in-1', 'zz-1', 'zz-3']);
    expect(await names({ enabled: false })).toEqual(['zz-1']);
    expect(await names({ direction: 'EGRESS', enabled: true, customerId: beta })).toEqual(['zz-3']);
    // Moving a trunk to another customer tells both customers.
    const zz3 = (await admin.data(TrunksDocument, { filter: { name: 'zz-3' } })).trunks.nodes[0].id;
    hookCalls.length = 0;
    const moved = await admin.data(UpdateTrunkDocument, { id: zz3, input: { name: 'zz-3', customerId: acme } });
    expect(moved.updateTrunk).toMatchObject({ customer: { id: acme }, direction: 'EGRESS', enabled: true });
    expect(hookCalls).toEqual([
      [
        { customerId: local(beta), trunkId: local(zz3), change: 'DELETED' },
        { customerId: local(acme), trunkId: local(zz3), change: 'UPDATED' },
      ],
    ]);
    await admin.data(UpdateTrunkDocument, { id: zz3, input: { name: 'zz-3', customerId: beta } });
    const p1 = await admin.data(TrunksDocument, { first: 2 });
    expect(p1.trunks).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    const p2 = await admin.data(TrunksDocument, { first: 2, after: p1.trunks.pageInfo.endCursor });
    expect([...p1.trunks.nodes, ...p2.trunks.nodes].map((t) => t.name)).toEqual(['acme-in-1', 'zz-1', 'zz-2', 'zz-3']);
    expect(await admin.errorCode(TrunksDocument, { first: 501 })).toBe('BAD_USER_INPUT');
    // Hand-made cursors of the right arity: refused before SQL, never a failed cast.
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [['zz-1', 'not-a-uuid'], ['zz-1', 12], [null, null], ['zz\u0000', '00000000-0000-4000-8000-000000000000'], [Infinity, 'x']]) {
      const r = await admin.request(TrunksDocument, { first: 2, after: forge(key) });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const h = await admin.request(HostsDocument, { after: forge(['10.0.0.1/8', '00000000-0000-4000-8000-000000000000']) });
    expect(h.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const n = await admin.request(TrunksDocument, { filter: { name: 'zz\u0000' } });
    expect(n.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.name' });
  });

  it('scopes CUSTOMER keys to their own trunks and hosts; NOC reads; INGEST is refused', async () => {
    const admin = server.http();
    const secret = (await admin.data(CreateApiKeyDocument, { name: 'acme portal', role: 'CUSTOMER', customerId: acme })).createApiKey.secret;
    const portal = server.http(secret);
    const trunks = await portal.data(TrunksDocument, {});
    expect(trunks.trunks.nodes.map((t) => t.name)).toEqual(['acme-in-1']);
    expect((await portal.data(TrunksDocument, { filter: { customerId: beta } })).trunks.totalCount).toBe(0);
    const betaTrunk = (await admin.data(TrunksDocument, { filter: { name: 'zz-2' } })).trunks.nodes[0].id;
    expect(await portal.errorCode(TrunkDocument, { id: betaTrunk })).toBe('NOT_FOUND');
    const betaHost = (await admin.data(CreateHostDocument, { input: { ip: '172.16.5.5', trunkId: betaTrunk } })).createHost.id;
    expect(await portal.errorCode(HostDocument, { id: betaHost })).toBe('NOT_FOUND');
    expect((await portal.data(NodeByIdDocument, { id: betaHost })).node).toBeNull();
    const hosts = await portal.data(HostsDocument, {});
    expect(hosts.hosts.totalCount).toBe(5);
    expect((await portal.data(HostsDocument, { filter: { ip: '172.16.5.5' } })).hosts.totalCount).toBe(0);
    expect(await portal.errorCode(CreateTrunkDocument, { input: { name: 'mine', customerId: acme } })).toBe('FORBIDDEN');
    expect(await portal.errorCode(DeleteHostDocument, { id: betaHost })).toBe('FORBIDDEN');
    const noc = server.http((await admin.data(CreateApiKeyDocument, { name: 'noc-inv', role: 'NOC' })).createApiKey.secret);
    expect((await noc.data(HostsDocument, {})).hosts.totalCount).toBe(6);
    expect(await noc.errorCode(UpdateTrunkDocument, { id: betaTrunk, input: { name: 'x', customerId: beta } })).toBe('FORBIDDEN');
    const ingest = server.http((await admin.data(CreateApiKeyDocument, { name: 'ingest-inv', role: 'INGEST' })).createApiKey.secret);
    expect(await ingest.errorCode(TrunksDocument, {})).toBe('FORBIDDEN');
    expect(await ingest.errorCode(HostsDocument, {})).toBe('FORBIDDEN');
    expect(await ingest.errorCode(HostDocument, { id: betaHost })).toBe('FORBIDDEN');
  });
});
