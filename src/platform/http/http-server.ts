/**
 * One HTTP server: POST /graphql (Apollo), graphql-ws subscriptions on the same path,
 * /healthz and /readyz, and the NOC console at / (console-static.ts). close() drains: stops accepting, lets in-flight requests
 * finish within the grace period, then closes every socket.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ExecutionArgs, GraphQLError, GraphQLSchema } from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { forbidden } from '../common/errors';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { Logger } from '../logger';
import type { EventBus } from '../pubsub/event-bus';
import { authenticate, type KeyAuthority } from '../graphql/auth';
import { RequestContext, type Principal } from '../graphql/context';
import { errorLoggingPlugin, formatError, formatSubscriptionErrors } from '../graphql/error-handling';
import { admitBeforeBody, httpServerOptions, limitConnections } from './http-limits';
import { withCode, type OperationGuard } from '../graphql/operation-guard';
import { windowedSubscribe } from '../graphql/windowed-subscribe';
import { isSerialized } from '../graphql/shared-execution';
import { serveGraphqlWs, type WsExtraBase } from './ws-transport';
import { RateLimits } from './rate-limit';
import { RefusalLog } from './refusal-log';
import { serveConsole } from './console-static';
import { submittedCdrCount } from './submitted-cdrs';
import { CLOSE_TOO_MANY, closeFloodingSocket, KeySockets, OperationSlots, tooManySocketsReason } from './ws-limits';

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Closes the open sockets of a revoked key (4403); the composition root calls it for every instance's revocations. */
  closeSocketsOfKey(apiKeyId: string): void;
  close(): Promise<void>;
}

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

type WsExtra = WsExtraBase & { principal?: Principal; slots?: OperationSlots };

/** What the transports need from the rest of the process (given by the composition root). */
export interface HttpServerDeps {
  config: Config;
  logger: Logger;
  db: Pick<Database, 'ping'>;
  events: EventBus;
  keys: KeyAuthority;
}

