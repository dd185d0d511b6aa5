/**
 * Lookahead for list pages: a list resolver (customers, alertEvents) loads, right after
 * its page, the nested fields the operation selects under its rows (Customer.trunks,
 * then Trunk.hosts; AlertEvent.customer and .definition), for every row at once, and
 * leaves each value on its row. The field's resolver then answers from the row,
 * synchronously: graphql-js completes a list of plain values in a loop, while a
 * promise per row (500 customers' trunks, 1,500 trunks' hosts) cost a promise, a
 * microtask and type-graphql's parameter building each (~40% of the app's CPU on a page
 * of 500 customers with their trunks and hosts).
 *
 * A prefetch runs the field's own load function (the one its @FieldResolver calls) per
 * row: the DataLoader batches them into the same statements as before, and the values
 * are the ones the resolver would have returned, by construction. A row whose load
 * fails keeps nothing, so its field resolves as before and fails the same way. Values
 * are kept per argument values: a field selected with other arguments resolves as before.
 * Only fields with no role and no middleware of their own may be prefetched (checked at
 * startup): what the operation guard checks before execution is unchanged.
 */
import {
  getArgumentValues,
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import type { RequestContext } from './context';

/** A nested field's load, as its field resolver does it, for one parent row. */
export type FieldLoad = (ctx: RequestContext, parent: never, args: Record<string, unknown>) => Promise<unknown>;

interface Kept {
  args: string;
  value: unknown;
}

/** Values loaded ahead, on the row they belong to: field name -> arguments and value. */
const PREFETCHED = Symbol('prefetched');
type WithPrefetched = { [PREFETCHED]?: Map<string, Kept> };

/** The fields that can be loaded ahead, by type and field name; one per app (made with its resolvers). */
export class Prefetcher {
  private readonly loads = new Map<string, Map<string, FieldLoad>>();

  /** Registers `type.field`'s load (its field resolver must call the same function). */
  field<P>(type: string, field: string, load: (ctx: RequestContext, parent: P, args: Record<string, unknown>) => Promise<unknown>): void {
    let fields = this.loads.get(type);
    if (!fields) this.loads.set(type, (fields = new Map()));
    fields.set(field, load as FieldLoad);
  }

  /**
   * After the schema is built: each registered field answers from its row when a value was
   * loaded ahead for the same arguments, and through its resolver otherwise.
   */
  install(schema: GraphQLSchema): void {
    for (const [typeName, fields] of this.loads) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`prefetch: ${typeName} is not an object type of the schema`);
      for (const name of fields.keys()) {
        const field = type.getFields()[name];
        if (!field?.resolve) throw new Error(`prefetch: ${typeName}.${name} has no resolver`);
        if (guarded(typeName, name)) throw new Error(`prefetch: ${typeName}.${name} has a role or a middleware of its own; it must resolve through them`);
        const original: GraphQLFieldResolver<unknown, unknown> = field.resolve;
        field.resolve = (root, args, ctx, info) => {
          const kept = (root as WithPrefetched)[PREFETCHED]?.get(name);
          if (kept !== undefined && kept.args === argsKey(args)) return kept.value;
          return original(root, args, ctx, info);
        };
      }
    }
  }

  /**
   * Loads ahead what the operation selects under `rows`, the objects at `path` below the
   * field being resolved (['nodes'] for a connection's rows), level by level.
   */
  async rows(ctx: RequestContext, info: GraphQLResolveInfo, path: readonly string[], rows: readonly object[]): Promise<void> {
    const at = selectedAt(info, path);
    if (at && isObjectType(at.type)) await this.level(ctx, info, at.type, at.nodes, rows);
  }

  private async level(ctx: RequestContext, info: GraphQLResolveInfo, type: GraphQLObjectType, nodes: readonly FieldNode[], rows: readonly object[]): Promise<void> {
    const loads = this.loads.get(type.name);
    if (!loads || rows.length === 0) return;
    const work: Promise<void>[] = [];
    for (const [name, selected] of subfields(info, nodes, type)) {
      const load = loads.get(name);
      if (!load) continue;
      const def = type.getFields()[name];
      const argSets = selected.map((n) => getArgumentValues(def, n, info.variableValues));
      const key = argsKey(argSets[0]);
      // The same field selected twice with different arguments: left to its resolver.
      if (argSets.some((a) => argsKey(a) !== key)) continue;
      work.push(
        (async () => {
          const values = await Promise.all(rows.map((row) => load(ctx, row as never, argSets[0]).then((v) => keep(row, name, key, v), () => undefined)));
          const child = getNamedType(def.type);
          if (!isObjectType(child)) return;
          const children = values.flatMap((v) => (Array.isArray(v) ? v : v == null ? [] : [v])) as object[];
          await this.level(ctx, info, child, selected, children);
        })(),
      );
    }
    await Promise.all(work);
  }
}

/** The field nodes the operation selects at `path` below the field being resolved (aliases and fragments merged); undefined when none. */
export function selectedNodes(info: GraphQLResolveInfo, path: readonly string[]): readonly FieldNode[] | undefined {
  return selectedAt(info, path)?.nodes;
}

/** Whether the operation selects the field at `path` below the field being resolved (e.g. ['nodes', 'customer']). */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return selectedAt(info, path) !== undefined;
}

/** The field nodes at `path` below the field being resolved, and their type; undefined when not selected. */
function selectedAt(info: GraphQLResolveInfo, path: readonly string[]): { nodes: readonly FieldNode[]; type: GraphQLNamedType } | undefined {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  let type: GraphQLNamedType = getNamedType(info.returnType);
  for (const name of path) {
    if (!isObjectType(type)) return undefined;
    nodes = subfields(info, nodes, type).get(name) ?? [];
    if (nodes.length === 0) return undefined;
    type = getNamedType(type.getFields()[name].type);
  }
  return { nodes, type };
}

function keep(row: object, field: string, args: string, value: unknown): unknown {
  const r = row as WithPrefetched;
  (r[PREFETCHED] ??= new Map()).set(field, { args, value });
  return value;
}

/** Argument values as a comparable key ({} for a field called without any). */
function argsKey(args: Record<string, unknown>): string {
  for (const _ in args) return JSON.stringify(args);
  return '{}';
}

/** The fields selected in the selection sets of `nodes`, by field name (fragments expanded). */
function subfields(info: GraphQLResolveInfo, nodes: readonly FieldNode[], type: GraphQLObjectType): Map<string, FieldNode[]> {
  const found = new Map<string, FieldNode[]>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        const list = found.get(s.name.value);
        if (list) list.push(s);
        else found.set(s.name.value, [s]);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || s.typeCondition.name.value === type.name) visit(s.selectionSet);
      } else {
        const fragment = info.fragments[s.name.value];
        if (fragment && fragment.typeCondition.name.value === type.name) visit(fragment.selectionSet);
      }
    }
  };
  for (const n of nodes) visit(n.selectionSet);
  return found;
}

/** Whether type-graphql's metadata gives `type.field` a role or a middleware (its resolver applies them). */
function guarded(type: string, field: string): boolean {
  const storage = getMetadataStorage();
  const objectType = storage.objectTypes.find((o) => o.name === type);
  const ofType = (target: unknown) => objectType !== undefined && (target === objectType.target || target === objectType.target.prototype);
  const meta = [
    ...storage.fields.filter((f) => f.schemaName === field && ofType(f.target)),
    ...storage.fieldResolvers.filter((r) => r.schemaName === field && ofType(r.getObjectType?.())),
  ];
  return meta.some((m) => m.roles !== undefined || (m.middlewares?.length ?? 0) > 0);
}
