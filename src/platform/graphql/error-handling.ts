/**
 * Client mistakes keep their message and code; everything else is masked as
 * INTERNAL_SERVER_ERROR with the request id, and logged with its stack under that id.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { CLIENT_ERROR_CODES } from '../common/errors';
import type { Logger } from '../logger';
import type { RequestContext } from './context';
import { asTokenLimitError } from './query-limits';

const REQUEST_ID = Symbol('requestId');

function isClientError(code: unknown): boolean {
  return typeof code === 'string' && CLIENT_ERROR_CODES.has(code);
}

/** Codes of validation errors that Apollo relabels GRAPHQL_VALIDATION_FAILED but the client should see. */
const VALIDATION_CODES_KEPT = new Set(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']);

/**
 * A scalar refusing an inline literal (e.g. Decimal "1e400" written in the query) is
 * reported by GraphQL validation; Apollo labels it GRAPHQL_VALIDATION_FAILED, but for the
 * client it is the same bad input as in a variable, so it keeps the scalar's code. So do
 * the query limits (QUERY_TOO_COMPLEX), which also refuse during validation.
 */
function inputErrorCode(error: unknown): string | undefined {
  const code = (error as { originalError?: { extensions?: { code?: unknown } } } | null)?.originalError?.extensions?.code;
  return typeof code === 'string' && VALIDATION_CODES_KEPT.has(code) ? code : undefined;
}

/**
 * graphql-js stops coercing variables after 50 errors (a CDR batch with many malformed
 * records) and adds this error, which has no code and no location: Apollo would call
 * it internal. It is the client's input all the same.
 */
const COERCION_LIMIT_MESSAGE = 'Too many errors processing variables, error limit reached. Execution aborted.';

function isCoercionLimit(error: unknown): boolean {
  return (error as { message?: unknown } | null)?.message === COERCION_LIMIT_MESSAGE && !(error as { path?: unknown }).path;
}

/** Logs unexpected errors with the request id and remembers the id for formatError. */
export function errorLoggingPlugin(logger: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(rc) {
          const requestId = rc.contextValue?.requestId;
          for (const err of rc.errors) {
            if (isClientError(err.extensions?.code) || isCoercionLimit(err)) continue;
            (err as unknown as Record<symbol, unknown>)[REQUEST_ID] = requestId;
            logger.error('request failed', {
              requestId,
              operation: rc.operationName ?? undefined,
              path: err.path?.join('.'),
              err: unwrapResolverError(err),
            });
          }
        },
      };
    },
  };
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isCoercionLimit(error)) return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
  const tokenLimit = asTokenLimitError(formatted);
  if (tokenLimit) return tokenLimit;
  if (isClientError(formatted.extensions?.code)) {
    // graphql-ws results keep extensions.http (Apollo drops it): it is transport detail, not for clients.
    const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code: inputErrorCode(error) ?? extensions.code } };
  }
  const requestId = (error as Record<symbol, unknown> | null)?.[REQUEST_ID];
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
  };
}

/** The same masking for graphql-ws results, which do not pass through Apollo. */
export function formatSubscriptionErrors(
  errors: readonly GraphQLError[],
  requestId: string | undefined,
  logger: Logger,
): GraphQLFormattedError[] {
  return errors.map((err) => {
    if (!isClientError(err.extensions?.code)) {
      (err as unknown as Record<symbol, unknown>)[REQUEST_ID] = requestId;
      logger.error('subscription failed', { requestId, path: err.path?.join('.'), err: unwrapResolverError(err) });
    }
    return formatError(err.toJSON(), err);
  });
}
