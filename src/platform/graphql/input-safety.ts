/**
 * Refuses text Postgres cannot store (a NUL, an unpaired surrogate: see unsafe-text)
 * in any string argument of the operation, before anything executes: inline literals,
 * variable defaults and variable values, at any depth of input objects and lists. One
 * refusal names the field ("input.name", "cdrs[3].callId"), so one bad value never
 * reaches SQL as a failed statement, and never half of a batch.
 *
 * Cost: one walk over the variables (a submitCdrs batch is one array of plain objects)
 * and one precompiled regex test per string; a path is built only for the value refused.
 */
import { Kind, getOperationAST, type ASTNode, type DocumentNode, type ValueNode } from 'graphql';
import { badInput } from '../common/errors';
import { isUnsafeText } from '../common/unsafe-text';
import type { OperationCheck } from './operation-check';

type Path = (string | number)[];

/** The path (reversed: innermost first) to the first unsafe string in a JSON value, or undefined. */
function unsafeInValue(value: unknown): Path | undefined {
  if (typeof value === 'string') return isUnsafeText(value) ? [] : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = unsafeInValue(value[i]);
      if (p) return (p.push(i), p);
    }
    return undefined;
  }
  for (const key in value) {
    const p = unsafeInValue((value as Record<string, unknown>)[key]);
    if (p) return (p.push(key), p);
  }
  return undefined;
}

/** The same for a literal written in the document (variables are checked by value). */
function unsafeInLiteral(node: ValueNode): Path | undefined {
  if (node.kind === Kind.STRING) return isUnsafeText(node.value) ? [] : undefined;
  if (node.kind === Kind.LIST) {
    for (let i = 0; i < node.values.length; i++) {
      const p = unsafeInLiteral(node.values[i]);
      if (p) return (p.push(i), p);
    }
  }
  if (node.kind === Kind.OBJECT) {
    for (const field of node.fields) {
      const p = unsafeInLiteral(field.value);
      if (p) return (p.push(field.name.value), p);
    }
  }
  return undefined;
}

function fieldName(root: string, reversed: Path): string {
  let name = root;
  for (let i = reversed.length - 1; i >= 0; i--) {
    const seg = reversed[i];
    name += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
  }
  return name;
}

function refusal(field: string) {
  // Apollo answers an error thrown before execution with HTTP 500 unless it names a status.
  return badInput(`${field} must not contain NUL characters or unpaired UTF-16 surrogates`, field, { http: { status: 400 } });
}

/** Arguments written in the operation and its fragments (field and directive arguments alike). */
function literalArguments(document: DocumentNode, operation: ASTNode): { name: string; value: ValueNode }[] {
  const found: { name: string; value: ValueNode }[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as ASTNode;
    if (n.kind === Kind.ARGUMENT) return void found.push({ name: n.name.value, value: n.value });
    if (n.kind === Kind.VARIABLE_DEFINITION) return void (n.defaultValue && found.push({ name: n.variable.name.value, value: n.defaultValue }));
    if (n.kind === Kind.OPERATION_DEFINITION || n.kind === Kind.FRAGMENT_DEFINITION) {
      walk(n.variableDefinitions);
      walk(n.directives);
      return walk(n.selectionSet);
    }
    if (n.kind === Kind.SELECTION_SET) return walk(n.selections);
    if (n.kind === Kind.FIELD || n.kind === Kind.INLINE_FRAGMENT || n.kind === Kind.FRAGMENT_SPREAD) {
      walk((n as { arguments?: unknown }).arguments);
      walk(n.directives);
      return walk((n as { selectionSet?: unknown }).selectionSet);
    }
    if (n.kind === Kind.DIRECTIVE) return walk(n.arguments);
  };
  walk(operation);
  // Every fragment of a valid document is spread somewhere; checking all of them is simpler than following spreads.
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) walk(def);
  return found;
}

export const refuseUnsafeText: OperationCheck = (_schema, { document, operationName, variables }) => {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  for (const arg of literalArguments(document, operation)) {
    const p = unsafeInLiteral(arg.value);
    if (p) return [refusal(fieldName(arg.name, p))];
  }
  if (!variables) return [];
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const p = unsafeInValue(variables[name]);
    if (p) return [refusal(fieldName(name, p))];
  }
  return [];
};
