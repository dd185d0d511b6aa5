/**
 * The role matrix, generated from the schema: every path from every root field (each
 * type at most once per path, at most MAX_DEPTH fields deep) is selected by every role
 * in a real request (HTTP for queries and mutations, graphql-ws for subscriptions), and
 * the answer must be FORBIDDEN from the field access check exactly when the table
 * refuses a field on the path, naming the first such field. Arguments are placeholders
 * of the right type (an unknown id): resolvers may answer NOT_FOUND or BAD_USER_INPUT,
 * which is fine; what matters is the table's decision. Mutations pass a placeholder id
 * wherever they take one, so the allowed ones fail on it and change nothing of note.
 *
 * Every (role, path) is checked against the guard's own walk in-process. Requests go to
 * the paths that add something: a refusal at its first refused field (paths below it repeat
 * it), and the allowed paths that no longer allowed path includes, siblings in one request.
 * The counts are printed (and quoted in the security note).
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  OperationTypeNode,
  parse,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { Role } from '../../src/platform/graphql/role';
import { EventBus } from '../../src/platform/pubsub/event-bus';
import { buildAppSchema } from '../../src/app/schema';
import { allowedFieldsByRole, firstRefusedField, tableCoverage, TABLE_ROLES } from '../../src/platform/graphql/access/field-access';
import { FIELD_ACCESS } from '../../src/platform/graphql/access/field-access.table';
import { CreateApiKeyDocument } from '../generated/graphql';
import type { GraphQLErrorShape, WsClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';

const MAX_DEPTH = 4;
const CONCURRENCY = 20;
const PLACEHOLDER_ID = 'placeholder';

type RootKind = OperationTypeNode;
interface Step {
  parent: string;
  field: GraphQLField<unknown, unknown>;
}
interface Path {
  kind: RootKind;
  steps: Step[];
}
interface Case {
  role: Role;
  path: Path;
  /** Every field the request selects. */
  coords: string[];
  query: string;
  variables: Record<string, unknown>;
  expected: string | null;
}

const coordinate = (s: Step) => `${s.parent}.${s.field.name}`;
/** The path's first `length` steps, as text. */
const pathKey = (p: Path, length: number) => `${p.kind}:${p.steps.slice(0, length).map(coordinate).join('/')}`;

function rootPaths(schema: GraphQLSchema): Path[] {
  const out: Path[] = [];
  const walk = (kind: RootKind, type: GraphQLObjectType, steps: Step[], seen: Set<string>) => {
    for (const field of Object.values(type.getFields())) {
      const path = [...steps, { parent: type.name, field }];
      out.push({ kind, steps: path });
      const next = getNamedType(field.type);
      if (path.length < MAX_DEPTH && isObjectType(next) && !seen.has(next.name)) walk(kind, next, path, new Set([...seen, next.name]));
      // Interfaces (node(): Node) are walked through their own fields; fragments on each
      // implementation reach the same fields as the object paths do.
      if (path.length < MAX_DEPTH && isInterfaceType(next)) {
        for (const f of Object.values(next.getFields())) out.push({ kind, steps: [...path, { parent: next.name, field: f }] });
      }
    }
  };
  for (const kind of [OperationTypeNode.QUERY, OperationTypeNode.MUTATION, OperationTypeNode.SUBSCRIPTION]) {
    const root = schema.getRootType(kind);
    if (root) walk(kind, root, [], new Set([root.name]));
  }
  return out;
}

/** A value of the input type; ids are always the unknown placeholder. */
function placeholder(type: GraphQLInputType, fillOptionalIds: boolean): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType, fillOptionalIds);
  if (isListType(type)) return [placeholder(type.ofType, fillOptionalIds)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || (fillOptionalIds && getNamedType(f.type).name === 'ID')) value[f.name] = placeholder(f.type, fillOptionalIds);
    }
    return value;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return PLACEHOLDER_ID;
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'Decimal':
        return '1';
      case 'DateTime':
        return '2026-01-01T00:00:00Z';
      default:
        return 'placeholder';
    }
  }
  throw new Error(`no placeholder for ${String(type)}`);
}

