/**
 * The one pub/sub of the process: Redis (graphql-redis-subscriptions + ioredis) when
 * REDIS_URL is set, so every API instance sees every event; in-process otherwise.
 * Publish only from UnitOfWork.afterCommit hooks: Postgres is the truth, this is the wake-up.
 */
import { EventEmitter } from 'node:events';
import { PubSub as MemoryPubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import Redis from 'ioredis';
import type { PubSub } from 'type-graphql';
import { within } from '../common/within';
import type { Logger } from '../logger';
import { AsyncQueue } from './async-queue';
import { RedisPublisher } from './redis-publisher';
import type { Topic, TopicPayloads } from './topics';

export interface RedisBusOptions {
  /** Timeout of one Redis command (publish, ping), ms. */
  commandTimeoutMs: number;
  /** Most wake-ups held in memory while Redis is unreachable. */
  publishBuffer: number;
}

/**
 * Marker in a cursorStream: the Redis subscription was lost and is live again, and
 * wake-ups published meanwhile may never arrive; readers read their rows again.
 */
export const RESUBSCRIBED = Symbol('resubscribed');

export class EventBus {
  private readonly listeners = new Map<Topic, number>();
  private readonly resubscribedHandlers = new Set<() => void>();

  private constructor(
    private readonly engine: PubSubEngine,
    private readonly prefix: string,
    private readonly redis?: { publisher: Redis; subscriber: Redis; sender: RedisPublisher },
  ) {}

  static inProcess(prefix = 'lineguard'): EventBus {
    // Every subscriber of a topic is a listener of one emitter: a NOC wall holds far more
    // than Node's default of 10 (the graphql-ws caps bound them instead).
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    return new EventBus(new MemoryPubSub({ eventEmitter }), prefix);
  }

  static async redis(url: string, prefix: string, logger: Logger, opts: RedisBusOptions): Promise<EventBus> {
    // Publisher: no offline queue and a command timeout, so neither a publish after commit
    // nor /readyz waits for a Redis that is down or stuck (RedisPublisher holds the
    // messages instead); unanswered commands are not resent after a reconnect.
    const publisher = new Redis(url, {
      lazyConnect: true,
      enableReadyCheck: true,
      enableOfflineQueue: false,
      commandTimeout: opts.commandTimeoutMs,
      autoResendUnfulfilledCommands: false,
    });
    // Subscriber: SUBSCRIBE/UNSUBSCRIBE wait for Redis (graphql-redis-subscriptions leaves
    // an UNSUBSCRIBE's promise unhandled, so it must not fail), and ioredis subscribes
    // to every channel again after a reconnect. No client request waits on this connection.
    const subscriber = new Redis(url, { lazyConnect: true, enableReadyCheck: true, maxRetriesPerRequest: null });
    for (const [name, c] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
      c.on('error', (err) => logger.warn('redis connection error', { connection: name, err }));
    }
    await Promise.all([publisher.connect(), subscriber.connect()]);
    const sender = new RedisPublisher(publisher, opts.publishBuffer, logger);
    const bus = new EventBus(new RedisPubSub({ publisher, subscriber }), prefix, { publisher, subscriber, sender });
    // Every 'ready' after the first is a reconnect. ioredis writes its SUBSCRIBEs right
    // after emitting it; a PING queued behind them answers once they are live.
    subscriber.on('ready', () =>
      setImmediate(() =>
        subscriber.ping().then(
          () => {
            logger.warn('redis subscriptions restored: cursor feeds read again');
            for (const handler of bus.resubscribedHandlers) handler();
          },
          (err) => logger.warn('redis resubscription check failed', { err }),
        ),
      ),
    );
    return bus;
  }

  /** The channel name of a topic (Redis channels are shared by every deployment on that Redis). */
  channel(topic: Topic): string {
    return `${this.prefix}:${topic}`;
  }

  /** Publishes one message; never rejects, and never waits for a Redis that is down (see RedisPublisher). */
  async publish<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void> {
    await this.publishAll(topic, [payload]);
  }

  /**
   * Publishes several messages of one topic in order without waiting for each reply:
   * on Redis they go out back to back on one connection, one round trip for the lot
   * (a CDR batch touching 100 customers publishes 100 balance changes).
   */
  async publishAll<T extends Topic>(topic: T, payloads: readonly TopicPayloads[T][]): Promise<void> {
    const channel = this.channel(topic);
    if (this.redis) {
      // The same JSON RedisPubSub would send, so its subscriber side parses it unchanged.
      await this.redis.sender.send(payloads.map((p) => ({ channel, message: JSON.stringify(p) })));
      return;
    }
    await Promise.all(payloads.map((p) => this.engine.publish(channel, p)));
  }

  /** Calls handler for every message; resolves once the subscription is live, with its cancel function. */
  async listen<T extends Topic>(topic: T, handler: (payload: TopicPayloads[T]) => void): Promise<() => void> {
    const id = await this.engine.subscribe(this.channel(topic), handler, {});
    this.listeners.set(topic, (this.listeners.get(topic) ?? 0) + 1);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.engine.unsubscribe(id);
      this.listeners.set(topic, (this.listeners.get(topic) ?? 1) - 1);
    };
  }

  /** Live listeners of a topic in this process (tests wait on it before publishing). */
  listenerCount(topic: Topic): number {
    return this.listeners.get(topic) ?? 0;
  }

  /** An iterator of the topic's messages; resolves once live, so nothing published afterwards is missed. */
  async stream<T extends Topic>(topic: T): Promise<AsyncIterableIterator<TopicPayloads[T]>> {
    let cancel: () => void = () => undefined;
    const queue = new AsyncQueue<TopicPayloads[T]>(() => cancel());
    cancel = await this.listen(topic, (p) => queue.push(p));
    return queue;
  }

  /**
   * stream() for readers that catch up from PostgreSQL by cursor: it also carries
   * RESUBSCRIBED after Redis came back, since wake-ups of the outage may be lost.
   */
  async cursorStream<T extends Topic>(topic: T): Promise<AsyncIterableIterator<TopicPayloads[T] | typeof RESUBSCRIBED>> {
    let cancel: () => void = () => undefined;
    const queue = new AsyncQueue<TopicPayloads[T] | typeof RESUBSCRIBED>(() => cancel());
    const resubscribed = () => queue.push(RESUBSCRIBED);
    const stop = await this.listen(topic, (p) => queue.push(p));
    this.resubscribedHandlers.add(resubscribed);
    cancel = () => {
      stop();
      this.resubscribedHandlers.delete(resubscribed);
    };
    return queue;
  }

  /** TypeGraphQL's PubSub view, for `@Subscription({ topics })` resolvers. */
  asTypeGraphQL(): PubSub {
    return {
      publish: (routingKey: string, ...args: unknown[]) => {
        void this.publish(routingKey as Topic, args[0] as never);
      },
      subscribe: (routingKey: string) => lazyStream(() => this.stream(routingKey as Topic)),
    };
  }

  /** Whether Redis answers within timeoutMs (no offline queue: a Redis that is down fails at once). */
  async ping(timeoutMs: number): Promise<boolean> {
    if (!this.redis) return true;
    const answered = this.redis.publisher.ping().then(
      (r) => r === 'PONG',
      () => false,
    );
    return within(answered, timeoutMs, false);
  }

  /** Wake-ups held while Redis is unreachable (0 in-process). */
  get heldMessages(): number {
    return this.redis?.sender.heldCount ?? 0;
  }

  get usesRedis(): boolean {
    return this.redis !== undefined;
  }

  async close(): Promise<void> {
    if (this.redis) {
      this.redis.sender.close();
      // quit() would wait for a Redis that is down; disconnect() does not.
      await Promise.allSettled([quitOrDisconnect(this.redis.publisher), quitOrDisconnect(this.redis.subscriber)]);
    }
  }
}

async function quitOrDisconnect(c: Redis): Promise<void> {
  if (c.status === 'ready') await c.quit();
  else c.disconnect();
}

/** An async iterable whose underlying stream is opened on first use. */
function lazyStream<T>(open: () => Promise<AsyncIterableIterator<T>>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      let it: Promise<AsyncIterableIterator<T>> | undefined;
      const get = () => (it ??= open());
      return {
        next: async () => (await get()).next(),
        return: async () => (it ? (await it).return?.() : undefined) ?? { value: undefined, done: true },
      };
    },
  };
}
