import { checkIpSyntax } from './ip-address';

describe('checkIpSyntax', () => {
  it.each(['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::1', '2001:db8::/32', '::1/128', ' 192.168.1.1 '])('accepts %p', (ip) => {
    expect(checkIpSyntax(ip)).toBe(ip.trim());
  });

  it.each(['10.1', '10.0.0.256', '10.0.0.1/33', '2001:db8::/129', 'fe80::1%eth0', 'host.example', '10.0.0.1/', '10.0.0.1/-1', ''])('refuses %p', (ip) => {
    expect(() => checkIpSyntax(ip)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'ip' }) }));
  });
});