/**
 * The document selecting `prefix` and under it every step of `lasts` (siblings), with
 * variables for required arguments always; on mutations and subscriptions also for every
 * optional id and the `after` cursor of the root field, so that allowed mutations fail on
 * the unknown id (changing nothing) and allowed subscriptions end with an error instead of
 * waiting for events.
 */
function documentOf(kind: RootKind, prefix: Step[], lasts: Step[]): { query: string; variables: Record<string, unknown> } {
  const defs: string[] = [];
  const variables: Record<string, unknown> = {};
  const argsOf = (step: Step, depth: number) => {
    const eager = depth === 0 && kind !== OperationTypeNode.QUERY;
    const take = (a: GraphQLArgument) =>
      isNonNullType(a.type) || (eager && (getNamedType(a.type).name === 'ID' || a.name === 'after' || isInputObjectType(getNamedType(a.type))));
    const args = step.field.args.filter(take).map((a) => {
      const name = `v${defs.length}`;
      defs.push(`$${name}: ${String(a.type)}`);
      variables[name] = a.name === 'after' ? PLACEHOLDER_ID : placeholder(a.type, eager);
      return `${a.name}: $${name}`;
    });
    return args.length ? `(${args.join(', ')})` : '';
  };
  const selection = (step: Step) => {
    const named = getNamedType(step.field.type);
    return `${step.field.name}${argsOf(step, prefix.length)}${isObjectType(named) || isInterfaceType(named) ? ' { __typename }' : ''}`;
  };
  let body = lasts.map(selection).join(' ');
  for (let i = prefix.length - 1; i >= 0; i--) body = `${prefix[i].field.name}${argsOf(prefix[i], i)} { ${body} }`;
  return { query: `${kind} Matrix${defs.length ? `(${defs.join(', ')})` : ''} { ${body} }`, variables };
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

let resets = 0;

async function post(server: TestServer, key: string, c: Case, retry = true): Promise<{ data?: unknown; errors?: GraphQLErrorShape[] }> {
  try {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: c.query, variables: c.variables }),
    });
    return (await res.json()) as { data?: unknown; errors?: GraphQLErrorShape[] };
  } catch (err) {
    // A kept-alive socket the server closed as the client reused it (ECONNRESET) is a
    // transport race, not an answer: send once more (the mutations here change nothing).
    if (!retry) throw err;
    resets++;
    return post(server, key, c, false);
  }
}

/**
 * The errors a subscription ended with (it must end: allowed ones fail on the placeholder
 * id), or null when the socket closed under it. The graphql-ws client closes its socket
 * (1000) whenever its last subscription is released, even when not lazy, and completes a
 * subscription that started on the closing socket without an answer: that says nothing
 * about the check, so the caller sends it again on a new socket.
 */
function subscribeOnce(ws: WsClient, c: Case): Promise<GraphQLErrorShape[] | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`${c.role} ${c.query}: the subscription neither failed nor was refused within 10 s`));
    }, 10_000);
    const finish = (errors: GraphQLErrorShape[] | null) => {
      clearTimeout(timer);
      dispose();
      resolve(errors);
    };
    const dispose = ws.client.subscribe(
      { query: c.query, variables: c.variables },
      {
        next: (v) => finish((v.errors ?? []) as GraphQLErrorShape[]),
        // An empty error list is how the server answers a subscribe while closing the socket.
        error: (e) => finish(Array.isArray(e) && e.length ? (e as GraphQLErrorShape[]) : null),
        complete: () => finish(null),
      },
    );
  });
}

