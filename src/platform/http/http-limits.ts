/**
 * HTTP limits that hold before any GraphQL work: the API key (and its request budget)
 * is checked before the body is read, slow clients are cut by Node's request and
 * headers timeouts, and each instance holds at most HTTP_MAX_CONNECTIONS sockets.
 */
import type http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { unauthenticated, type AppError } from '../common/errors';
import type { HttpLimitsConfig } from '../config';
import type { Logger } from '../logger';
import { authenticate, type KeyAuthority } from '../graphql/auth';
import type { RateLimits } from './rate-limit';
import type { RefusalLog } from './refusal-log';

/** Options for http.createServer. */
export function httpServerOptions(limits: HttpLimitsConfig): http.ServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node enforces both timeouts by sweeping its connections every 30 s by default, so
    // a 10 s headers timeout could hold a connection for 40 s; sweep at a quarter of the
    // shorter timeout (at most every second) instead.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4))),
  };
}

const CLIENT_ERROR_STATUS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/** The connection cap, and a log line (throttled) for dropped connections and timed-out requests. */
export function limitConnections(server: http.Server, limits: HttpLimitsConfig, refusals: RefusalLog): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) => {
    refusals.refused('connection refused: HTTP_MAX_CONNECTIONS reached', { max: limits.maxConnections, remoteAddress: data?.remoteAddress });
  });
  // Node's own answer to a client error (as its default handler does), plus the log line.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      refusals.refused('request timed out: HTTP_REQUEST_TIMEOUT_MS or HTTP_HEADERS_TIMEOUT_MS', { remoteAddress: (socket as { remoteAddress?: string }).remoteAddress });
    }
    // As Node does: no status line once a response on this connection has started.
    const responding = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (err.code !== 'ECONNRESET' && socket.writable && !responding) {
      socket.write(`HTTP/1.1 ${CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy();
  });
}

/**
 * Authenticates and charges the request budget from the headers alone; a missing or
 * unknown key (401) or a spent budget (429) is answered without reading the body, and
 * the connection is closed so the rest of an unread body is never received.
 * Sets res.locals.principal for the GraphQL context.
 */
export function admitBeforeBody(keys: KeyAuthority, logger: Logger, rateLimits: RateLimits, refusals: RefusalLog) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const requestId = res.locals.requestId as string;
    let refusal: AppError | null;
    try {
      const principal = await authenticate(keys, req.headers.authorization);
      if (!principal) {
        refusals.refused('request without a valid API key', { remoteAddress: req.socket.remoteAddress, keyGiven: req.headers.authorization !== undefined });
        refusal = unauthenticated();
      } else {
        refusal = await rateLimits.admitRequest(principal);
        res.locals.principal = principal;
      }
    } catch (err) {
      logger.error('request failed', { requestId, err });
      answer(req, res, 500, { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } });
      return;
    }
    if (!refusal) return next();
    const { http: httpHead, ...extensions } = refusal.extensions as { http?: { status: number; headers?: Map<string, string> } };
    for (const [name, value] of httpHead?.headers ?? []) res.setHeader(name, value);
    answer(req, res, httpHead?.status ?? 400, { message: refusal.message, extensions: { ...extensions, requestId } });
  };
}

function answer(req: Request, res: Response, status: number, error: object): void {
  if (!req.complete) res.setHeader('connection', 'close');
  res.status(status).json({ errors: [error] });
}
