import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { plainColumns } from './plain-selection';

const FIELDS = { id: 'id', name: 'name', mainEmail: 'main_email' };

/** The `customer` field nodes under `events` of a query, and an info holding its fragments. */
function customerNodes(query: string): { info: GraphQLResolveInfo; nodes: FieldNode[] } {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const events = op.selectionSet.selections[0] as FieldNode;
  const nodes = events.selectionSet!.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'customer');
  return { info: { fragments } as unknown as GraphQLResolveInfo, nodes };
}

const columns = (query: string) => {
  const { info, nodes } = customerNodes(query);
  return plainColumns(info, nodes, 'Customer', FIELDS)?.sort();
};

describe('plainColumns', () => {
  it('answers the columns of plain fields, across aliases and fragments on the type itself', () => {
    expect(columns(`{ events { customer { id name } } }`)).toEqual(['id', 'name']);
    expect(columns(`{ events { a: customer { name } b: customer { mainEmail __typename } } }`)).toEqual(['main_email', 'name']);
    expect(columns(`{ events { customer { ...C ... on Customer { id } } } } fragment C on Customer { name }`)).toEqual(['id', 'name']);
  });

  it('answers undefined (read whole rows) for anything it does not map', () => {
    expect(columns(`{ events { customer { id balance } } }`)).toBeUndefined();
    expect(columns(`{ events { customer { ... on Node { id } } } }`)).toBeUndefined();
    expect(columns(`{ events { customer { ...N } } } fragment N on Node { id }`)).toBeUndefined();
    expect(columns(`{ events { customer { name @include(if: true) } } }`)).toBeUndefined();
    expect(columns(`{ events { customer { name(format: "x") } } }`)).toBeUndefined();
    expect(columns(`{ events { customer { trunks { name } } } }`)).toBeUndefined();
    expect(columns(`{ events { customer { constructor } } }`)).toBeUndefined();
  });
});
