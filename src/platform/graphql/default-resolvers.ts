/**
 * Plain object fields resolve with graphql-js's default resolver. TypeGraphQL wraps every
 * object field in a resolver of its own (reading `root[name]` through its middleware
 * chain), even where the field has no role, no middleware and no field resolver: a
 * closure and a call per field per row, thousands per dashboard page (a page of 500
 * customers with their trunks and hosts resolves ~15,000 fields). Here, after the schema
 * is built, such fields get graphql-js's default resolver, which reads the property.
 *
 * A field with a role (@Authorized, on it or its class) or a middleware (@UseMiddleware)
 * keeps TypeGraphQL's resolver, so nothing it checks is skipped; field resolvers are never
 * touched.
 */
import { isObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/** Sets the default resolver on every plain field of the schema's object types; returns how many. */
export function useDefaultResolvers(schema: GraphQLSchema): number {
  const storage = getMetadataStorage();
  let plain = 0;
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const classes = classChain(objectType.target);
    const fields = type.getFields();
    for (const meta of storage.fields) {
      const field = fields[meta.schemaName];
      if (!field || !classes.includes(meta.target)) continue;
      const guarded = meta.roles !== undefined || (meta.middlewares?.length ?? 0) > 0;
      const resolved = storage.fieldResolvers.some((r) => r.methodName === meta.name && classes.includes(r.getObjectType?.()));
      if (guarded || resolved || meta.name !== meta.schemaName) continue;
      field.resolve = undefined;
      plain++;
    }
  }
  return plain;
}

/** A class and the classes it extends (metadata targets are classes). */
function classChain(target: object): unknown[] {
  const chain: unknown[] = [];
  for (let c: unknown = target; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.push(c);
  return chain;
}
