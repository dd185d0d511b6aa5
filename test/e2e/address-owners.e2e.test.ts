/**
 * One owner per address (issue 13): an enabled ingress host may not share its address or
 * block with another customer's, whatever the ports; nested blocks stay allowed and the
 * most specific wins; IPv4-mapped IPv6 sources are IPv4; customer names are unique
 * whatever their case; and the migration repairs existing data that breaks these rules.
 */
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import {
  CreateCustomerDocument,
  CreateHostDocument,
  CreateTrunkDocument,
  OwnedHostsDocument,
  SubmitCdrsDocument,
  UpdateCustomerDocument,
  UpdateHostDocument,
  UpdateTrunkDocument,
  type CdrInput,
} from '../generated/graphql';
import { cdr, money, type TestCustomer } from '../helpers/cdr-fixtures';
import { ACCOUNT_TABLES, tableDigest } from '../helpers/db-state';
import type { GraphQLErrorShape, HttpClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { fixedUuid, migrationHarness, type MigrationHarness } from '../helpers/migration-harness';
import { AddressOwners1732406401230 } from '../../migrations/1732406401230-address-owners';

const local = (id: string) => id.slice(4);

describe('one owner per address', () => {
  let server: TestServer;
  let admin: HttpClient;
  /** Customers by name: their global id, and the TestCustomer shape the CDR fixtures take. */
  const customer: Record<string, TestCustomer & { name: string }> = {};
  const trunk: Record<string, string> = {};

  async function createCustomer(name: string): Promise<void> {
    const { createCustomer: c } = await admin.data(CreateCustomerDocument, { input: { name, balance: '100' } });
    customer[name] = { id: c.id, localId: local(c.id), name };
  }

  async function createTrunk(name: string, owner: string, direction: 'INGRESS' | 'EGRESS' = 'INGRESS'): Promise<void> {
    trunk[name] = (await admin.data(CreateTrunkDocument, { input: { name, customerId: customer[owner].id, direction } })).createTrunk.id;
  }

  const host = (ip: string, trunkName: string, extra: { port?: number; enabled?: boolean } = {}) =>
    admin.request(CreateHostDocument, { input: { ip, trunkId: trunk[trunkName], ...extra } });

  /** The one error of a refused request. */
  function refusal(r: { errors?: GraphQLErrorShape[]; data?: unknown }): GraphQLErrorShape {
    expect(r.errors).toHaveLength(1);
    return r.errors![0];
  }

  /** A CONFLICT naming `owner` as the address's customer. */
  function ownedBy(owner: string, field = 'ip') {
    return expect.objectContaining({
      message: expect.stringContaining(`belongs to customer "${owner}"`),
      extensions: expect.objectContaining({ code: 'CONFLICT', field, ownerCustomerId: customer[owner].id, ownerCustomerName: owner }),
    });
  }

  const submit = async (cdrs: CdrInput[]) => (await admin.data(SubmitCdrsDocument, { cdrs })).submitCdrs;

  beforeAll(async () => {
    server = await startTestServer();
    admin = server.http();
    for (const name of ['Alpha Voice', 'Bravo Carrier', 'Charlie Telecom']) await createCustomer(name);
    await createTrunk('alpha-in', 'Alpha Voice');
    await createTrunk('alpha-in-2', 'Alpha Voice');
    await createTrunk('alpha-spare', 'Alpha Voice');
    await createTrunk('bravo-in', 'Bravo Carrier');
    await createTrunk('bravo-out', 'Bravo Carrier', 'EGRESS');
    await createTrunk('charlie-in', 'Charlie Telecom');
  });

  it("refuses another customer's ingress host on the same address whatever the port, naming the owner, and changes nothing", async () => {
    expect((await host('198.51.100.250', 'alpha-in', { port: 5060 })).errors).toBeUndefined();
    expect((await host('203.0.113.0/24', 'alpha-in')).errors).toBeUndefined();
    const before = await tableDigest(server, ACCOUNT_TABLES);

    for (const attempt of [
      host('198.51.100.250', 'bravo-in', { port: 5080 }), // another port
      host('198.51.100.250', 'bravo-in'), // no port
      host('198.51.100.250/32', 'bravo-in', { port: 5060 }), // the same port, written as a /32
      host('::ffff:198.51.100.250', 'bravo-in', { port: 5090 }), // written as IPv4-mapped IPv6
      host('203.0.113.0/24', 'bravo-in', { port: 5060 }), // an equal block
    ]) {
      expect(refusal(await attempt)).toEqual(ownedBy('Alpha Voice'));
    }
    const blockRefusal = refusal(await host('203.0.113.0/24', 'charlie-in'));
    expect(blockRefusal.extensions).toMatchObject({ ip: '203.0.113.0/24', ownerCustomerName: 'Alpha Voice' });
    expect(refusal(await host('198.51.100.250', 'charlie-in')).extensions).toMatchObject({ ip: '198.51.100.250' });
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
  });

  it('lets the same customer reuse its address on other ports and trunks, and lets egress and disabled hosts share it', async () => {
    expect((await host('198.51.100.250', 'alpha-in', { port: 5080 })).errors).toBeUndefined();
    expect((await host('198.51.100.250', 'alpha-in-2', { port: 5070 })).errors).toBeUndefined();
    expect((await host('198.51.100.250', 'alpha-spare', { port: 5075 })).errors).toBeUndefined();
    // Egress trunks and disabled hosts name no customer for a CDR: they own nothing.
    expect((await host('198.51.100.250', 'bravo-out', { port: 5085 })).errors).toBeUndefined();
    const disabled = await host('198.51.100.250', 'bravo-in', { port: 5099, enabled: false });
    expect(disabled.errors).toBeUndefined();
    const hosts = await admin.data(OwnedHostsDocument, { filter: { ip: '198.51.100.250' } });
    expect(hosts.hosts.nodes.map((h) => [h.customer.name, h.trunk.name, h.port, h.enabled]).sort()).toEqual(
      [
        ['Alpha Voice', 'alpha-in', 5060, true],
        ['Alpha Voice', 'alpha-in', 5080, true],
        ['Alpha Voice', 'alpha-in-2', 5070, true],
        ['Alpha Voice', 'alpha-spare', 5075, true],
        ['Bravo Carrier', 'bravo-out', 5085, true],
        ['Bravo Carrier', 'bravo-in', 5099, false],
      ].sort(),
    );
  });

  it('refuses enabling a host, moving a host or its trunk, and turning a trunk INGRESS onto an owned address', async () => {
    const disabledId = (await admin.data(OwnedHostsDocument, { filter: { ip: '198.51.100.250', customerName: 'Bravo' } })).hosts.nodes.find((h) => !h.enabled)!.id;
    const charlieHost = (await admin.data(CreateHostDocument, { input: { ip: '192.0.2.77', trunkId: trunk['charlie-in'] } })).createHost.id;
    const before = await tableDigest(server, ACCOUNT_TABLES);

    // Enabling Bravo's disabled host.
    expect(refusal(await admin.request(UpdateHostDocument, { id: disabledId, input: { ip: '198.51.100.250', port: 5099, trunkId: trunk['bravo-in'], enabled: true } }))).toEqual(
      ownedBy('Alpha Voice'),
    );
    // Changing a host's address to an owned one, or moving it to a trunk of another customer.
    expect(refusal(await admin.request(UpdateHostDocument, { id: charlieHost, input: { ip: '198.51.100.250', trunkId: trunk['charlie-in'] } }))).toEqual(ownedBy('Alpha Voice'));
    const alphaHost = (await admin.data(OwnedHostsDocument, { filter: { ip: '198.51.100.250', trunkName: 'alpha-spare' } })).hosts.nodes[0];
    expect(refusal(await admin.request(UpdateHostDocument, { id: alphaHost.id, input: { ip: '198.51.100.250', port: 5075, trunkId: trunk['bravo-in'] } }))).toEqual(
      ownedBy('Alpha Voice'),
    );
    // Moving Alpha's spare trunk (and its host) to Bravo: Alpha's other hosts keep the address.
    expect(refusal(await admin.request(UpdateTrunkDocument, { id: trunk['alpha-spare'], input: { name: 'alpha-spare', customerId: customer['Bravo Carrier'].id } }))).toEqual(
      ownedBy('Alpha Voice', 'customerId'),
    );
    // Turning Bravo's egress trunk (with an enabled host on the address) into an ingress one.
    expect(
      refusal(await admin.request(UpdateTrunkDocument, { id: trunk['bravo-out'], input: { name: 'bravo-out', customerId: customer['Bravo Carrier'].id, direction: 'INGRESS' } })),
    ).toEqual(ownedBy('Alpha Voice', 'direction'));
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);

    // Without a conflicting host, the same trunk changes pass (and the hosts follow their trunk).
    await admin.data(UpdateTrunkDocument, { id: trunk['charlie-in'], input: { name: 'charlie-in', customerId: customer['Bravo Carrier'].id } });
    await admin.data(UpdateTrunkDocument, { id: trunk['charlie-in'], input: { name: 'charlie-in', customerId: customer['Charlie Telecom'].id } });
    const [copy] = await server.app.services.db.query<{ customer_id: string; trunk_direction: string }>(`SELECT customer_id, trunk_direction FROM hosts WHERE id = $1`, [local(charlieHost)]);
    expect(copy).toEqual({ customer_id: customer['Charlie Telecom'].localId, trunk_direction: 'INGRESS' });
  });

  it('enforces it in the database: concurrent creates for two customers, and SQL that bypasses the service', async () => {
    const ips = Array.from({ length: 10 }, (_, i) => `192.0.2.${100 + i}`);
    const results = await Promise.all(ips.flatMap((ip) => [host(ip, 'alpha-in', { port: 5060 }), host(ip, 'bravo-in', { port: 5080 })]));
    for (let i = 0; i < ips.length; i++) {
      const pair = [results[2 * i], results[2 * i + 1]];
      expect(pair.filter((r) => !r.errors)).toHaveLength(1);
      const refused = pair.find((r) => r.errors)!;
      const winner = pair[0].errors ? 'Bravo Carrier' : 'Alpha Voice';
      expect(refusal(refused)).toEqual(ownedBy(winner));
    }
    const [{ n }] = await server.app.services.db.query<{ n: number }>(
      `SELECT count(DISTINCT customer_id)::int AS n FROM hosts WHERE ip = ANY($1::cidr[]) AND enabled GROUP BY ip ORDER BY 1 DESC LIMIT 1`,
      [ips],
    );
    expect(n).toBe(1);
    await expect(
      server.app.services.db.query(`INSERT INTO hosts (ip, port, trunk_id) VALUES ('198.51.100.250', 6000, $1)`, [local(trunk['charlie-in'])]),
    ).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23P01', constraint: 'hosts_one_address_owner' }) });
  });

  it('allows a nested, more specific block of another customer, which wins resolution; a mapped IPv6 source is charged to the IPv4 host', async () => {
    // Alpha has 203.0.113.0/24; Bravo takes the /25 inside it and Charlie one address inside that.
    expect((await host('203.0.113.128/25', 'bravo-in', { port: 5060 })).errors).toBeUndefined();
    expect((await host('203.0.113.200', 'charlie-in')).errors).toBeUndefined();
    const alpha = customer['Alpha Voice'];
    const bravo = customer['Bravo Carrier'];
    const charlie = customer['Charlie Telecom'];
    const before = { alpha: await money(server.app.services, alpha), bravo: await money(server.app.services, bravo), charlie: await money(server.app.services, charlie) };

    const result = await submit([
      cdr(null, { sourceIp: '203.0.113.5', charge: '1' }), // only Alpha's /24
      cdr(null, { sourceIp: '203.0.113.130', charge: '2' }), // Bravo's /25 beats Alpha's /24
      cdr(null, { sourceIp: '203.0.113.200', charge: '4' }), // Charlie's /32 beats both
      cdr(null, { sourceIp: '::ffff:198.51.100.250', charge: '8' }), // mapped: Alpha's 198.51.100.250
      cdr(null, { sourceIp: '::FFFF:C633:64FA', charge: '16' }), // the same address in hex
      cdr(null, { sourceIp: '::ffff:203.0.113.200', charge: '32' }), // mapped, nested: Charlie
    ]);
    expect(result).toMatchObject({ accepted: 6, rejected: [] });
    const delta = Object.fromEntries(result.balanceChanges.map((c) => [c.customer.id, c.delta]));
    expect(delta).toEqual({ [alpha.id]: '-25', [bravo.id]: '-2', [charlie.id]: '-36' });
    expect((await money(server.app.services, alpha)).balance).toBe(String(Number(before.alpha.balance) - 25));
    expect((await money(server.app.services, charlie)).balance).toBe(String(Number(before.charlie.balance) - 36));

    // A host written as a mapped address is stored, found and owned as IPv4.
    const mapped = (await admin.data(CreateHostDocument, { input: { ip: '::ffff:192.0.2.200', trunkId: trunk['charlie-in'] } })).createHost;
    expect(mapped.ip).toBe('192.0.2.200');
    expect((await admin.data(OwnedHostsDocument, { filter: { ip: '::ffff:192.0.2.200' } })).hosts.nodes.map((h) => h.id)).toEqual([mapped.id]);
    expect(refusal(await host('192.0.2.200', 'alpha-in'))).toEqual(ownedBy('Charlie Telecom'));
  });

  it('refuses a customer name another customer has, whatever the case, on create and update, and changes nothing', async () => {
    const before = await tableDigest(server, ACCOUNT_TABLES);
    for (const name of ['Alpha Voice', 'ALPHA VOICE', '  alpha voice ']) {
      const r = await admin.request(CreateCustomerDocument, { input: { name } });
      expect(refusal(r)).toMatchObject({ message: expect.stringContaining('already exists'), extensions: { code: 'CONFLICT', field: 'name' } });
    }
    const r = await admin.request(UpdateCustomerDocument, { id: customer['Bravo Carrier'].id, input: { name: 'alpha VOICE' } });
    expect(refusal(r).extensions).toMatchObject({ code: 'CONFLICT', field: 'name' });
    expect(await tableDigest(server, ACCOUNT_TABLES)).toEqual(before);
    // A customer may change the case of its own name.
    const renamed = await admin.data(UpdateCustomerDocument, { id: customer['Bravo Carrier'].id, input: { name: 'BRAVO Carrier' } });
    expect(renamed.updateCustomer.name).toBe('BRAVO Carrier');
  });
});

