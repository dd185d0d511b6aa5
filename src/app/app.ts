/**
 * Composition root: config -> database -> pub/sub -> services (services.ts, with the
 * in-transaction reactions of reactions.ts) -> resolvers (resolvers.ts) -> schema ->
 * HTTP + graphql-ws -> background jobs. close() tears down in reverse order.
 * Only the entry points (main.ts, schema-cli.ts) import this folder.
 */
import 'reflect-metadata';
import { systemClock, type Clock } from '../platform/clock';
import type { Config } from '../platform/config';
import { Database } from '../platform/db/database';
import { createOperationGuard } from '../platform/graphql/operation-guard';
import { startHttpServer } from '../platform/http/http-server';
import { startWorkers, type Workers } from '../platform/jobs';
import { createLogger, type Logger } from '../platform/logger';
import { EventBus } from '../platform/pubsub/event-bus';
import { createResolvers } from './resolvers';
import { buildAppSchema } from './schema';
import { createServices, type Services } from './services';
import { API_KEY_CHANGED, API_KEY_REVOKED } from '../modules/api-key/api-key.topics';

export interface App {
  url: string;
  port: number;
  services: Services;
  /** Secret of the ADMIN key created on an empty database, if this start created one. */
  bootstrapSecret: string | null;
  close(): Promise<void>;
}

/** What only code starting the app can choose (not the environment). */
export interface AppOptions {
  /** The schedules' clock (default: the system clock); tests move theirs to run a day in seconds. */
  clock?: Clock;
}

export async function startApp(config: Config, logger: Logger = createLogger(config.logLevel), options: AppOptions = {}): Promise<App> {
  const db = await Database.open(config, logger);
  let events: EventBus | undefined;
  let jobsDb: Database | undefined;
  try {
    jobsDb = await db.jobsPool(config);
    events = config.redisUrl
      ? await EventBus.redis(config.redisUrl, config.redisPrefix, logger, {
          commandTimeoutMs: config.redisCommandTimeoutMs,
          publishBuffer: config.redisPublishBuffer,
        })
      : EventBus.inProcess(config.redisPrefix);
    const services = createServices({ config, logger, db, jobsDb, events, clock: options.clock ?? systemClock });
    // Listening before the first request: a key revoked anywhere is dropped from this instance's cache at once.
    const stopKeyChanges = await events.listen(API_KEY_CHANGED, ({ apiKeyId }) => services.apiKeys.forget(apiKeyId));
    const stopKeyRevocations = await events.listen(API_KEY_REVOKED, ({ apiKeyId }) => services.apiKeys.forget(apiKeyId));
    // Today's and the next days' cdrs partitions exist (and are known) before the first batch.
    await services.cdrPartitions.maintain();
    // This week's and the next weeks' alert events partitions: every event written has its week.
    await services.alertEventPartitions.maintain();
    if (config.adminApiKey) await services.apiKeys.ensureAdminKey(config.adminApiKey);
    const bootstrapSecret = await services.apiKeys.bootstrapFirstKey();
    const schema = await buildAppSchema(events.asTypeGraphQL(), createResolvers(services));
    const server = await startHttpServer(schema, createOperationGuard(schema, config), { config, logger, db, events, keys: services.apiKeys });
    const stopRevocations = await events.listen(API_KEY_REVOKED, ({ apiKeyId }) => server.closeSocketsOfKey(apiKeyId));
    const workers: Workers = startWorkers(services.jobs, config.schedulerIntervalMs, logger);
    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      port: server.port,
      services,
      bootstrapSecret,
      close: () =>
        (closing ??= (async () => {
          await workers.stop();
          logger.debug('workers stopped');
          stopRevocations();
          stopKeyRevocations();
          stopKeyChanges();
          await server.close();
          logger.debug('http server drained');
          await events!.close();
          await jobsDb!.close();
          await db.close();
          logger.debug('database closed');
        })()),
    };
  } catch (err) {
    await events?.close();
    await jobsDb?.close();
    await db.close();
    throw err;
  }
}