function verdict(c: Case, errors: GraphQLErrorShape[] | undefined, data: unknown): string | null {
  const forbidden = (errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN');
  if (c.expected) {
    const first = errors?.[0];
    if (first?.extensions?.code !== 'FORBIDDEN' || first.extensions.coordinate !== c.expected) {
      return `${c.role} ${c.query}: expected FORBIDDEN for ${c.expected}, got ${JSON.stringify(errors)}`;
    }
    if (data !== undefined && data !== null) return `${c.role} ${c.query}: refused but executed (${JSON.stringify(data)})`;
    return null;
  }
  return forbidden.length ? `${c.role} ${c.query}: allowed by the table, got ${JSON.stringify(forbidden)}` : null;
}

describe('role matrix: the field access table against real requests', () => {
  let server: TestServer;
  let schema: GraphQLSchema;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    server = await startTestServer();
    schema = await buildAppSchema(EventBus.inProcess('role-matrix').asTypeGraphQL());
    const admin = server.http();
    const [{ id }] = await server.app.services.db.query<{ id: string }>(`INSERT INTO customers (name, tax_id) VALUES ('Matrix Telecom', 'TAX-M') RETURNING id`);
    keys[Role.ADMIN] = server.adminKey;
    for (const role of [Role.NOC, Role.INGEST, Role.CUSTOMER] as const) {
      const created = await admin.data(CreateApiKeyDocument, { name: `matrix ${role}`, role, customerId: role === Role.CUSTOMER ? `cus_${id}` : null });
      keys[role] = created.createApiKey.secret;
    }
  });


  it('decides every field of the schema exactly once (no field missing, no stale line)', () => {
    expect(tableCoverage(schema)).toEqual({ missing: [], stale: [] });
    expect(tableCoverage(schema, { ...FIELD_ACCESS, 'Customer.newField': 'A---' }).stale).toEqual(['Customer.newField']);
    // A field without a decision stops the check from being built, so the server does not start.
    const { ['Customer.taxId']: _taxId, ...withoutTaxId } = FIELD_ACCESS;
    expect(() => allowedFieldsByRole(schema, withoutTaxId)).toThrow(/no decision for Customer\.taxId/);
    expect(() => allowedFieldsByRole(schema, { ...FIELD_ACCESS, 'Customer.taxId': 'ANx-' })).toThrow(/not an "ANIC" column: Customer\.taxId/);
  });

  it('agrees with @Authorized on every root field', () => {
    const storage = getMetadataStorage();
    const byKind = { Query: storage.queries, Mutation: storage.mutations, Subscription: storage.subscriptions };
    let checked = 0;
    for (const [rootName, resolvers] of Object.entries(byKind)) {
      for (const field of Object.keys((schema.getType(rootName) as GraphQLObjectType).getFields())) {
        const meta = resolvers.filter((r) => r.schemaName === field);
        expect(meta).toHaveLength(1);
        // No @Authorized: any key may call it (me).
        const authorized = meta[0].roles?.length ? [...meta[0].roles].sort() : [...TABLE_ROLES].sort();
        const table = TABLE_ROLES.filter((_r, i) => FIELD_ACCESS[`${rootName}.${field}`][i] !== '-').sort();
        expect({ field: `${rootName}.${field}`, roles: authorized }).toEqual({ field: `${rootName}.${field}`, roles: table });
        checked++;
      }
    }
    expect(checked).toBe(Object.keys(FIELD_ACCESS).filter((k) => /^(Query|Mutation|Subscription)\./.test(k)).length);
  });

  it('refuses exactly what the table refuses, on every path, for every role', async () => {
    const allowed = allowedFieldsByRole(schema);
    const paths = rootPaths(schema);
    const sent: Case[] = [];
    let walked = 0;
    for (const role of TABLE_ROLES) {
      const allowedPaths: Path[] = [];
      for (const path of paths) {
        const coords = path.steps.map(coordinate);
        const refusedAt = coords.findIndex((c) => !allowed.get(role)!.has(c));
        const expected = refusedAt < 0 ? null : coords[refusedAt];
        const { query, variables } = documentOf(path.kind, path.steps.slice(0, -1), path.steps.slice(-1));
        // The guard's own walk agrees with the table on every path...
        expect({ role, query, refused: firstRefusedField(schema, parse(query), 'Matrix', allowed.get(role)!) }).toEqual({ role, query, refused: expected });
        walked++;
        // ...and a real request proves each refusal at its first refused field (the paths
        // below it repeat it)...
        if (refusedAt === coords.length - 1) sent.push({ role, path, coords, query, variables, expected });
        if (refusedAt < 0) allowedPaths.push(path);
      }
      // ...and every allowed path, in one request per parent: the longest allowed paths
      // (a request selects every field of its prefixes) with their allowed siblings.
      // Root fields go one per request (a subscription has one root field).
      const extended = new Set(allowedPaths.map((p) => pathKey(p, p.steps.length - 1)));
      const groups = new Map<string, Path[]>();
      for (const p of allowedPaths.filter((p) => !extended.has(pathKey(p, p.steps.length)))) {
        const key = p.steps.length > 1 ? pathKey(p, p.steps.length - 1) : pathKey(p, 1);
        groups.set(key, [...(groups.get(key) ?? []), p]);
      }
      for (const group of groups.values()) {
        const first = group[0];
        const prefix = first.steps.slice(0, -1);
        const { query, variables } = documentOf(first.kind, prefix, group.map((p) => p.steps[p.steps.length - 1]));
        const coords = [...new Set(group.flatMap((p) => p.steps.map(coordinate)))];
        sent.push({ role, path: first, coords, query, variables, expected: null });
      }
    }
    const pairs = new Set(sent.flatMap((c) => (c.expected ? [`${c.role} ${c.expected}`] : c.coords.map((coord) => `${c.role} ${coord}`))));

    const failures: string[] = [];
    const started = Date.now();
    await inBatches(
      sent.filter((c) => c.path.kind !== OperationTypeNode.SUBSCRIPTION),
      async (c) => {
        const body = await post(server, keys[c.role], c);
        const wrong = verdict(c, body.errors, body.data);
        if (wrong) failures.push(wrong);
      },
    );
    // One socket per role; a closed socket (seen as a subscription ending with no answer)
    // is replaced and the case sent once more, counted below.
    const sockets = new Map<Role, WsClient>(TABLE_ROLES.map((r) => [r, server.ws(keys[r])]));
    const socketOf = (role: Role) => {
      let ws = sockets.get(role)!;
      if (ws.closeCode !== undefined) {
        closedSockets.push(`${role}: ${ws.closeCode}`);
        void ws.close();
        sockets.set(role, (ws = server.ws(keys[role])));
      }
      return ws;
    };
    const closedSockets: string[] = [];
    try {
      await inBatches(
        sent.filter((c) => c.path.kind === OperationTypeNode.SUBSCRIPTION),
        async (c) => {
          let errors = await subscribeOnce(socketOf(c.role), c);
          if (errors === null) {
            resets++;
            errors = await subscribeOnce(socketOf(c.role), c);
          }
          const wrong =
            errors === null
              ? `${c.role} ${c.query}: the socket closed twice (${closedSockets.join(', ')})`
              : c.expected || errors.some((e) => e.extensions?.code)
                ? verdict(c, errors, undefined)
                : `${c.role} ${c.query}: the subscription ended without a coded error (${JSON.stringify(errors)})`;
          if (wrong) failures.push(wrong);
        },
      );
    } finally {
      await Promise.all([...sockets.values()].map((s) => s.close()));
    }
    // The numbers the security note quotes.
    console.log(
      `role matrix: ${paths.length} paths x ${TABLE_ROLES.length} roles = ${walked} (role, path) checks against the guard; ` +
        `${sent.length} real requests (${sent.filter((c) => c.path.kind === OperationTypeNode.SUBSCRIPTION).length} over graphql-ws) ` +
        `covering ${pairs.size} (role, field) pairs of ${TABLE_ROLES.length * Object.keys(FIELD_ACCESS).length}; ` +
        `${sent.filter((c) => c.expected).length} refused; ${resets} resent after a reset or closed socket (closed: ${closedSockets.join(', ') || 'none'}); ${Date.now() - started} ms`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    // The walk reaches every line of the table; a (role, field) pair without a request of
    // its own is one the role can only reach through a field already refused to it.
    expect(new Set(paths.flatMap((p) => p.steps.map(coordinate)))).toEqual(new Set(Object.keys(FIELD_ACCESS)));
    // Thousands of requests: minutes of margin for a busy CI machine.
  }, 600_000);
});
