/**
 * Which plain columns an operation's selection of one object field needs, when it needs
 * nothing else: a list statement that joins a related row (an event's customer and rule)
 * can then read those few columns instead of the related table's every column. Reading
 * a page of 100 events with their customers' and rules' ~60 columns cost more Node CPU
 * (row parsing, strings, garbage) than the rest of the request.
 *
 * Conservative by construction: the answer is undefined, and the caller reads the whole
 * row as before, as soon as the selection has anything it does not map: a field outside
 * the type's plain list, a fragment on another type (an interface), a directive
 * (@include/@skip decide at run time), or arguments.
 */
import {
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from "graphql";

/** A type's plain fields: GraphQL field name -> the one column its value is, as is. */
export type PlainFields = Readonly<Record<string, string>>;

/**
 * The columns of `fields` the selection sets of `nodes` (the field nodes of one object
 * field, aliases included) read, or undefined when they read anything else.
 */
export function plainColumns(
  info: GraphQLResolveInfo,
  nodes: readonly FieldNode[],
  typeName: string,
  fields: PlainFields,
): string[] | undefined {
  const columns = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean => {
    if (!set) return false;
    for (const s of set.selections) {
      if (s.directives?.length) return false;
      if (s.kind === Kind.FIELD) {
        if (s.name.value === "__typename") continue;
        const column = Object.hasOwn(fields, s.name.value)
          ? fields[s.name.value]
          : undefined;
        if (column === undefined || s.arguments?.length || s.selectionSet)
          return false;
        columns.add(column);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (s.typeCondition && s.typeCondition.name.value !== typeName)
          return false;
        if (!visit(s.selectionSet)) return false;
      } else {
        const fragment = info.fragments[s.name.value];
        if (
          !fragment ||
          fragment.typeCondition.name.value !== typeName ||
          !visit(fragment.selectionSet)
        )
          return false;
      }
    }
    return true;
  };
  for (const n of nodes) if (!visit(n.selectionSet)) return undefined;
  return [...columns];
}