export async function startHttpServer(schema: GraphQLSchema, guard: OperationGuard, deps: HttpServerDeps): Promise<RunningHttpServer> {
  const { config, logger, keys } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(httpServerOptions(config.http), app);
  const refusals = new RefusalLog(logger);
  limitConnections(httpServer, config.http, refusals);
  const rateLimits = RateLimits.create(config, logger, refusals);

  // Subscriptions: the key is checked when the socket connects and again for every
  // new subscription; revoking a key closes its open sockets (closeSocketsOfKey).
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: config.ws.maxMessageBytes });
  const keySockets = new KeySockets(config.ws.maxSocketsPerKey);
  /** The execution arguments of a subscribe message, or the errors that refuse it. */
  const admitOperation = async (extra: WsExtra, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
    const principal = extra.principal!;
    const limited = await rateLimits.admitRequest(principal);
    if (limited) return [limited];
    if (principal.apiKeyId && !(await keys.isActive(principal.apiKeyId))) {
      // Answer this operation, then close the socket (graphql-ws takes no empty refusal).
      setImmediate(() => extra.socket.close(CloseCode.Forbidden, 'API key revoked'));
      return [forbidden('API key revoked')];
    }
    const prepared = guard.prepare(payload, principal);
    if ('errors' in prepared) return prepared.errors;
    const cdrs = submittedCdrCount(prepared.document, payload.operationName, payload.variables);
    const cdrsLimited = cdrs ? await rateLimits.admitCdrs(principal, cdrs) : null;
    if (cdrsLimited) return [cdrsLimited];
    return {
      schema,
      document: prepared.document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: new RequestContext(randomUUID(), principal, logger),
      hideSuggestions: guard.validationOptions.hideSuggestions,
    };
  };
  const wsCleanup = serveGraphqlWs<Record<string, unknown>, WsExtra>(
    {
      schema,
      // Bursts of events execute together, their lookups batched (windowed-subscribe.ts).
      subscribe: windowedSubscribe,
      connectionInitWaitTimeout: config.ws.initTimeoutMs,
      onConnect: async (ctx) => {
        const principal = await authenticate(keys, ctx.connectionParams?.authorization);
        if (!principal) {
          refusals.refused('socket without a valid API key', {});
          return false;
        }
        const limited = await rateLimits.admitRequest(principal);
        if (limited) {
          ctx.extra.socket.close(CLOSE_TOO_MANY, `Rate limited: retry after ${String(limited.extensions.retryAfterMs)} ms`);
          return false;
        }
        if (principal.apiKeyId && !keySockets.add(principal.apiKeyId, ctx.extra.socket)) {
          refusals.refused('socket refused: WS_MAX_SOCKETS_PER_KEY reached', { apiKeyId: principal.apiKeyId, max: config.ws.maxSocketsPerKey });
          ctx.extra.socket.close(CLOSE_TOO_MANY, tooManySocketsReason(config.ws));
          return false;
        }
        ctx.extra.principal = principal;
        ctx.extra.slots = new OperationSlots(config.ws.maxSubscriptionsPerSocket);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // Taken before any await: thousands of subscribe messages may arrive before the first check resolves.
        const slots = ctx.extra.slots!;
        const overCap = slots.take(id);
        if (overCap) {
          refusals.refused('operation refused: WS_MAX_SUBSCRIPTIONS_PER_SOCKET reached', { apiKeyId: ctx.extra.principal!.apiKeyId, max: slots.max, closed: slots.flooding });
          if (slots.flooding) closeFloodingSocket(ctx.extra.socket, slots.max);
          return [overCap];
        }
        const admitted = await admitOperation(ctx.extra, payload);
        // graphql-ws reports onComplete only for operations that ran.
        if (Array.isArray(admitted)) slots.release(id);
        return admitted;
      },
      onComplete: (ctx, id) => {
        ctx.extra.slots?.release(id);
      },
      onClose: (ctx) => {
        const keyId = ctx.extra.principal?.apiKeyId;
        if (keyId) keySockets.remove(keyId, ctx.extra.socket);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        // A result shared by many subscribers goes out as its one serialization (ws-transport.ts).
        if (isSerialized(result)) return result;
        if (!result.errors?.length) return;
        const requestId = (args.contextValue as RequestContext).requestId;
        // A result without data is graphql-js refusing the request before execution:
        // variables that do not coerce. Apollo answers those BAD_USER_INPUT; so does the socket.
        const errors = 'data' in result ? result.errors : result.errors.map((e) => withCode(e, 'BAD_USER_INPUT'));
        return { ...result, errors: formatSubscriptionErrors(errors, requestId, logger) };
      },
      onError: (_ctx, _id, _payload, errors) => formatSubscriptionErrors(errors, undefined, logger),
    },
    wsServer,
    { maxBufferedBytes: config.ws.maxBufferedBytes, logger },
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: [...guard.validationRules],
    validationOptions: guard.validationOptions,
    parseOptions: guard.parseOptions,
    // Who may introspect is the guard's per-key decision (INTROSPECTION_ROLES), on both transports.
    introspection: true,
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and drains everything in order.
    stopOnTerminationSignals: false,
    plugins: [
      // Nothing here sets cache hints (every answer is per key); Apollo's default cache
      // control plugin would still wrap every field of every response to compute them.
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's landing page loads Sandbox from a CDN; the console's own explorer (/explorer) replaces it.
      ApolloServerPluginLandingPageDisabled(),
      errorLoggingPlugin(logger),
      guard.plugin(),
      rateLimits.plugin(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // Both pings are bounded, so an orchestrator gets its 503 instead of a hung probe.
    const [database, pubsub] = await Promise.all([deps.db.ping(config.readyTimeoutMs), deps.events.ping(config.readyTimeoutMs)]);
    const ready = database && pubsub;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      database,
      pubsub: deps.events.usesRedis ? 'redis' : 'in-process',
      pubsubReachable: pubsub,
      heldWakeUps: deps.events.heldMessages,
    });
  });

  serveConsole(app, config.consoleDir, logger);

  // The endpoint as an app of its own, for one setting: no ETag on its answers. Express
  // hashed every answer for one (SHA-1 of the body, POSTs included), which no client
  // revalidates: ~0.1 ms of a submitCdrs answer for 100 customers in a CPU profile, more
  // for a page of 500 customers. On the main app the setting would also take the
  // console's index.html its ETag (res.sendFile follows it), which browsers do revalidate.
  const graphqlApp = express();
  graphqlApp.disable('x-powered-by');
  graphqlApp.set('etag', false);
  app.use('/graphql', graphqlApp);
  graphqlApp.use(
    (req: Request, res: Response, next: NextFunction) => {
      const given = req.header('x-request-id');
      const requestId = given && REQUEST_ID_RE.test(given) ? given : randomUUID();
      res.locals.requestId = requestId;
      res.setHeader('x-request-id', requestId);
      next();
    },
    admitBeforeBody(keys, logger, rateLimits, refusals),
    express.json({ limit: config.maxBodyBytes }),
    (req: Request, res: Response, next: NextFunction) => {
      // The key was admitted before the body was read; this refuses documents whose
      // validation alone would be costly, before Apollo parses them.
      const refused = guard.precheck((req.body as { query?: unknown } | undefined)?.query);
      if (!refused.length) return next();
      res.status(400).json({ errors: refused.map((e) => formatError(e.toJSON(), e)) });
    },
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const requestId = res.locals.requestId as string;
        return new RequestContext(requestId, res.locals.principal as Principal, logger.child({ requestId }));
      },
    }),
  );
  // Body-parser errors (oversize or malformed JSON) answer in GraphQL's error shape.
  app.use((err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!err?.status || err.status >= 500) return next(err);
    const message =
      err.type === 'entity.too.large'
        ? `Request body exceeds the limit of ${config.maxBodyBytes} bytes (MAX_BODY_BYTES); split the batch`
        : `Bad request: ${err.message ?? 'malformed body'}`;
    res.status(err.status).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', requestId: res.locals.requestId } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  logger.info('listening', { url: `http://${host}:${port}/graphql` });

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    closeSocketsOfKey: (apiKeyId) => {
      for (const socket of keySockets.of(apiKeyId)) socket.close(CloseCode.Forbidden, 'API key revoked');
    },
    close: async () => {
      await apollo.stop();
      await rateLimits.close();
    },
  };
}
