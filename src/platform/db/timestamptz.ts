/**
 * A parser for timestamptz text as PostgreSQL sends it, for node-postgres. The default
 * (postgres-date) runs three regular expressions and a split per value: on a page of 500
 * customers with their trunks and hosts it was ~4% of the app's CPU, more than any
 * resolver. This reads the usual shape, `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, by
 * character codes and hands anything else (infinity, BC, years before 1000 or after
 * 9999, other DateStyles) to postgres-date, so every value parses exactly as before:
 * a Date at whole milliseconds (microseconds truncated, as postgres-date does), or
 * ±Infinity for ±infinity.
 */
import { types } from 'pg';
import { twoDigits as two } from '../common/digits';

/** PostgreSQL's type oid of timestamptz. */
export const TIMESTAMPTZ_OID = 1184;

const ZERO = 48;

/** node-postgres's own timestamptz parser (postgres-date), for every other shape. */
const fallback = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (s: string) => Date | number | null;

/** The Date (or ±Infinity) a timestamptz text stands for. */
export function parseTimestamptz(s: string): Date | number | null {
  return parseUsual(s) ?? fallback(s);
}

/** The usual shape parsed by hand; undefined for anything else. */
function parseUsual(s: string): Date | undefined {
  if (s.length < 22 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 32 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  // Years below 1000 (Date.UTC reads 0-99 as 1900-1999) go to postgres-date.
  if (hi < 10 || lo < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    // Fraction: milliseconds are its first three digits (the rest truncated).
    let scale = 100;
    i++;
    for (let d = s.charCodeAt(i) - ZERO; d >= 0 && d <= 9; d = s.charCodeAt(++i) - ZERO) {
      ms += d * scale;
      scale /= 10;
    }
    if (i === 20) return undefined;
    ms = Math.floor(ms);
  }
  const sign = s.charCodeAt(i);
  if (sign !== 43 && sign !== 45) return undefined;
  let offset = two(s, i + 1);
  if (offset < 0) return undefined;
  offset *= 3600;
  i += 3;
  for (let unit = 60; i < s.length && unit >= 1; unit /= 60) {
    const n = s.charCodeAt(i) === 58 ? two(s, i + 1) : -1;
    if (n < 0) return undefined;
    offset += n * unit;
    i += 3;
  }
  if (i !== s.length) return undefined;
  const utc = Date.UTC(hi * 100 + lo, month - 1, day, hour, minute, second, ms);
  return new Date(sign === 45 ? utc + offset * 1000 : utc - offset * 1000);
}
