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
import { fieldAccessCheck } from './access/field-access';
import type { Principal, RequestContext } from './context';
import { introspectionAccess } from './introspection-access';
import type { GuardedOperation, OperationCheck } from './operation-check';
import { queryLimitRules } from './query-limits';
import { refuseUnsafeText } from './input-safety';

/** Accepted query texts OperationGuard.precheck remembers, each at most PRECHECK_MEMORY_TEXT characters (≤ 16 MB). */
const PRECHECK_MEMORY = 1_000;
const PRECHECK_MEMORY_TEXT = 16_384;

export class OperationGuard {
  constructor(
    readonly schema: GraphQLSchema,
    /** Run with graphql-js' own rules during validation; must not depend on the caller. */
    readonly validationRules: readonly ValidationRule[] = [],
    /** Parser limits (e.g. maxTokens), applied before a document is built. */
    readonly parseOptions: ParseOptions = {},
    private readonly checks: readonly OperationCheck[] = [],
    /** graphql-js validation options (hideSuggestions in production). */
    readonly validationOptions: { hideSuggestions?: boolean } = {},
  ) {}

  /** Query texts prechecked and accepted lately (Map order: oldest first). */
  private readonly accepted = new Map<string, true>();

  /**
   * The limit rules on the query text, for a transport that runs graphql-js' rules and
   * ours in one pass (Apollo): a document the limits refuse is answered before graphql-js'
   * overlapping-fields comparison, quadratic in repeated fields, ever sees it. Accepted
   * short texts are remembered, so a repeated query is parsed once here.
   * Parse errors are left to the transport, which reports them itself.
   */
  precheck(query: unknown): readonly GraphQLError[] {
    if (typeof query !== 'string' || this.accepted.has(query)) return [];
    let document: DocumentNode;
    try {
      document = parse(query, this.parseOptions);
    } catch {
      return [];
    }
    const refused = validate(this.schema, document, this.validationRules, this.validationOptions);
    if (refused.length) return refused;
    // Long texts (a string literal can be a megabyte in one token) are not kept.
    if (query.length > PRECHECK_MEMORY_TEXT) return [];
    if (this.accepted.size >= PRECHECK_MEMORY) this.accepted.delete(this.accepted.keys().next().value!);
    this.accepted.set(query, true);
    return [];
  }

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
    // The limits first: a document they refuse never reaches graphql-js' own rules, whose
    // overlapping-fields comparison is quadratic in repeated fields.
    const refused = validate(this.schema, document, this.validationRules, this.validationOptions);
    const invalid = refused.length ? refused : validate(this.schema, document, specifiedRules, this.validationOptions);
    if (invalid.length) return { errors: invalid.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    const denied = this.check({ document, operationName: payload.operationName, variables: payload.variables, principal });
    return denied.length ? { errors: denied } : { document };
  }

  /** Apollo's side: the per-request checks once the operation is resolved, before execution. */
  plugin(): ApolloServerPlugin<RequestContext> {
    const hideSuggestions = this.validationOptions.hideSuggestions === true;
    return {
      requestDidStart: async () => ({
        // Apollo passes no hideSuggestions to execution: variable coercion errors ("Value
        // "ACTIV" does not exist in "CustomerStatus" enum. Did you mean ...?") are cut here.
        didEncounterErrors: async (rc) => {
          if (!hideSuggestions) return;
          for (const error of rc.errors) error.message = withoutSuggestions(error.message);
        },
        didResolveOperation: async (rc) => {
          const errors = this.check({
            document: rc.document,
            operationName: rc.operationName,
            variables: rc.request.variables,
            principal: rc.contextValue.principal,
          });
          // Apollo answers the first error thrown here (each check reports its first refusal),
          // with HTTP 500 unless the error names a status: a refusal is the client's doing.
          if (errors.length) throw withHttpStatus(errors[0]);
        },
      }),
    };
  }
}

/** The message without graphql-js' " Did you mean ...?" hint, which names schema members. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean [^?]*\?$/, '');
}

/** The error with extensions.http.status set (403 for FORBIDDEN, else 400) unless it has one. */
function withHttpStatus(error: GraphQLError): GraphQLError {
  if (error.extensions?.http) return error;
  const status = error.extensions?.code === 'FORBIDDEN' ? 403 : 400;
  return new GraphQLError(error.message, { nodes: error.nodes, originalError: error.originalError, extensions: { ...error.extensions, http: { status } } });
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
export function createOperationGuard(schema: GraphQLSchema, config: Config): OperationGuard {
  return new OperationGuard(
    schema,
    queryLimitRules(schema, config.queryLimits, config.maxCdrBatch),
    { maxTokens: config.queryLimits.tokens },
    [introspectionAccess(config.introspectionRoles), fieldAccessCheck(schema), refuseUnsafeText],
    { hideSuggestions: config.production },
  );
}
