/**
 * Syntax check of a host address before Postgres sees it: an IPv4/IPv6 address with an
 * optional /prefix. Postgres' cidr input alone would also take abbreviations such as
 * "10.1" (= 10.1.0.0/16), which is never what an operator typing an IP means. Whether
 * a block has host bits set is left to the cidr cast (see HOST_BITS_STATE).
 */
import { isIP } from 'node:net';
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

export function hostBitsError(value: string, field = 'ip') {
  return badInput(`${field} "${value}" is a block with host bits set; write the network address (e.g. 10.0.0.0/24)`, field);
}
