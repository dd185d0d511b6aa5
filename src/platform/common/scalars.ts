/**
 * The contract's scalars. Decimal is a canonical string end to end; DateTime needs an
 * explicit offset so "10:15" never silently means server-local time.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { normaliseDecimal, parseDecimal } from './decimal';
import { twoDigits as two } from './digits';

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function decimalFrom(value: unknown): string {
  const r = parseDecimal(value);
  if (!r.ok) throw invalid(`Decimal ${r.reason}`);
  return r.value;
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description:
    'Exact decimal number carried as a string, e.g. "100", "-2.5", "0.0125".\nAt least 6 fractional digits are kept exactly. Never a float: 0.1 + 0.2 is "0.3".',
  serialize(value) {
    if (typeof value === 'string') return normaliseDecimal(value);
    if (typeof value === 'object' && value !== null && 'toFixed' in value) return normaliseDecimal(String((value as { toFixed(): string }).toFixed()));
    throw new TypeError(`Decimal cannot represent ${typeof value}`);
  },
  parseValue: decimalFrom,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return decimalFrom(ast.value);
    if (ast.kind === Kind.INT) return decimalFrom(ast.value);
    throw invalid('Decimal must be a string, e.g. "12.50"');
  },
});

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

const INVALID_FORMAT = 'DateTime must be an ISO-8601 string with an offset, e.g. 2026-11-23T10:15:00Z';

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch ms of "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS.sssZ" (what toISOString
 * and most switches write), or NaN for anything else. Every CDR carries one; this
 * reads it by character codes, about ten times cheaper than the regex and the
 * engine's date parser, and gives the same instant.
 */
export function parseUtcIsoFast(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  const year = hi * 100 + lo;
  // Date.UTC reads years below 100 as 19xx: those take the general path.
  if (year < 100 || day > daysInMonth(year, month)) return NaN;
  let ms = 0;
  if (n === 24) {
    if (s.charCodeAt(19) !== 46) return NaN;
    const h = s.charCodeAt(20) - 48;
    const t = two(s, 21);
    if (h < 0 || h > 9 || t < 0) return NaN;
    ms = h * 100 + t;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw invalid(INVALID_FORMAT);
  const fast = parseUtcIsoFast(value);
  if (!Number.isNaN(fast)) return new Date(fast);
  const m = ISO_RE.exec(value);
  if (!m) throw invalid(INVALID_FORMAT);
  // The engine's parser rolls "2026-02-30" over into March; a switch sending that has a bug to see.
  if (+m[3] < 1 || +m[3] > daysInMonth(+m[1], +m[2])) throw invalid(`DateTime "${value}" is not a valid date`);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw invalid(`DateTime "${value}" is not a valid date`);
  // PostgreSQL reads ISO text of year 0 as out of range (it counts 1 BC, not year 0), and
  // no call happened outside four-digit years: refused here rather than failing in SQL.
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) throw invalid(`DateTime "${value}" is outside the years 0001 to 9999 (UTC)`);
  return d;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO-8601 date-time with offset, e.g. 2026-11-23T10:15:00Z.',
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});
