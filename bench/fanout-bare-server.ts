/**
 * The baseline of bench:fanout: the server a team would write in an afternoon instead of
 * Lineguard's feeds. graphql-ws (its own ws binding) over graphql-js, and
 * graphql-redis-subscriptions over ioredis: the payload published on Redis is the event
 * itself, every subscriber executes its selection on it (default resolvers). No database,
 * no authentication, no catch-up: the floor Lineguard's fan-out is compared with.
 * Started with fork(); reports its URL over IPC and closes on 'stop'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import Redis from 'ioredis';
import { WebSocketServer } from 'ws';

const SDL = `
type Customer { id: ID! name: String! }
type AlertEvent {
  id: ID! cursor: String! kind: String! area: String! value: String! threshold: String!
  subject: String! message: String! occurredAt: String! customer: Customer!
}
type Query { ok: Boolean }
type Subscription { alertEvents: AlertEvent! }
`;

export interface BareServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Forks the bare server subscribed to `channel` on Redis; resolves once it listens. */
export async function startBareServer(redisUrl: string, channel: string): Promise<BareServer> {
  const child: ChildProcess = fork(path.join(__dirname, 'fanout-bare-server.js'), ['--serve'], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', BARE_REDIS_URL: redisUrl, BARE_CHANNEL: channel },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function serve(): Promise<void> {
  const redisUrl = process.env.BARE_REDIS_URL!;
  const channel = process.env.BARE_CHANNEL!;
  const pubsub = new RedisPubSub({ publisher: new Redis(redisUrl), subscriber: new Redis(redisUrl) });
  const schema = buildSchema(SDL);
  const root = { alertEvents: { subscribe: () => pubsub.asyncIterator(channel), resolve: (event: unknown) => event } };
  Object.assign(schema.getSubscriptionType()!.getFields().alertEvents, root.alertEvents);
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const cleanup = useServer({ schema }, wss);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () =>
    void (async () => {
      await cleanup.dispose();
      server.close();
      await pubsub.close();
      process.exit(0);
    })();
  process.on('message', (m) => {
    if (m === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
}

if (require.main === module && process.argv.includes('--serve')) {
  serve().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
