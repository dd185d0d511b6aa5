/**
 * One HTTP server: POST /graphql (Apollo), graphql-ws subscriptions on the same path,
 * /healthz and /readyz. close() drains: stops accepting, lets in-flight requests
 * finish within the grace period, then closes every socket.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { unauthenticated } from '../common/errors';
import { Topic } from '../pubsub/topics';
import type { Services } from '../services';
import { authenticate } from './auth';
import { RequestContext, type Principal } from './context';
import { errorLoggingPlugin, formatError, formatSubscriptionErrors } from './error-handling';
import { withCode, type OperationGuard } from './operation-guard';

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

type WsExtra = { principal?: Principal; socket: WebSocket };

export async function startHttpServer(schema: GraphQLSchema, guard: OperationGuard, services: Services): Promise<RunningHttpServer> {
  const { config, logger } = services;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  // Subscriptions: the key is checked when the socket connects and again for every
  // new subscription; revoking a key closes its open sockets on every instance.
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const socketsByKey = new Map<string, Set<WebSocket>>();
  const stopRevocations = await services.events.listen(Topic.API_KEY_REVOKED, ({ apiKeyId }) => {
    for (const socket of socketsByKey.get(apiKeyId) ?? []) socket.close(CloseCode.Forbidden, 'API key revoked');
  });
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const principal = await authenticate(services.apiKeys, ctx.connectionParams?.authorization);
        if (!principal) return false;
        ctx.extra.principal = principal;
        if (principal.apiKeyId) {
          const set = socketsByKey.get(principal.apiKeyId) ?? new Set();
          set.add(ctx.extra.socket);
          socketsByKey.set(principal.apiKeyId, set);
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = ctx.extra.principal!;
        if (principal.apiKeyId && !(await services.apiKeys.isActive(principal.apiKeyId))) {
          ctx.extra.socket.close(CloseCode.Forbidden, 'API key revoked');
          return [];
        }
        const prepared = guard.prepare(payload, principal);
        if ('errors' in prepared) return prepared.errors;
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: new RequestContext(randomUUID(), principal, logger, services),
          hideSuggestions: guard.validationOptions.hideSuggestions,
        };
      },
      onClose: (ctx) => {
        const keyId = ctx.extra.principal?.apiKeyId;
        if (keyId) socketsByKey.get(keyId)?.delete(ctx.extra.socket);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
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
      errorLoggingPlugin(logger),
      guard.plugin(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              stopRevocations();
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
    const [database, pubsub] = await Promise.all([services.db.ping(), services.events.ping()]);
    const ready = database && pubsub;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', database, pubsub: services.events.usesRedis ? 'redis' : 'in-process', pubsubReachable: pubsub });
  });

  app.use(
    '/graphql',
    (req: Request, res: Response, next: NextFunction) => {
      const given = req.header('x-request-id');
      const requestId = given && REQUEST_ID_RE.test(given) ? given : randomUUID();
      res.locals.requestId = requestId;
      res.setHeader('x-request-id', requestId);
      // The key lookup starts before the body is read and parsed (a large CDR batch
      // takes milliseconds), so the database round trip overlaps it. The no-op catch
      // only marks the promise handled when no context awaits it (a refused body);
      // the context still sees its rejection.
      const principal = authenticate(services.apiKeys, req.headers.authorization);
      principal.catch(() => undefined);
      res.locals.principal = principal;
      next();
    },
    express.json({ limit: config.maxBodyBytes }),
    async (req: Request, res: Response, next: NextFunction) => {
      // A missing key is answered UNAUTHENTICATED by the context, whatever the query.
      const principal = await (res.locals.principal as Promise<Principal | null>).catch(() => null);
      const refused = principal ? guard.precheck((req.body as { query?: unknown } | undefined)?.query) : [];
      if (!refused.length) return next();
      res.status(400).json({ errors: refused.map((e) => formatError(e.toJSON(), e)) });
    },
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        const requestId = res.locals.requestId as string;
        const principal = await (res.locals.principal as Promise<Principal | null>);
        if (!principal) throw unauthenticated();
        return new RequestContext(requestId, principal, logger.child({ requestId }), services);
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
    close: () => apollo.stop(),
  };
}
