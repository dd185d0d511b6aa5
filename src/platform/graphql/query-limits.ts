/**
 * Query cost control: repeated fields, depth, aliases, directives and an estimated cost,
 * checked while graphql-js validates a document (so over HTTP and graphql-ws alike, and
 * cached by Apollo per document), plus the parser's token limit. A refusal is
 * QUERY_TOO_COMPLEX naming the limit: `extensions: { code, limit, max }` with limit one of
 * QueryLimitName. Settings and the cost model: docs/security/query-limits.md.
 *
 * The rules only read the document: variable values are never visited (a submitCdrs of
 * 10,000 records costs what its query text costs), so a page size given as a variable
 * counts as the field's maximum.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  type GraphQLError,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLSchema,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { createComplexityRule, type ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { AppError } from '../common/errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListBounds } from '../common/pagination';
import type { QueryLimits } from '../config';

export type QueryLimitName = 'depth' | 'aliases' | 'directives' | 'cost' | 'tokens' | 'fieldRepeats';

const SETTING: Record<QueryLimitName, string> = {
  fieldRepeats: 'MAX_QUERY_FIELD_REPEATS',
  depth: 'MAX_QUERY_DEPTH',
  aliases: 'MAX_QUERY_ALIASES',
  directives: 'MAX_QUERY_DIRECTIVES',
  cost: 'MAX_QUERY_COST',
  tokens: 'MAX_QUERY_TOKENS',
};

function queryTooComplex(limit: QueryLimitName, max: number, detail: string): AppError {
  return new AppError('QUERY_TOO_COMPLEX', `Query too complex: ${detail} (limit ${SETTING[limit]}=${max})`, { limit, max });
}

/**
 * How many items a list field may return, declared on the field with
 * `@Extensions({ listSize })`: `{ default, max }` for a list taking `first` (default when
 * `first` is absent, max the most it returns and what a variable `first` counts as),
 * `{ max }` for a list without, 'page' for a connection's edges and nodes (its field's
 * `first` counts them), 'cdrBatch' for what one submitCdrs returns (MAX_CDR_BATCH).
 */
export type ListSize = ListBounds | { max: number } | 'page' | 'cdrBatch';

/** Connections (and any other field with `first`) without a declared size page by the common bounds. */
const PAGE = { default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE };

/**
 * Selections the cost estimate walks at most per document. graphql-query-complexity expands
 * fragment spreads without memoising them, so a fragment bomb would take exponential time:
 * past this many visited selections the document is refused instead (real dashboards visit
 * a few hundred).
 */
const MAX_COST_NODES = 10_000;

/** Sizes of the introspection lists, from the schema itself (the largest type counts for all). */
function introspectionSizes(schema: GraphQLSchema): Map<string, number> {
  const types = Object.values(schema.getTypeMap());
  let fields = 0;
  let args = Math.max(0, ...schema.getDirectives().map((d) => d.args.length));
  let enumValues = 0;
  let related = 0;
  for (const t of types) {
    if (isObjectType(t) || isInterfaceType(t) || isInputObjectType(t)) {
      const f = Object.values(t.getFields());
      fields = Math.max(fields, f.length);
      for (const field of f) if ('args' in field) args = Math.max(args, field.args.length);
    }
    if (isObjectType(t) || isInterfaceType(t)) related = Math.max(related, t.getInterfaces().length);
    if (isAbstractType(t)) related = Math.max(related, schema.getPossibleTypes(t).length);
    if (isEnumType(t)) enumValues = Math.max(enumValues, t.getValues().length);
  }
  return new Map([
    ['__Schema.types', types.length],
    ['__Schema.directives', schema.getDirectives().length],
    ['__Type.fields', fields],
    ['__Type.inputFields', fields],
    ['__Type.enumValues', enumValues],
    ['__Type.interfaces', related],
    ['__Type.possibleTypes', related],
    ['__Field.args', args],
    ['__Directive.args', args],
  ]);
}

/**
 * The cost model: every field costs 1; a list field (or connection) multiplies the cost of
 * its selection by the number of items it can return: `first` when written as a number,
 * the field's default page when absent, its maximum when `first` is a variable (`last`
 * counts the same way); a list
 * without `first` counts at its declared maximum (unknown lists at MAX_PAGE_SIZE).
 */
function listMultiplier(
  field: GraphQLField<unknown, unknown>,
  parentName: string,
  args: Record<string, unknown>,
  introspection: Map<string, number>,
  batchSize: number,
): number {
  const declared = field.extensions?.listSize as ListSize | undefined;
  if (declared === 'cdrBatch') return batchSize;
  if (declared === 'page') return 1;
  if (field.args.some((a) => a.name === 'first')) {
    const size: ListBounds = declared && 'default' in declared ? declared : { default: declared?.max ?? PAGE.default, max: declared?.max ?? PAGE.max };
    // A page read from the end (last) is as large as one read from the start.
    const first = args.first ?? args.last;
    if (first === undefined || first === null) return size.default;
    return typeof first === 'number' && Number.isInteger(first) && first >= 0 ? Math.min(first, size.max) : size.max;
  }
  if (!isListType(getNullableType(field.type))) return 1;
  return introspection.get(`${parentName}.${field.name}`) ?? declared?.max ?? MAX_PAGE_SIZE;
}

/** A value no variable has: `first: $n` is then not a number and counts as the maximum. */
const VARIABLE = Symbol('variable');

