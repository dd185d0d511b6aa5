/**
 * The executable schema: the app's resolvers, the role check and the pub/sub.
 * schema.graphql is printed from this (sorted) by `npm run schema`.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type AuthChecker, type PubSub } from 'type-graphql';
import { forbidden } from '../platform/common/errors';
import type { RequestContext } from '../platform/graphql/context';
import { useDefaultResolvers } from '../platform/graphql/default-resolvers';
import { withFeeds } from '../platform/graphql/feeds';
import { systemClock } from '../platform/clock';
import { loadConfig } from '../platform/config';
import type { Database } from '../platform/db/database';
import { createLogger } from '../platform/logger';
import { EventBus } from '../platform/pubsub/event-bus';
import { createResolvers, type AppResolvers } from './resolvers';
import { createServices } from './services';

/** Roles listed in @Authorized may call; anyone else gets FORBIDDEN (anonymous callers never get this far). */
const authChecker: AuthChecker<RequestContext, string> = ({ context }, roles) => {
  if (roles.length === 0 || roles.includes(context.principal.role)) return true;
  throw forbidden(`The ${context.principal.role} role may not do this`);
};

/**
 * The schema over the app's resolvers. Without them (printing schema.graphql, tests and
 * benchmarks of validation), over resolvers of a graph that has no database: building
 * and validating a schema runs no resolver.
 */
export async function buildAppSchema(pubSub: PubSub, resolvers: AppResolvers = detachedResolvers()): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers: resolvers.classes, container: resolvers.container, pubSub: withFeeds(pubSub, resolvers.feeds), authChecker, validate: false });
  useDefaultResolvers(schema);
  resolvers.prefetch.install(schema);
  return schema;
}

function detachedResolvers(): AppResolvers {
  const config = loadConfig({});
  const detached = { config, logger: createLogger('error'), db: {} as Database, jobsDb: {} as Database, events: EventBus.inProcess(config.redisPrefix), clock: systemClock };
  return createResolvers(createServices(detached));
}

/** The SDL committed as schema.graphql: sorted so that it is stable across builds. */
export function printAppSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
