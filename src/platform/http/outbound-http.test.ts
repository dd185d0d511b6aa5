import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { addressRange, AddressPolicy, expectSuccess, postJson, resolveSafely } from './outbound-http';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy([]);
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1'])(
    'refuses %s',
    (address) => expect(strict.refusal(address)).toMatch(/private, loopback/),
  );
  it.each(['8.8.8.8', '172.32.0.1', '93.184.216.34', '2001:4860:4860::8888'])('allows public %s', (address) => expect(strict.refusal(address)).toBeNull());
  it('allows what the configured CIDRs allow, and nothing else private', () => {
    const testPolicy = new AddressPolicy(['127.0.0.0/8', '::1/128']);
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '8.8.8.8'].map((a) => testPolicy.refusal(a))).toEqual([null, null, null, null]);
    expect(testPolicy.refusal('::2')).toMatch(/ipv4Compatible/);
    expect(testPolicy.refusal('10.0.0.1')).toMatch(/\(private\)/);
    const loopbackOk = new AddressPolicy(['127.0.0.0/8']);
    expect(loopbackOk.refusal('127.0.0.1')).toBeNull();
    expect(loopbackOk.refusal('10.0.0.1')).not.toBeNull();
  });
  it('checks resolved names and IP literals before connecting', async () => {
    await expect(resolveSafely(new URL('http://localhost:1/'), strict)).rejects.toThrow(/refused outbound request to localhost/);
    await expect(resolveSafely(new URL('http://[::1]:1/'), strict)).rejects.toThrow(/refused/);
    await expect(resolveSafely(new URL('http://169.254.169.254/latest/meta-data'), strict)).rejects.toThrow(/refused/);
    for (const literal of ['[::127.0.0.1]', '[::ffff:0:127.0.0.1]', '[64:ff9b:1::a00:1]', '[2002:7f00:1::1]', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]']) {
      await expect(resolveSafely(new URL(`http://${literal}:1/`), new AddressPolicy(['127.0.0.0/8', '::1/128']))).rejects.toThrow(/refused outbound request/);
    }
    await expect(resolveSafely(new URL('http://127.0.0.1:1/'), new AddressPolicy(['127.0.0.0/8']))).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });
});

/**
 * One address inside each blocked range and one just outside it, classified by
 * ipaddr.js (plus the IPv4-compatible and NAT64 rules of outbound-http.ts). Where the
 * nearest outside address falls into another blocked range, that range is expected.
 */
