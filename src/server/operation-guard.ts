/**
 * Every operation, over HTTP or graphql-ws, passes the same gate before anything executes:
 * - static validation rules (cost, depth, aliases...), which depend only on the document
 *   and so run inside graphql-js validation (Apollo caches a validated document);
 * - per-request checks, which depend on who calls or on the variables (field access per
 *   role, hostile strings), run after the operation is resolved and before execution.
 * The transports call this one object, so a limit cannot exist on one and not the other.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config';
import type { Principal, RequestContext } from './context';
import { refuseUnsafeText } from './input-safety';

export interface GuardedOperation {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  principal: Principal;
}

/** A check that needs the caller or the variables; returns the errors that refuse the operation. */
export type OperationCheck = (schema: GraphQLSchema, op: GuardedOperation) => readonly GraphQLError[];

export class OperationGuard {
  constructor(
    readonly schema: GraphQLSchema,
    /** Run with graphql-js' own rules during validation; must not depend on the caller. */
    readonly validationRules: readonly ValidationRule[] = [],
    /** Parser limits (e.g. maxTokens), applied before a document is built. */
    readonly parseOptions: ParseOptions = {},
    private readonly checks: readonly OperationCheck[] = [],
  ) {}

  /** The per-request checks; an empty list lets the operation run. */
  check(op: GuardedOperation): readonly GraphQLError[] {
    for (const check of this.checks) {
      const errors = check(this.schema, op);
      if (errors.length) return errors;
    }
    return [];
  }

  /**
   * Parse, validate and check a graphql-ws subscribe message as Apollo does an HTTP
   * request; the errors keep their codes (a validation error stays one).
   */
  prepare(
    payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
    principal: Principal,
  ): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(payload.query, this.parseOptions);
    } catch (err) {
      const e = err instanceof GraphQLError ? err : new GraphQLError(String(err));
      return { errors: [withCode(e, 'GRAPHQL_PARSE_FAILED')] };
    }
    const invalid = validate(this.schema, document, [...specifiedRules, ...this.validationRules]);
    if (invalid.length) return { errors: invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    const refused = this.check({ document, operationName: payload.operationName, variables: payload.variables, principal });
    return refused.length ? { errors: refused } : { document };
  }

  /** Apollo's side: the per-request checks once the operation is resolved, before execution. */
  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async (rc) => {
          const errors = this.check({
            document: rc.document,
            operationName: rc.operationName,
            variables: rc.request.variables,
            principal: rc.contextValue.principal,
          });
          // Apollo answers the first error thrown here; each check reports its first refusal.
          if (errors.length) throw errors[0];
        },
      }),
    };
  }
}

/** The error with extensions.code set unless it has one already. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * The guard of this deployment: each limit and check is listed here, in the order it runs.
 */
export function createOperationGuard(schema: GraphQLSchema, _config: Config): OperationGuard {
  return new OperationGuard(schema, [], {}, [
    refuseUnsafeText,
  ]);
}
