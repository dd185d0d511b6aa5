/**
 * bench:fanout's load: graphql-ws clients in their own process (their parsing must not
 * share the server's cores' event loop, nor the orchestrator's), one socket each, all
 * subscribed to the same selection. It also listens on the Redis channel the server is
 * woken by, and takes the moment each event's wake-up went by as its publish time: the
 * delivery delay of an event to a client is its receive time minus that, measured the same
 * way for Lineguard (published after COMMIT) and for the bare server.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { unpacked } from '../src/platform/pubsub/bus-engine';

export interface LoadSpec {
  url: string;
  key?: string;
  clients: number;
  redisUrl: string;
  channel: string;
  query: string;
}

export interface LoadReport {
  delays: number[];
  lost: number;
  duplicates: number;
  expected: number;
}

export interface LoadProcess {
  /** Resolves once every client's socket is acknowledged and its subscription sent. */
  ready: Promise<void>;
  /** Delays, lost and duplicates of the events published within [from, to] (wall-clock ms). */
  report(from: number, to: number): Promise<LoadReport>;
  stop(): Promise<void>;
}

export function startLoad(spec: LoadSpec): LoadProcess {
  const child: ChildProcess = fork(path.join(__dirname, 'fanout-load.js'), ['--load'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies = new Map<string, (m: unknown) => void>();
  child.on('message', (m) => replies.get((m as { type: string }).type)?.(m));
  const reply = <T>(type: string) => new Promise<T>((resolve) => replies.set(type, (m) => resolve(m as T)));
  const ready = reply<void>('ready');
  child.send({ type: 'start', spec });
  return {
    ready: ready.then(() => undefined),
    report: (from, to) => {
      const r = reply<{ report: LoadReport }>('report');
      child.send({ type: 'report', from, to });
      return r.then((m) => m.report);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

const now = () => performance.timeOrigin + performance.now();
/** An event's key: its local id (global ids are `<prefix>_<local>`). */
const keyOf = (id: string | number) => {
  const s = String(id);
  return s.slice(s.indexOf('_') + 1);
};

async function load(spec: LoadSpec): Promise<void> {
  const published = new Map<string, number>();
  const observer = new Redis(spec.redisUrl);
  observer.on('message', (_channel: string, message: string) => {
    // Lineguard packs the events of one publish into one message (bus-engine.ts).
    for (const p of unpacked(JSON.parse(message)) as { eventId?: string; id?: string }[]) {
      const key = keyOf(p.eventId ?? p.id ?? '');
      if (!published.has(key)) published.set(key, now());
    }
  });
  await observer.subscribe(spec.channel);

  const received: Map<string, number>[] = [];
  const duplicates = { n: 0 };
  const clients: Client[] = [];
  await Promise.all(
    Array.from({ length: spec.clients }, (_, i) => {
      const got = new Map<string, number>();
      received.push(got);
      return new Promise<void>((resolve, reject) => {
        const client = createClient({
          url: spec.url.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams: spec.key ? { authorization: `Bearer ${spec.key}` } : {},
          on: { connected: () => resolve(), closed: (e) => reject(new Error(`client ${i} closed: ${(e as { code?: number }).code}`)) },
          onNonLazyError: reject,
        });
        clients.push(client);
        client.subscribe<{ alertEvents: { id: string } }>(
          { query: spec.query },
          {
            next: (v) => {
              const id = v.data?.alertEvents.id;
              if (!id) return;
              const key = keyOf(id);
              if (got.has(key)) duplicates.n++;
              else got.set(key, now());
            },
            error: (err) => process.stderr.write(`subscription ${i} failed: ${JSON.stringify(err)}\n`),
            complete: () => undefined,
          },
        );
      });
    }),
  );
  process.send!({ type: 'ready' });

  process.on('message', (m: { type: string; from?: number; to?: number }) => {
    if (m.type === 'report') {
      const expected = [...published].filter(([, t]) => t >= m.from! && t <= m.to!);
      const delays: number[] = [];
      let lost = 0;
      for (const got of received) {
        for (const [key, at] of expected) {
          const t = got.get(key);
          if (t === undefined) lost++;
          else delays.push(t - at);
        }
      }
      process.send!({ type: 'report', report: { delays, lost, duplicates: duplicates.n, expected: expected.length } satisfies LoadReport });
    } else if (m.type === 'stop') {
      void Promise.all(clients.map((c) => c.dispose())).then(() => {
        observer.disconnect();
        process.exit(0);
      });
    }
  });
}

if (require.main === module && process.argv.includes('--load')) {
  process.once('message', (m: { type: string; spec: LoadSpec }) => {
    load(m.spec).catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
  });
}
