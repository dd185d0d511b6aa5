import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddressPolicy, expectSuccess, postJson, resolveSafely } from './outbound-http';

describe('AddressPolicy', () => {
  const strict = new AddressPolicy([]);
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fc00::1', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1'])(
    'refuses %s',
    (address) => expect(strict.refusal(address)).toMatch(/private, loopback/),
  );
  it.each(['8.8.8.8', '172.32.0.1', '93.184.216.34', '2001:4860:4860::8888'])('allows public %s', (address) => expect(strict.refusal(address)).toBeNull());
  it('allows what the configured CIDRs allow, and nothing else private', () => {
    const loopbackOk = new AddressPolicy(['127.0.0.0/8']);
    expect(loopbackOk.refusal('127.0.0.1')).toBeNull();
    expect(loopbackOk.refusal('10.0.0.1')).not.toBeNull();
  });
  it('checks resolved names and IP literals before connecting', async () => {
    await expect(resolveSafely(new URL('http://localhost:1/'), strict)).rejects.toThrow(/refused outbound request to localhost/);
    await expect(resolveSafely(new URL('http://[::1]:1/'), strict)).rejects.toThrow(/refused/);
    await expect(resolveSafely(new URL('http://169.254.169.254/latest/meta-data'), strict)).rejects.toThrow(/refused/);
    await expect(resolveSafely(new URL('http://127.0.0.1:1/'), new AddressPolicy(['127.0.0.0/8']))).resolves.toEqual({ address: '127.0.0.1', family: 4 });
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
