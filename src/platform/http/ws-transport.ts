/**
 * graphql-ws over `ws`: the protocol is graphql-ws's own server (makeServer); this is its
 * `use/ws` binding with two changes for live fan-out to thousands of sockets.
 *  - Shared payloads: a `next` whose result was executed and serialized once for many
 *    subscribers (shared-execution.ts) is sent as that JSON, not stringified per socket.
 *  - Bounded send buffers: a send does not wait for the socket to take the bytes (one
 *    slow screen no longer holds its subscriptions' events in server memory, queued
 *    behind its writes); instead, a socket whose unsent bytes (ws bufferedAmount) exceed
 *    WS_MAX_BUFFERED_BYTES is closed with CLOSE_SLOW_CONSUMER, and cut if it does not
 *    complete the close in time. Its client reconnects and resumes with `after:` its
 *    last cursor (the feeds read what it missed from PostgreSQL).
 * Keep-alive pings and the error handling are the library binding's.
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, DEPRECATED_GRAPHQL_WS_PROTOCOL, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { sharedPayloadMessage, sharedPayloadReplacer } from '../graphql/shared-execution';
import type { Logger } from '../logger';

/** Close code of a socket that stopped reading (its unsent bytes passed WS_MAX_BUFFERED_BYTES); clients reconnect and resume by cursor. */
export const CLOSE_SLOW_CONSUMER = 4413;

/** How long a slow socket has to complete the closing handshake before it is cut (its buffer freed). */
const SLOW_CLOSE_GRACE_MS = 5_000;

/** Keep-alive ping period (and pong wait), ms: the library binding's default. */
const KEEP_ALIVE_MS = 12_000;

export interface WsTransportOptions {
  /** Unsent bytes a socket may hold before it is closed (WS_MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  logger: Logger;
}

export type WsExtraBase = { socket: WebSocket; request: IncomingMessage };

/** Serves graphql-ws on the WebSocket server; dispose() closes every socket and the server. */
export function serveGraphqlWs<P extends Record<string, unknown>, E extends WsExtraBase>(
  options: ServerOptions<P, E>,
  ws: WebSocketServer,
  transport: WsTransportOptions,
): { dispose(): Promise<void> } {
  const server = makeServer<P, E>({ ...options, jsonMessageReplacer: sharedPayloadReplacer });
  ws.options.handleProtocols = handleProtocols;
  const reason = `Slow consumer: over WS_MAX_BUFFERED_BYTES=${transport.maxBufferedBytes} unsent; reconnect, resume with after: last cursor`;

  ws.on('connection', (socket, request) => {
    socket.once('error', (err) => {
      transport.logger.warn('websocket error', { err });
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    let pongWait: NodeJS.Timeout | undefined;
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => clearTimeout(pongWait));
      socket.ping();
    }, KEEP_ALIVE_MS);
    let slow = false;
    let ended: Promise<void> | undefined;
    const end = (code: number, why: string) => (ended ??= closed(code, why));
    // The close frame waits behind the unsent bytes; the operations end now, so the feeds
    // stop handing this socket events at once rather than when the client reads again.
    const closeSlow = () => {
      slow = true;
      transport.logger.warn('websocket closed: slow consumer', { bufferedAmount: socket.bufferedAmount, limit: transport.maxBufferedBytes });
      socket.close(CLOSE_SLOW_CONSUMER, reason);
      void end(CLOSE_SLOW_CONSUMER, reason);
      setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
    };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          // Always taken, even when not sent: the replaced payload belongs to this message only.
          const message = sharedPayloadMessage(data);
          if (socket.readyState !== socket.OPEN || slow) return;
          socket.send(message);
          if (socket.bufferedAmount > transport.maxBufferedBytes) closeSlow();
        },
        close: (code, why) => socket.close(code, why),
        onMessage: (cb) =>
          socket.on('message', async (event) => {
            try {
              await cb(String(event));
            } catch (err) {
              transport.logger.warn('graphql-ws message handling failed', { err });
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request } as E,
    );
    socket.once('close', (code, why) => {
      clearTimeout(pongWait);
      clearInterval(pingInterval);
      if (code === CloseCode.SubprotocolNotAcceptable && socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL) {
        transport.logger.warn('client used the deprecated subscriptions-transport-ws protocol');
      }
      void end(code, String(why));
    });
  });

  return {
    dispose: async () => {
      for (const client of ws.clients) client.close(1001, 'Going away');
      ws.removeAllListeners();
      await new Promise<void>((resolve, reject) => ws.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