const RANGES: [label: string, inside: [string, string][], outside: [string, string][]][] = [
  ['unspecified 0.0.0.0/8', [['0.0.0.0', 'unspecified'], ['0.255.255.255', 'unspecified']], [['1.0.0.0', 'unicast']]],
  ['private 10.0.0.0/8', [['10.0.0.0', 'private'], ['10.255.255.255', 'private']], [['9.255.255.255', 'unicast'], ['11.0.0.0', 'unicast']]],
  ['carrier-grade NAT 100.64.0.0/10', [['100.64.0.0', 'carrierGradeNat'], ['100.127.255.255', 'carrierGradeNat']], [['100.63.255.255', 'unicast'], ['100.128.0.0', 'unicast']]],
  ['loopback 127.0.0.0/8', [['127.0.0.1', 'loopback'], ['127.255.255.255', 'loopback']], [['126.255.255.255', 'unicast'], ['128.0.0.0', 'unicast']]],
  ['link-local 169.254.0.0/16 (cloud metadata)', [['169.254.169.254', 'linkLocal'], ['169.254.0.0', 'linkLocal']], [['169.253.255.255', 'unicast'], ['169.255.0.0', 'unicast']]],
  ['private 172.16.0.0/12', [['172.16.0.0', 'private'], ['172.31.255.255', 'private']], [['172.15.255.255', 'unicast'], ['172.32.0.0', 'unicast']]],
  ['IETF protocol assignments 192.0.0.0/24', [['192.0.0.8', 'reserved']], [['191.255.255.255', 'unicast'], ['192.0.1.0', 'unicast']]],
  ['documentation TEST-NET-1 192.0.2.0/24', [['192.0.2.1', 'reserved']], [['192.0.1.255', 'unicast'], ['192.0.3.0', 'unicast']]],
  ['6to4 relay anycast 192.88.99.0/24', [['192.88.99.1', 'reserved']], [['192.88.98.255', 'unicast'], ['192.88.100.0', 'unicast']]],
  ['private 192.168.0.0/16', [['192.168.0.0', 'private'], ['192.168.255.255', 'private']], [['192.167.255.255', 'unicast'], ['192.169.0.0', 'unicast']]],
  ['benchmarking 198.18.0.0/15', [['198.18.0.0', 'reserved'], ['198.19.255.255', 'reserved']], [['198.17.255.255', 'unicast'], ['198.20.0.0', 'unicast']]],
  ['documentation TEST-NET-2 198.51.100.0/24', [['198.51.100.7', 'reserved']], [['198.51.99.255', 'unicast'], ['198.51.101.0', 'unicast']]],
  ['documentation TEST-NET-3 203.0.113.0/24', [['203.0.113.9', 'reserved']], [['203.0.112.255', 'unicast'], ['203.0.114.0', 'unicast']]],
  ['multicast 224.0.0.0/4', [['224.0.0.1', 'multicast'], ['239.255.255.255', 'multicast']], [['223.255.255.255', 'unicast']]],
  ['reserved 240.0.0.0/4', [['240.0.0.1', 'reserved'], ['255.255.255.254', 'reserved']], [['239.255.255.255', 'multicast']]],
  ['broadcast 255.255.255.255', [['255.255.255.255', 'broadcast']], [['255.255.255.254', 'reserved']]],
  ['IPv4-mapped ::ffff:0:0/96 (judged as its IPv4)', [['::ffff:10.0.0.1', 'private'], ['::ffff:7f00:1', 'loopback'], ['::ffff:169.254.169.254', 'linkLocal']], [['::ffff:8.8.8.8', 'unicast'], ['::1:ffff:0:0', 'unicast']]],
  ['IPv4-compatible ::a.b.c.d', [['::8.8.8.8', 'ipv4Compatible'], ['::127.0.0.1', 'ipv4Compatible'], ['::7f00:1', 'ipv4Compatible'], ['::ffff:ffff', 'ipv4Compatible']], [['::1:0:0', 'unicast']]],
  ['IPv4-translated ::ffff:0:a.b.c.d', [['::ffff:0:8.8.8.8', 'rfc6145'], ['::ffff:0:127.0.0.1', 'rfc6145']], [['::fffe:0:0:0', 'unicast'], ['::1:0:0:0:0', 'unicast']]],
  ['unspecified ::', [['::', 'unspecified']], [['::1', 'loopback']]],
  ['loopback ::1', [['::1', 'loopback']], [['::2', 'ipv4Compatible'], ['::1:0:0', 'unicast']]],
  ['NAT64 64:ff9b::/96 of a non-public IPv4', [['64:ff9b::10.0.0.1', 'rfc6052 of private 10.0.0.1'], ['64:ff9b::127.0.0.1', 'rfc6052 of loopback 127.0.0.1'], ['64:ff9b::169.254.169.254', 'rfc6052 of linkLocal 169.254.169.254']], [['64:ff9b::8.8.8.8', 'unicast'], ['64:ff9b::1:0:0', 'unicast']]],
  ['NAT64 local use 64:ff9b:1::/48', [['64:ff9b:1::8.8.8.8', 'rfc6052'], ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'rfc6052']], [['64:ff9b:0:ffff::', 'unicast'], ['64:ff9b:2::', 'unicast']]],
  ['discard-only 100::/64', [['100::1', 'discard']], [['100:0:0:1::', 'unicast'], ['ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast']]],
  ['Teredo 2001::/32', [['2001::1', 'teredo'], ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'teredo']], [['2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast'], ['2001:1::', 'reserved']]],
  ['benchmarking 2001:2::/48', [['2001:2::1', 'benchmarking'], ['2001:2:0:ffff::', 'benchmarking']], [['2001:2:1::', 'reserved'], ['2001:200::', 'unicast']]],
  ['documentation 2001:db8::/32', [['2001:db8::1', 'reserved'], ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved']], [['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast'], ['2001:db9::', 'unicast']]],
  ['6to4 2002::/16', [['2002:808:808::1', '6to4'], ['2002:7f00:1::1', '6to4'], ['2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '6to4']], [['2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast'], ['2003::', 'unicast']]],
  ['unique-local fc00::/7', [['fc00::1', 'uniqueLocal'], ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'uniqueLocal']], [['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast'], ['fe00::', 'unicast']]],
  ['link-local fe80::/10', [['fe80::1', 'linkLocal'], ['fe80::1%eth0', 'linkLocal'], ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'linkLocal']], [['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unicast'], ['fec0::', 'deprecatedSiteLocal']]],
  ['multicast ff00::/8', [['ff02::1', 'multicast'], ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast']], [['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'deprecatedSiteLocal']]],
];

describe.each(RANGES)('SSRF range %s', (_label, inside, outside) => {
  const strict = new AddressPolicy([]);
  it.each(inside)('refuses %s (%s)', (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(strict.refusal(address)).toBe(`address ${address} is private, loopback, link-local or reserved (${range})`);
  });
  it.each(outside)('classifies the neighbour %s as %s', (address, range) => {
    expect(addressRange(address)).toBe(range);
    if (range === 'unicast') expect(strict.refusal(address)).toBeNull();
    else expect(strict.refusal(address)).toContain(`(${range})`);
  });
});

describe('postJson', () => {
  let server: http.Server;
  let port: number;
  const seen: { host?: string; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        if (req.url === '/redirect') res.writeHead(301, { location: '/ok' }).end();
        else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 1_000);
        else res.writeHead(201).end('created');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('connects to the checked address of a host name, keeping the Host header', async () => {
    const policy = new AddressPolicy(['127.0.0.0/8']);
    const r = await postJson(`http://localhost:${port}/hook`, '{"a":1}', {}, { policy, timeoutMs: 2_000 });
    expect(r).toEqual({ status: 201, body: 'created' });
    expect(seen.at(-1)).toEqual({ host: `localhost:${port}`, body: '{"a":1}' });
  });
  it('does not follow redirects and times out', async () => {
    const policy = new AddressPolicy(['127.0.0.0/8']);
    const r = await postJson(`http://127.0.0.1:${port}/redirect`, '{}', {}, { policy, timeoutMs: 2_000 });
    expect(r.status).toBe(301);
    expect(() => expectSuccess('webhook', r)).toThrow('webhook answered HTTP 301 (redirect not followed)');
    await expect(postJson(`http://127.0.0.1:${port}/slow`, '{}', {}, { policy, timeoutMs: 200 })).rejects.toThrow('no response within 200 ms');
  });
  it('refuses before connecting when the address is not allowed', async () => {
    const before = seen.length;
    await expect(postJson(`http://localhost:${port}/hook`, '{}', {}, { policy: new AddressPolicy([]), timeoutMs: 2_000 })).rejects.toThrow(/refused outbound request to localhost/);
    expect(seen.length).toBe(before);
  });
});