function costRule(schema: GraphQLSchema, max: number, batchSize: number): ValidationRule {
  const introspection = introspectionSizes(schema);
  const estimator = ({ field, type, args, childComplexity }: ComplexityEstimatorArgs): number =>
    1 + listMultiplier(field, type.name, args, introspection, batchSize) * childComplexity;
  const rule = createComplexityRule({ maximumComplexity: max, estimators: [estimator], maxQueryNodes: MAX_COST_NODES });
  return (context) => {
    // Argument errors the estimate meets are reported by graphql-js' own rules; reporting
    // them here too would only duplicate (and precede) them.
    const quiet = { getSchema: () => context.getSchema(), getFragment: (name: string) => context.getFragment(name), reportError: () => undefined };
    const estimate = rule(quiet as unknown as ValidationContext);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const root = schema.getRootType(operation.operation);
        if (!root) return false;
        estimate.variableValues = Object.fromEntries((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, VARIABLE]));
        let cost: number;
        try {
          cost = estimate.nodeComplexity(operation, root);
        } catch {
          // maxQueryNodes exceeded: the document expands to more selections than any real one.
          context.reportError(queryTooComplex('cost', max, `the query expands to more than ${MAX_COST_NODES} selections`));
          return false;
        }
        if (cost > max) context.reportError(queryTooComplex('cost', max, `estimated cost ${cost} exceeds ${max}`));
        return false;
      },
    };
  };
}

/**
 * graphql-js' OverlappingFieldsCanBeMergedRule compares every pair of fields with the same
 * response name in a selection set (fragments merged in): 495 copies of `trunks { id }` fit
 * in 2,000 tokens and take a second of CPU. This rule counts the repeats of each response
 * name per merged selection set (each fragment once per set, memoised), from the Document
 * node, so it is linear. The transports run the limits before graphql-js' rules (graphql-ws
 * in OperationGuard.prepare, HTTP in OperationGuard.precheck ahead of Apollo, which runs all
 * rules in one pass), so a refused document never reaches that comparison.
 */
function fieldRepeatsRule(max: number): ValidationRule {
  return (context) => ({
    Document(document: DocumentNode) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      // Response names a fragment contributes to the set it is spread into, and how often.
      const memo = new Map<string, Map<string, number>>();
      const merged = (set: SelectionSetNode, into = new Map<string, number>(), spread = new Set<string>()): Map<string, number> => {
        for (const sel of set.selections) {
          if (sel.kind === Kind.FIELD) {
            const name = (sel.alias ?? sel.name).value;
            into.set(name, (into.get(name) ?? 0) + 1);
          } else if (sel.kind === Kind.INLINE_FRAGMENT) {
            merged(sel.selectionSet, into, spread);
          } else if (!spread.has(sel.name.value)) {
            spread.add(sel.name.value);
            for (const [name, n] of ofFragment(sel.name.value)) into.set(name, (into.get(name) ?? 0) + n);
          }
        }
        return into;
      };
      const ofFragment = (name: string): Map<string, number> => {
        let counts = memo.get(name);
        if (!counts) {
          memo.set(name, new Map()); // a cycle contributes nothing here; NoFragmentCyclesRule reports it
          const fragment = fragments.get(name);
          counts = fragment ? merged(fragment.selectionSet) : new Map<string, number>();
          memo.set(name, counts);
        }
        return counts;
      };
      visit(document, {
        SelectionSet(set) {
          for (const [name, n] of merged(set)) {
            if (n > max) context.reportError(queryTooComplex('fieldRepeats', max, `"${name}" is selected ${n} times in one selection set`));
          }
        },
      });
      return false;
    },
  });
}

/** graphql-armor reports a refusal to onReject; we report it as a typed error instead of throwing. */
function reportAs(limit: QueryLimitName, max: number) {
  return {
    propagateOnRejection: false,
    exposeLimits: true,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(queryTooComplex(limit, max, error.message.replace(/^Syntax Error: /, ''))),
    ],
  };
}

/** The validation rules of the limits, cheapest first. */
export function queryLimitRules(schema: GraphQLSchema, limits: QueryLimits, cdrBatchSize: number): ValidationRule[] {
  return [
    fieldRepeatsRule(limits.fieldRepeats),
    // Under __schema the type references of every introspection client nest 15 deep: there
    // graphql-js' own MaxIntrospectionDepthRule and the cost estimate bound the nesting.
    maxDepthRule({ n: limits.depth, ignoreIntrospection: true, flattenFragments: true, ...reportAs('depth', limits.depth) }),
    maxAliasesRule({ n: limits.aliases, ...reportAs('aliases', limits.aliases) }),
    maxDirectivesRule({ n: limits.directives, ...reportAs('directives', limits.directives) }),
    costRule(schema, limits.cost, cdrBatchSize),
  ];
}

// graphql-js 16 words it "more that N tokens".
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/**
 * The parser's token limit (parseOptions.maxTokens) aborts with a syntax error; the client
 * sees it as the limit it is.
 */
export function asTokenLimitError(formatted: GraphQLFormattedError): GraphQLFormattedError | undefined {
  const m = TOKEN_LIMIT.exec(formatted.message);
  if (!m) return undefined;
  const max = Number(m[1]);
  return { message: queryTooComplex('tokens', max, `the document has more than ${max} tokens`).message, extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max } };
}

/** The types whose unpaged list fields the cost model needs to see declared. */
export function listFieldsWithoutSize(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const listOfObjects = isListType(getNullableType(field.type)) && isObjectType(getNamedType(field.type));
      if (listOfObjects && !field.args.some((a) => a.name === 'first') && !field.extensions?.listSize) missing.push(`${type.name}.${field.name}`);
    }
  }
  return missing;
}
