/**
 * A shared feed's event (shared-feed.ts) reaches every subscriber as the same object. The
 * subscribers of one instance that ask for it with the same selection, the same variables
 * (those the selection reads: the subscription field's own arguments pick events, they do
 * not shape the result) and the same role and customer scope get the same result: it is
 * executed once and serialized once, and each socket's `next` message carries that JSON
 * (measured: executing per event and serialising per subscriber was ~6x the cost).
 *
 * The serialized JSON rides on the result under a symbol; graphql-ws stringifies its
 * message with our replacer (sharedPayloadReplacer), which leaves a marker in place of the
 * payload, and the transport's send (ws-transport.ts) puts the JSON in its place. The
 * client receives exactly the message graphql-ws would have sent.
 */
import { getOperationAST, Kind, print, visit, type ASTNode, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FieldNode } from 'graphql';
import type { RequestContext } from './context';

const SERIALIZED = Symbol('serialized result');

type SerializedResult = ExecutionResult & { [SERIALIZED]: string };

/** Results per event by execution key; an event that no subscriber holds any more is collected with its results. */
const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
const documentText = new WeakMap<DocumentNode, string>();

/**
 * What makes two subscriptions' results for one event identical: role and customer scope,
 * the document and operation, and the variables its selection reads. Null when the
 * subscription is not a single-field one (then it executes per subscriber).
 */
export function executionKey(args: ExecutionArgs): string | null {
  const op = getOperationAST(args.document, args.operationName);
  const ctx = args.contextValue as RequestContext | undefined;
  if (!op || op.operation !== 'subscription' || !ctx?.principal) return null;
  const roots = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (roots.length !== 1 || roots.length !== op.selectionSet.selections.length) return null;
  let text = documentText.get(args.document);
  if (text === undefined) {
    text = print(args.document);
    documentText.set(args.document, text);
  }
  const read = selectionVariables(args.document, roots[0]);
  const values = args.variableValues ?? {};
  const used = read.map((name) => [name, values[name] ?? null]);
  return JSON.stringify([ctx.principal.role, ctx.customerScope ?? null, args.operationName ?? null, used, text]);
}

/** Variables read anywhere but in the root field's arguments (and the variable definitions). */
function selectionVariables(document: DocumentNode, root: FieldNode): string[] {
  const names = new Set<string>();
  visit(document, {
    VariableDefinition: () => false,
    Argument: (_node, _key, _parent, _path, ancestors) => {
      const owner = ancestors[ancestors.length - 1] as ASTNode | readonly ASTNode[];
      return owner === root ? false : undefined;
    },
    Variable: (node) => {
      names.add(node.name.value);
    },
  });
  return [...names].sort();
}

/** Executes `run` once per (event, key) and shares the result; a result without errors carries its JSON. */
export function executeShared(event: object, key: string, run: () => ExecutionResult | Promise<ExecutionResult>): Promise<ExecutionResult> {
  let byKey = resultsByEvent.get(event);
  if (!byKey) {
    byKey = new Map();
    resultsByEvent.set(event, byKey);
  }
  let result = byKey.get(key);
  if (!result) {
    result = Promise.resolve(run()).then((r) => {
      if (!r.errors?.length) Object.defineProperty(r, SERIALIZED, { value: JSON.stringify(r), enumerable: false });
      return r;
    });
    byKey.set(key, result);
  }
  return result;
}

/** Whether a result carries its shared JSON (graphql-ws's onNext then passes it through untouched). */
export function isSerialized(result: unknown): result is SerializedResult {
  return typeof result === 'object' && result !== null && SERIALIZED in result;
}

const MARKER = '\u0000shared-result';
const MARKER_JSON = JSON.stringify(MARKER);
/** The JSON of the payload the last stringify replaced (graphql-ws sends each message right after stringifying it). */
let replaced: string | undefined;

/** graphql-ws's jsonMessageReplacer: a shared payload becomes a marker, its JSON kept for sharedPayloadMessage. */
export function sharedPayloadReplacer(key: string, value: unknown): unknown {
  if (key === 'payload' && isSerialized(value)) {
    replaced = value[SERIALIZED];
    return MARKER;
  }
  return value;
}

/**
 * The message to send: the one just stringified with its marker replaced by the shared
 * JSON. The payload is the message's last member, so the marker is its last occurrence
 * (an operation id chosen by the client may contain the marker text, before it).
 */
export function sharedPayloadMessage(data: string): string {
  const json = replaced;
  replaced = undefined;
  if (json === undefined) return data;
  const at = data.lastIndexOf(MARKER_JSON);
  return at < 0 ? data : data.slice(0, at) + json + data.slice(at + MARKER_JSON.length);
}
