/**
 * Expected failures, each with the `extensions.code` clients branch on. Anything
 * thrown that is not one of these is masked as INTERNAL_SERVER_ERROR by the server.
 */
import { GraphQLError } from 'graphql';

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'CONFLICT' | 'RATE_LIMITED' | 'LIMIT_EXCEEDED' | 'QUERY_TOO_COMPLEX';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429 };

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    const status = HTTP_STATUS[code];
    // Apollo turns extensions.http into the response status and headers, and drops it from the body.
    const headers = code === 'RATE_LIMITED' ? new Map([['retry-after', retryAfterSeconds(extra.retryAfterMs)]]) : undefined;
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status, ...(headers ? { headers } : {}) } } : {}) } });
    this.name = 'AppError';
  }
}

export const badInput = (message: string, field?: string, extra: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, field ? { field, ...extra } : extra);
export const notFound = (what: string, id?: string) =>
  new AppError('NOT_FOUND', id ? `${what} ${id} not found` : `${what} not found`);
export const forbidden = (message = 'Your API key may not do this') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'An API key is required: send Authorization: Bearer <key>') =>
  new AppError('UNAUTHENTICATED', message);
export const conflict = (message: string, extra: Record<string, unknown> = {}) => new AppError('CONFLICT', message, extra);
/** Over a per-key rate; the client may retry after retryAfterMs. */
export const rateLimited = (message: string, retryAfterMs: number) => new AppError('RATE_LIMITED', message, { retryAfterMs });
/** Over a fixed resource cap (e.g. subscriptions per socket); waiting does not help, closing something does. */
export const limitExceeded = (message: string, limit: string, max: number) => new AppError('LIMIT_EXCEEDED', message, { limit, max });

/** Retry-After is whole seconds; rounded up so a client that obeys it is not refused again. */
export function retryAfterSeconds(ms: unknown): string {
  return String(Math.max(1, Math.ceil(Number(ms) / 1000)));
}

/** Codes GraphQL itself produces for client mistakes; shown as they are. */
export const CLIENT_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'CONFLICT',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** SQLSTATE of a failed query, whether raised by pg directly or wrapped by TypeORM. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** numeric_value_out_of_range: a result does not fit its NUMERIC column (money is NUMERIC(28,10): |value| < 10^18). */
export const NUMERIC_OUT_OF_RANGE = '22003';

/** The constraint a unique/foreign-key violation names, if any. */
export function sqlConstraint(err: unknown): string | undefined {
  const e = err as { constraint?: unknown; driverError?: { constraint?: unknown } } | null;
  const c = e?.driverError?.constraint ?? e?.constraint;
  return typeof c === 'string' ? c : undefined;
}
