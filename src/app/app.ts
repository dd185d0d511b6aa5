/**
 * Composition root: config -> database -> pub/sub -> services -> schema -> HTTP + WS
 * -> background workers. close() tears down in reverse order.
 */
import 'reflect-metadata';
import type { Config } from '../platform/config';
import { Database } from '../platform/db/database';
import { createLogger, type Logger } from '../platform/logger';
import { EventBus } from '../platform/pubsub/event-bus';
import { buildAppSchema } from './schema';
import { startHttpServer } from '../platform/http/http-server';
import { createOperationGuard } from '../platform/graphql/operation-guard';
import { createServices, type Services } from './services';
import { startWorkers, type Workers } from '../platform/jobs';
import { API_KEY_REVOKED } from '../modules/api-key/api-key.topics';

export interface App {
  url: string;
  port: number;
  services: Services;
  /** Secret of the ADMIN key created on an empty database, if this start created one. */
  bootstrapSecret: string | null;
  close(): Promise<void>;
}

export async function startApp(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<App> {
  const db = await Database.open(config, logger);
  let events: EventBus | undefined;
  try {
    events = config.redisUrl ? await EventBus.redis(config.redisUrl, config.redisPrefix, logger, {
          commandTimeoutMs: config.redisCommandTimeoutMs,
          publishBuffer: config.redisPublishBuffer,
        }) : EventBus.inProcess(config.redisPrefix);
    const services = createServices({ config, logger, db, events });
    if (config.adminApiKey) await services.apiKeys.ensureAdminKey(config.adminApiKey);
    const bootstrapSecret = await services.apiKeys.bootstrapFirstKey();
    const schema = await buildAppSchema(events.asTypeGraphQL());
    const server = await startHttpServer(schema, createOperationGuard(schema, config), services);
    const stopRevocations = await events.listen(API_KEY_REVOKED, ({ apiKeyId }) => server.closeSocketsOfKey(apiKeyId));
    const workers: Workers = startWorkers(services);
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
          await server.close();
          logger.debug('http server drained');
          await events!.close();
          await db.close();
          logger.debug('database closed');
        })()),
    };
  } catch (err) {
    await events?.close();
    await db.close();
    throw err;
  }
}
