/**
 * Who may introspect the schema. Explorers and codegen run with ADMIN or NOC keys; a
 * customer portal or a switch has no use for the schema, so in production their keys are
 * refused `__schema` and `__type` (INTROSPECTION_ROLES). This depends on the caller, so it
 * is a per-request check, on both transports; `__typename` stays allowed.
 */
import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import { forbidden } from '../common/errors';
import type { OperationCheck } from './operation-check';

/** Whether any definition of the document selects `__schema` or `__type` (arguments are not read). */
export function selectsIntrospection(document: DocumentNode): boolean {
  const pending: SelectionSetNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) pending.push(def.selectionSet);
  }
  // Every definition is scanned once, so fragment spreads need no expansion.
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD && (sel.name.value === '__schema' || sel.name.value === '__type')) return true;
      if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) pending.push(sel.selectionSet);
    }
  }
  return false;
}

export function introspectionAccess(allowedRoles: readonly string[]): OperationCheck {
  // Apollo hands the same parsed document to every request with the same text.
  const introspects = new WeakMap<DocumentNode, boolean>();
  return (_schema, { document, principal }) => {
    if (allowedRoles.includes(principal.role)) return [];
    let found = introspects.get(document);
    if (found === undefined) introspects.set(document, (found = selectsIntrospection(document)));
    return found ? [forbidden(`Schema introspection is not available to ${principal.role} keys`)] : [];
  };
}
