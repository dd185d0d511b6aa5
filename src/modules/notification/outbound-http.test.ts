import { AddressPolicy, resolveSafely } from './outbound-http';

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
