/**
 * Clients as an attacker writes them: raw TCP for HTTP (so a test controls exactly how
 * many body bytes go out and when) and raw graphql-ws messages over `ws` (so thousands
 * of subscribe messages go out back to back, and every message and close is recorded).
 */
import net from 'node:net';
import WebSocket from 'ws';
import { disposeLater } from '../../helpers/disposal';
import { Changes } from '../../helpers/waits';

export interface RawHttpExchange {
  socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the time (ms since epoch) the first response bytes arrived. */
  firstByte: Promise<number>;
  /** Resolves with the time the connection closed. */
  closed: Promise<number>;
  /** Writes and resolves once the bytes are handed to the kernel (false if the socket is gone). */
  write(data: string | Buffer): Promise<boolean>;
}

/** Opens a TCP connection to the server's host and port and records what comes back. */
export function rawHttp(url: string): Promise<RawHttpExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = '';
    let onFirst!: (t: number) => void;
    const firstByte = new Promise<number>((r) => (onFirst = r));
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now())));
    socket.on('data', (d) => {
      if (!received) onFirst(Date.now());
      received += d.toString('latin1');
    });
    // Resets are expected when the server cuts a connection mid-request.
    socket.on('error', () => undefined);
    disposeLater(() => socket.destroy());
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => received,
        firstByte,
        closed,
        write: (data) =>
          new Promise((r) => {
            if (socket.destroyed || !socket.writable) return r(false);
            socket.write(data, (err) => r(!err));
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/** Request head of a POST /graphql with a JSON body of `length` bytes. */
export function postHead(url: string, length: number, key?: string): string {
  const { host } = new URL(url);
  return [
    'POST /graphql HTTP/1.1',
    `Host: ${host}`,
    'Content-Type: application/json',
    `Content-Length: ${length}`,
    ...(key !== undefined ? [`Authorization: Bearer ${key}`] : []),
    '',
    '',
  ].join('\r\n');
}

export interface WsMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** One graphql-ws socket driven message by message; closed for the test by test/helpers/disposal.ts. */
export class RawGraphqlWs {
  readonly messages: WsMessage[] = [];
  close?: { code: number; reason: string; at: number };
  private readonly changes = new Changes();
  readonly terminate: () => Promise<void>;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WsMessage);
      this.changes.changed();
    });
    socket.on('close', (code, reason) => {
      this.close = { code, reason: String(reason), at: Date.now() };
      this.changes.changed();
    });
    socket.on('error', () => undefined);
    this.terminate = disposeLater(async () => {
      if (this.close) return;
      this.socket.close();
      await this.until(() => this.close !== undefined, 5_000);
    });
  }

  /** Opens the socket; with `key`, sends connection_init and waits for the ack or the close. */
  static async open(url: string, key?: string): Promise<RawGraphqlWs> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const ws = new RawGraphqlWs(socket);
    if (key !== undefined) {
      ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });
      await ws.until(() => ws.close !== undefined || ws.messages.some((m) => m.type === 'connection_ack'), 5_000);
    }
    return ws;
  }

  get acknowledged(): boolean {
    return this.messages.some((m) => m.type === 'connection_ack');
  }

  send(message: WsMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** Messages of a type (and, for errors, with the given extensions.code). */
  count(type: string, code?: string): number {
    return this.messages.filter((m) => m.type === type && (code === undefined || errorCode(m) === code)).length;
  }

  /** Resolves once check() holds, tested on every message and on the close (fails after timeoutMs). */
  until(check: () => boolean, timeoutMs: number): Promise<void> {
    return this.changes.until(check, timeoutMs, () => `the socket; ${this.messages.length} messages, close ${JSON.stringify(this.close)}`);
  }
}

/** extensions.code of the first error of an `error` message. */
export function errorCode(m: WsMessage): string | undefined {
  const errors = m.payload as { extensions?: { code?: string } }[] | undefined;
  return Array.isArray(errors) ? errors[0]?.extensions?.code : undefined;
}
