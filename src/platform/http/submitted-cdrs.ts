/**
 * How many CDRs an operation submits, read from the document and the raw variables
 * before anything executes, so the CDR rate limit is charged before a batch is
 * processed. Every submitCdrs field of the operation counts (aliases, fragments).
 */
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

const FIELD = 'submitCdrs';
const ARG = 'cdrs';

export function submittedCdrCount(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== 'mutation') return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  // Validation has refused fragment cycles already; the set only guards against counting a fragment twice per path.
  const count = (set: SelectionSetNode, visiting: Set<string>): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value !== FIELD) continue;
        const arg = sel.arguments?.find((a) => a.name.value === ARG);
        if (!arg) continue;
        if (arg.value.kind === Kind.LIST) total += arg.value.values.length;
        else if (arg.value.kind === Kind.VARIABLE) {
          const value = variables?.[arg.value.name.value];
          // A single object coerces to a list of one (graphql input coercion).
          total += Array.isArray(value) ? value.length : value == null ? 0 : 1;
        } else total += 1;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        total += count(sel.selectionSet, visiting);
      } else {
        const name = sel.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visiting.has(name)) continue;
        total += count(fragment.selectionSet, new Set(visiting).add(name));
      }
    }
    return total;
  };
  return count(operation.selectionSet, new Set());
}
