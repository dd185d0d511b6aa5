/**
 * The executable schema: every resolver of every module, the role check and the
 * pub/sub. schema.graphql is printed from this (sorted) by `npm run schema`.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type NonEmptyArray, type PubSub } from 'type-graphql';
import { forbidden } from '../platform/common/errors';
import { MODULES } from './modules';
import type { RequestContext } from '../platform/graphql/context';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS = MODULES.flatMap((m) => m.resolvers) as NonEmptyArray<Function>;

/** Roles listed in @Authorized may call; anyone else gets FORBIDDEN (anonymous callers never get this far). */
const authChecker: AuthChecker<RequestContext, string> = ({ context }, roles) => {
  if (roles.length === 0 || roles.includes(context.principal.role)) return true;
  throw forbidden(`The ${context.principal.role} role may not do this`);
};

export function buildAppSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, pubSub, authChecker, validate: false });
}

/** The SDL committed as schema.graphql: sorted so that it is stable across builds. */
export function printAppSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
