/**
 * Syntax check of a host address before Postgres sees it: an IPv4/IPv6 address with an
 * optional /prefix. Postgres' cidr input alone would also take abbreviations such as
 * "10.1" (= 10.1.0.0/16), which is never what an operator typing an IP means. Whether
 * a block has host bits set is left to the cidr cast (see HOST_BITS_STATE).
 *
 * An IPv4-mapped IPv6 address (::ffff:198.51.100.250, what a dual-stack socket reports
 * for an IPv4 peer) is the IPv4 address: hosts store it, and CDR source addresses are
 * matched, in the IPv4 form, so one address has one form and one owner.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { badInput } from '../../platform/common/errors';

/** SQLSTATE of "invalid cidr value: Value has bits set to right of mask" (and other invalid input). */
export const INVALID_TEXT_STATE = '22P02';

export function checkIpSyntax(value: string, field = 'ip'): string {
  const text = value.trim();
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  const family = m ? isIP(m[1]) : 0;
  if (!m || family === 0) throw badInput(`${field} "${value.slice(0, 60)}" is not an IPv4/IPv6 address or CIDR block`, field);
  if (m[2] !== undefined && Number(m[2]) > (family === 4 ? 32 : 128)) throw badInput(`${field} "${text}" has a prefix longer than the address`, field);
  if (m[1].includes('%')) throw badInput(`${field} must not carry an IPv6 zone`, field);
  return text;
}

/**
 * checkIpSyntax, then an IPv4-mapped address or block as IPv4 (::ffff:10.0.0.0/104 is
 * 10.0.0.0/8). A mapped network address only exists with a prefix of 96 or more (the
 * ffff group is network bits); a shorter one has host bits set and the cidr cast refuses it.
 */
export function hostAddress(value: string, field = 'ip'): string {
  const text = checkIpSyntax(value, field);
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const ipv4 = unmappedIPv4(address);
  if (ipv4 === undefined) return text;
  if (slash < 0) return ipv4;
  const prefix = Number(text.slice(slash + 1));
  return prefix >= 96 ? `${ipv4}/${prefix - 96}` : text;
}

/**
 * A CDR's source address as hosts are matched: IPv4-mapped IPv6 as IPv4, anything else
 * as given; undefined when it is not one IPv4/IPv6 address (or carries a zone). Runs per
 * record: an IPv4 address costs one isIP, only IPv6 text naming ffff is looked at further.
 */
export function sourceAddress(value: string): string | undefined {
  const family = isIP(value);
  if (family === 4) return value;
  if (family === 0 || value.includes('%')) return undefined;
  return unmappedIPv4(value) ?? value;
}

/** The spellings switches send, read without a parser (ipaddr.js costs ~8 µs an address, 40 ms a batch of 5,000). */
const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** The IPv4 form of an IPv4-mapped IPv6 address (any spelling: ::ffff:1.2.3.4, ::FFFF:102:304, 0:0:0:0:0:ffff:...). */
function unmappedIPv4(address: string): string | undefined {
  // Every spelling of a mapped address writes its ffff group; anything else is not one.
  if (!/ffff/i.test(address)) return undefined;
  const dotted = MAPPED_DOTTED.exec(address);
  if (dotted) return isIP(dotted[1]) === 4 ? dotted[1] : undefined;
  const hex = MAPPED_HEX.exec(address);
  if (hex) {
    const high = parseInt(hex[1], 16);
    const low = parseInt(hex[2], 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  if (isIP(address) !== 6) return undefined;
  const ip = ipaddr.IPv6.parse(address);
  return ip.isIPv4MappedAddress() ? ip.toIPv4Address().toString() : undefined;
}

export function hostBitsError(value: string, field = 'ip') {
  return badInput(`${field} "${value}" is a block with host bits set; write the network address (e.g. 10.0.0.0/24)`, field);
}
