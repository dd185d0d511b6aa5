import { graphql, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, type GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from './context';
import { Prefetcher, selects } from './prefetch';

interface Row {
  id: string;
}

/** customers { nodes { id trunks(first) { id hosts { id } } } }, each nested field by a resolver that counts its calls. */
function fixture() {
  const prefetch = new Prefetcher();
  const calls = { trunksResolver: 0, trunksLoad: 0, hostsResolver: 0, hostsLoad: 0 };
  const loadTrunks = async (c: Row, first: number | null | undefined): Promise<Row[]> => {
    if (c.id === 'broken') throw new Error(`no trunks for ${c.id}`);
    return Array.from({ length: first ?? 2 }, (_, i) => ({ id: `${c.id}.t${i}` }));
  };
  const loadHosts = async (t: Row): Promise<Row[]> => [{ id: `${t.id}.h` }];
  const Host = new GraphQLObjectType({ name: 'Host', fields: { id: { type: GraphQLString } } });
  const Trunk: GraphQLObjectType = new GraphQLObjectType({
    name: 'Trunk',
    fields: {
      id: { type: GraphQLString },
      hosts: { type: new GraphQLList(Host), resolve: (t: Row) => (calls.hostsResolver++, loadHosts(t)) },
    },
  });
  const Customer = new GraphQLObjectType({
    name: 'Customer',
    fields: {
      id: { type: GraphQLString },
      trunks: { type: new GraphQLList(Trunk), args: { first: { type: GraphQLInt } }, resolve: (c: Row, a: { first?: number }) => (calls.trunksResolver++, loadTrunks(c, a.first)) },
    },
  });
  const Connection = new GraphQLObjectType({ name: 'CustomerConnection', fields: { nodes: { type: new GraphQLNonNull(new GraphQLList(Customer)) } } });
  let selected: Record<string, boolean> = {};
  const query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      customers: {
        type: Connection,
        args: { ids: { type: new GraphQLList(GraphQLString) } },
        resolve: async (_: unknown, a: { ids: string[] }, ctx: RequestContext, info: GraphQLResolveInfo) => {
          const nodes = a.ids.map((id) => ({ id }));
          selected = { trunks: selects(info, ['nodes', 'trunks']), hosts: selects(info, ['nodes', 'trunks', 'hosts']) };
          await prefetch.rows(ctx, info, ['nodes'], nodes);
          return { nodes };
        },
      },
    },
  });
  prefetch.field<Row>('Customer', 'trunks', (_ctx, c, args) => (calls.trunksLoad++, loadTrunks(c, args.first as number | undefined)));
  prefetch.field<Row>('Trunk', 'hosts', (_ctx, t) => (calls.hostsLoad++, loadHosts(t)));
  const schema = new GraphQLSchema({ query });
  prefetch.install(schema);
  const run = (source: string) => graphql({ schema, source, contextValue: {} as RequestContext });
  return { run, calls, selected: () => selected };
}

describe('Prefetcher', () => {
  it('loads nested fields ahead, level by level, and the fields answer from the rows', async () => {
    const f = fixture();
    const r = await f.run(`{ customers(ids: ["a", "b"]) { nodes { id trunks(first: 1) { id hosts { id } } } } }`);
    expect(r).toEqual({
      data: {
        customers: {
          nodes: [
            { id: 'a', trunks: [{ id: 'a.t0', hosts: [{ id: 'a.t0.h' }] }] },
            { id: 'b', trunks: [{ id: 'b.t0', hosts: [{ id: 'b.t0.h' }] }] },
          ],
        },
      },
    });
    expect(f.calls).toEqual({ trunksLoad: 2, trunksResolver: 0, hostsLoad: 2, hostsResolver: 0 });
    expect(f.selected()).toEqual({ trunks: true, hosts: true });
  });

  it('follows fragments, and loads nothing the operation does not select', async () => {
    const f = fixture();
    await f.run(`{ customers(ids: ["a"]) { ...page } } fragment page on CustomerConnection { nodes { ... on Customer { trunks { id } } } }`);
    expect(f.calls).toEqual({ trunksLoad: 1, trunksResolver: 0, hostsLoad: 0, hostsResolver: 0 });
    expect(f.selected()).toEqual({ trunks: true, hosts: false });
  });

  it('leaves a field selected with different arguments to its resolver', async () => {
    const f = fixture();
    const r = await f.run(`{ customers(ids: ["a"]) { nodes { one: trunks(first: 1) { id } two: trunks(first: 2) { id } } } }`);
    expect(r.data).toEqual({ customers: { nodes: [{ one: [{ id: 'a.t0' }], two: [{ id: 'a.t0' }, { id: 'a.t1' }] }] } });
    expect(f.calls.trunksLoad).toBe(0);
    expect(f.calls.trunksResolver).toBe(2);
  });

  it('keeps nothing for a row whose load failed: its field resolves, and fails, as before', async () => {
    const f = fixture();
    const r = await f.run(`{ customers(ids: ["a", "broken"]) { nodes { id trunks { id } } } }`);
    expect(r.errors?.map((e) => [e.message, e.path])).toEqual([['no trunks for broken', ['customers', 'nodes', 1, 'trunks']]]);
    expect(r.data).toEqual({ customers: { nodes: [{ id: 'a', trunks: [{ id: 'a.t0' }, { id: 'a.t1' }] }, { id: 'broken', trunks: null }] } });
    expect(f.calls).toMatchObject({ trunksLoad: 2, trunksResolver: 1 });
  });
});
