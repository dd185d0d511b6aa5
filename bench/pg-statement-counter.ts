/**
 * A TCP proxy in front of PostgreSQL that counts the SQL statements a server sends, read
 * from the wire protocol: every simple Query ('Q') and every Execute ('E') of the extended
 * protocol is one statement, whether the server prepares it once (PostGraphile, Lineguard's
 * named statements) or sends it unnamed each time. Works for any client, so both servers are
 * counted alike; pg_stat_statements would need a server restart to load here. It is in the
 * path only while counting (a hop per round trip would penalise the server that makes more).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface StatementCounter {
  /** The target's URL with the proxy's host and port. */
  url: string;
  /** Statements since the last reset. */
  readonly statements: number;
  /** SQL text of each statement since the last reset, in order. */
  readonly texts: string[];
  reset(): void;
  close(): Promise<void>;
}

const PROTOCOL_3 = 196_608;

/** Splits one connection's client-to-server byte stream into messages. */
class FrontendStream {
  private buffered: Buffer = Buffer.alloc(0);
  private startup = true;

  constructor(private readonly onMessage: (type: string, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      // Untyped: SSLRequest and GSSENCRequest (answered, then the real startup), StartupMessage, CancelRequest.
      if (this.startup) {
        if (this.buffered.length < 8) return;
        const length = this.buffered.readInt32BE(0);
        if (this.buffered.length < length) return;
        const code = this.buffered.readInt32BE(4);
        this.buffered = this.buffered.subarray(length);
        if (code === PROTOCOL_3) this.startup = false;
        continue;
      }
      if (this.buffered.length < 5) return;
      const length = this.buffered.readInt32BE(1);
      if (this.buffered.length < 1 + length) return;
      this.onMessage(String.fromCharCode(this.buffered[0]), this.buffered.subarray(5, 1 + length));
      this.buffered = this.buffered.subarray(1 + length);
    }
  }
}

function cstring(body: Buffer, from: number): { text: string; next: number } {
  const end = body.indexOf(0, from);
  return { text: body.toString('utf8', from, end), next: end + 1 };
}

export async function startStatementCounter(targetUrl: string): Promise<StatementCounter> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let statements = 0;
  let texts: string[] = [];
  /** One connection's prepared statements and portals, so an Execute names the SQL it runs. */
  const connectionTracker = () => {
    const prepared = new Map<string, string>();
    const portals = new Map<string, string>();
    return (type: string, body: Buffer) => {
      if (type === 'Q') {
        statements++;
        texts.push(cstring(body, 0).text);
      } else if (type === 'P') {
        const name = cstring(body, 0);
        prepared.set(name.text, cstring(body, name.next).text);
      } else if (type === 'B') {
        const portal = cstring(body, 0);
        portals.set(portal.text, prepared.get(cstring(body, portal.next).text) ?? '(unknown statement)');
      } else if (type === 'E') {
        statements++;
        texts.push(portals.get(cstring(body, 0).text) ?? '(unknown portal)');
      }
    };
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const stream = new FrontendStream(connectionTracker());
    client.on('data', (chunk: Buffer) => {
      stream.push(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    get statements() {
      return statements;
    },
    get texts() {
      return texts;
    },
    reset() {
      statements = 0;
      texts = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
