import { checkIpSyntax, hostAddress, sourceAddress } from './ip-address';

describe('checkIpSyntax', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::1', '2001:db8::/32', '::1/128', ' 192.168.1.1 '])('accepts %p', (ip) => {
    expect(checkIpSyntax(ip)).toBe(ip.trim());
  });

  it.each(['10.1', '10.0.0.256', '10.0.0.1/33', '2001:db8::/129', 'fe80::1%eth0', 'host.example', '10.0.0.1/', '10.0.0.1/-1', ''])('refuses %p', (ip) => {
    expect(() => checkIpSyntax(ip)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'ip' }) }));
  });
});

describe('hostAddress', () => {
  it.each([
    ['::ffff:198.51.100.250', '198.51.100.250'],
    [' ::FFFF:198.51.100.250 ', '198.51.100.250'],
    ['::ffff:c633:64fa', '198.51.100.250'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['0:0:0:0:0:FFFF:10.0.0.1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:c633:64fa/128', '198.51.100.250/32'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:0.0.0.0/96', '0.0.0.0/0'],
    ['10.0.0.1', '10.0.0.1'],
    ['2001:db8::ffff:1', '2001:db8::ffff:1'],
    ['::ffff:0:0/80', '::ffff:0:0/80'], // host bits set: left for the cidr cast to refuse
  ])('writes %p as %p', (input, stored) => {
    expect(hostAddress(input)).toBe(stored);
  });

  it('checks the syntax first', () => {
    expect(() => hostAddress('::ffff:10.1')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'ip' }) }));
  });
});

describe('sourceAddress', () => {
  it.each([
    ['198.51.100.250', '198.51.100.250'],
    ['::ffff:198.51.100.250', '198.51.100.250'],
    ['::FFFF:C633:64FA', '198.51.100.250'],
    ['2001:db8::1', '2001:db8::1'],
    ['64:ff9b::c633:64fa', '64:ff9b::c633:64fa'], // NAT64 is a different network, not a mapped address
  ])('matches %p as %p', (input, matched) => {
    expect(sourceAddress(input)).toBe(matched);
  });

  it.each(['10.1', '198.51.100.256', 'fe80::1%eth0', '::ffff:198.51.100.250/128', ''])('refuses %p', (input) => {
    expect(sourceAddress(input)).toBeUndefined();
  });
});