describe('the address-owners migration on existing data', () => {
  /** TypeORM's migration log, where the migration writes what it repaired. */
  const logged: string[] = [];
  const logger: TypeOrmLogger = {
    logQuery: () => undefined,
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: (message) => void logged.push(message),
    log: () => undefined,
  };
  let harness: MigrationHarness;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await migrationHarness(AddressOwners1732406401230, logger);
    dataSource = harness.dataSource;
  });

  afterAll(() => harness?.close());

  const run = (step: 'up' | 'down') => harness.run(step);
  const id = fixedUuid;

  it('renames later duplicate names, disables hosts that give an address a second owner (logging both), and reverts', async () => {
    await dataSource.query(`
      INSERT INTO customers (id, name, created_at) VALUES
        ('${id(1)}', 'Dup Telecom (2)', '2026-01-01'),
        ('${id(2)}', 'Dup Telecom', '2026-01-02'),
        ('${id(3)}', 'DUP TELECOM', '2026-01-03'),
        ('${id(4)}', 'dup telecom', '2026-01-04'),
        ('${id(5)}', 'Xray', '2026-01-05'),
        ('${id(6)}', 'Yankee', '2026-01-06'),
        ('${id(7)}', 'Zulu', '2026-01-07')`);
    await dataSource.query(`
      INSERT INTO trunks (id, name, customer_id, direction, enabled) VALUES
        ('${id(15)}', 'x-in', '${id(5)}', 'INGRESS', true),
        ('${id(16)}', 'y-in', '${id(6)}', 'INGRESS', false),
        ('${id(17)}', 'z-out', '${id(7)}', 'EGRESS', true)`);
    // 192.0.2.10: X's host has the lower id (the old resolver charged X), Y's conflicts on another port.
    // 10.9.0.0/16: Y's host has the lower id (on a disabled trunk: still billed, so still Y's).
    await dataSource.query(`
      INSERT INTO hosts (id, ip, port, trunk_id, enabled) VALUES
        ('${id(21)}', '192.0.2.10', 5060, '${id(15)}', true),
        ('${id(22)}', '192.0.2.10', 5080, '${id(16)}', true),
        ('${id(23)}', '192.0.2.10', NULL, '${id(17)}', true),
        ('${id(24)}', '192.0.2.0/24', 5060, '${id(16)}', true),
        ('${id(25)}', '10.9.0.0/16', 5070, '${id(16)}', true),
        ('${id(26)}', '10.9.0.0/16', NULL, '${id(15)}', true),
        ('${id(27)}', '10.9.0.0/16', 5071, '${id(15)}', false)`);

    await run('up');

    const names = await dataSource.query(`SELECT id, name FROM customers WHERE id <= '${id(4)}' ORDER BY id`);
    expect(names).toEqual([
      { id: id(1), name: 'Dup Telecom (2)' }, // a name nobody else had: kept
      { id: id(2), name: 'Dup Telecom' }, // the oldest of the duplicates keeps it
      { id: id(3), name: 'DUP TELECOM (3)' }, // "(2)" is taken
      { id: id(4), name: 'dup telecom (4)' }, // "(3)" is taken by the rename before it
    ]);
    const hosts = await dataSource.query(`SELECT id, enabled, customer_id, trunk_direction FROM hosts ORDER BY id`);
    expect(hosts.map((h: { id: string; enabled: boolean }) => [h.id, h.enabled])).toEqual([
      [id(21), true],
      [id(22), false], // Y's copy of X's address
      [id(23), true], // egress: owns nothing
      [id(24), true], // a nested block: allowed
      [id(25), true],
      [id(26), false], // X's copy of Y's block
      [id(27), false], // was disabled already
    ]);
    expect(hosts[0]).toMatchObject({ customer_id: id(5), trunk_direction: 'INGRESS' });
    expect(logged.filter((m) => m.startsWith('AddressOwners:'))).toEqual([
      `AddressOwners: customer ${id(3)} renamed from "DUP TELECOM" to "DUP TELECOM (3)" (customer names are unique, case-insensitive)`,
      `AddressOwners: customer ${id(4)} renamed from "dup telecom" to "dup telecom (4)" (customer names are unique, case-insensitive)`,
      `AddressOwners: host ${id(26)} (10.9.0.0/16) of customer ${id(5)} "Xray" disabled: the address belongs to customer ${id(6)} "Yankee" (one owner per address: CDRs carry no port)`,
      `AddressOwners: host ${id(22)} (192.0.2.10/32 port 5080) of customer ${id(6)} "Yankee" disabled: the address belongs to customer ${id(5)} "Xray" (one owner per address: CDRs carry no port)`,
    ]);
    // The rules hold from now on, for any writer.
    await expect(dataSource.query(`UPDATE hosts SET enabled = true WHERE id = '${id(22)}'`)).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23P01' }) });
    await expect(dataSource.query(`INSERT INTO customers (name) VALUES ('XRAY')`)).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23505' }) });

    await run('down');
    const constraints = await dataSource.query(`SELECT conname FROM pg_constraint WHERE conrelid IN ('hosts'::regclass, 'trunks'::regclass) ORDER BY conname`);
    expect(constraints.map((c: { conname: string }) => c.conname)).toEqual(expect.arrayContaining(['hosts_trunk_id_fkey']));
    expect(constraints.map((c: { conname: string }) => c.conname)).not.toEqual(expect.arrayContaining(['hosts_one_address_owner']));
    await dataSource.query(`INSERT INTO customers (name) VALUES ('XRAY')`);
    await dataSource.query(`DELETE FROM customers WHERE name = 'XRAY'`);

    // And up again on data that already obeys: nothing to repair.
    logged.length = 0;
    await run('up');
    expect(logged).toEqual([]);
  });
});
