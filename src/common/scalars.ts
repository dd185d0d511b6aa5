/**
 * The contract's scalars. Decimal is a canonical string end to end; DateTime needs an
 * explicit offset so "10:15" never silently means server-local time.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { normaliseDecimal, parseDecimal } from './decimal';

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

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_RE.test(value)) {
    throw invalid('DateTime must be an ISO-8601 string with an offset, e.g. 2026-11-23T10:15:00Z');
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw invalid(`DateTime "${value}" is not a valid date`);
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
