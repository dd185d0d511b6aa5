/**
 * The one pub/sub of the process: graphql-redis-subscriptions' RedisPubSub over ioredis
 * when REDIS_URL is set, so every API instance sees every event; graphql-subscriptions'
 * PubSub in-process otherwise. Subscribers get those libraries' iterators (and withFilter);
 * this class adds typed topics, publishing that never waits for Redis (RedisPublisher),
 * RESUBSCRIBED after a reconnect, and readiness.
 * Publish only from UnitOfWork.afterCommit hooks: Postgres is the truth, this is the wake-up.
 */
import { EventEmitter } from 'node:events';
import { PubSub as MemoryPubSub, withFilter } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import Redis from 'ioredis';
import type { PubSub } from 'type-graphql';
import { within } from '../common/within';
import type { Logger } from '../logger';
import { BusEngine, packed, RESUBSCRIBED, RESUBSCRIBED_TRIGGER } from './bus-engine';
import { publisherConnection, RedisPublisher, type Message, type SendOptions } from './redis-publisher';
import type { Topic } from './topic';

export { RESUBSCRIBED } from './bus-engine';

/**
 * Payloads a packed Redis message carries at most: a balance change is ~200 bytes, so a
 * message stays near 100 KB, far below what Redis lets a subscriber's connection fall
 * behind by (client-output-buffer-limit pubsub: 8 MB for a minute, 32 MB at once).
 */
const PAYLOADS_PER_MESSAGE = 500;

export interface RedisBusOptions {
  /** Timeout of one Redis command (publish, ping), ms. */
  commandTimeoutMs: number;
  /** Most wake-ups held in memory while Redis is unreachable. */
  publishBuffer: number;
}

export class EventBus {
  private readonly engine: BusEngine;
  /** Subscribers served by a shared reader (shared-feed.ts), by channel: counted as listeners. */
  private readonly followers = new Map<string, Set<() => number>>();

  private constructor(
    transport: MemoryPubSub | RedisPubSub,
    private readonly prefix: string,
    private readonly redis?: { publisher: Redis; subscriber: Redis; sender: RedisPublisher },
  ) {
    this.engine = new BusEngine(transport);
  }

  static inProcess(prefix = 'lineguard'): EventBus {
    // Every subscriber of a topic is a listener of one emitter: a NOC wall holds far more
    // than Node's default of 10 (the graphql-ws caps bound them instead).
    const eventEmitter = new EventEmitter();
    eventEmitter.setMaxListeners(0);
    return new EventBus(new MemoryPubSub({ eventEmitter }), prefix);
  }

  static async redis(url: string, prefix: string, logger: Logger, opts: RedisBusOptions): Promise<EventBus> {
    const publisher = publisherConnection(url, opts.commandTimeoutMs);
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
            bus.engine.resubscribed();
          },
          (err) => logger.warn('redis resubscription check failed', { err }),
        ),
      ),
    );
    return bus;
  }

  /** The channel name of a topic (Redis channels are shared by every deployment on that Redis). */
  channel(topic: Topic<unknown>): string {
    return `${this.prefix}:${topic.name}`;
  }

  /** Publishes one message; never rejects, and waits for Redis only when `confirmed` (see RedisPublisher). */
  async publish<P>(topic: Topic<P>, payload: NoInfer<P>, opts?: SendOptions): Promise<void> {
    await this.publishAll(topic, [payload], opts);
  }

  /**
   * Publishes several messages of one topic in order. On Redis they go out packed
   * (bus-engine.ts), up to PAYLOADS_PER_MESSAGE payloads a message: a CDR batch touching
   * 100 customers publishes its 100 balance changes as one message.
   */
  async publishAll<P>(topic: Topic<P>, payloads: readonly NoInfer<P>[], opts?: SendOptions): Promise<void> {
    const channel = this.channel(topic);
    if (this.redis) {
      // JSON, which RedisPubSub's subscriber side parses; BusEngine unpacks what it parsed.
      const messages: Message[] = [];
      for (let i = 0; i < payloads.length; i += PAYLOADS_PER_MESSAGE) {
        messages.push({ channel, message: JSON.stringify(packed(payloads.slice(i, i + PAYLOADS_PER_MESSAGE))) });
      }
      await this.redis.sender.send(messages, opts);
      return;
    }
    await Promise.all(payloads.map((p) => this.engine.publish(channel, p)));
  }

  /** Calls handler for every message; resolves once the subscription is live, with its cancel function. */
  async listen<P>(topic: Topic<P>, handler: (payload: P) => void): Promise<() => void> {
    const id = await this.engine.subscribe(this.channel(topic), handler as (message: unknown) => void);
    return () => this.engine.unsubscribe(id);
  }

  /**
   * Live listeners and streams of a topic in this process, and the subscribers a shared
   * reader serves from its one stream (tests wait on it before publishing). A reader's
   * own stream (cursorStream) is not counted: it is live before the reader has read where
   * the log stands, and a count that included it reached n while the n-th subscriber was
   * still joining, so an event published then was missed by it.
   */
  listenerCount(topic: Topic<unknown>): number {
    let n = this.engine.count(this.channel(topic));
    for (const count of this.followers.get(this.channel(topic)) ?? []) n += count();
    return n;
  }

  /** Counts a shared reader's live followers in listenerCount; returns the function that stops counting them. */
  countFollowers(topic: Topic<unknown>, count: () => number): () => void {
    const channel = this.channel(topic);
    const counts = this.followers.get(channel) ?? new Set();
    counts.add(count);
    this.followers.set(channel, counts);
    return () => {
      counts.delete(count);
      if (!counts.size) this.followers.delete(channel);
    };
  }

  /**
   * The topic's messages that pass `keep` (the library's iterator and withFilter; see
   * BusEngine.iterator). It subscribes on its first next(), which graphql-ws calls at once.
   */
  async stream<P>(topic: Topic<P>, keep?: (payload: P) => boolean): Promise<AsyncIterableIterator<P>> {
    const all = () => this.engine.iterator<P>(this.channel(topic));
    return keep ? withFilter(all, (payload?: P) => keep(payload!))() : all();
  }

  /**
   * stream() for readers that catch up from PostgreSQL by cursor. It resolves once live:
   * a reader must be subscribed BEFORE it reads its rows, or an event committed in
   * between is never read. It also carries RESUBSCRIBED after Redis came back, since
   * wake-ups of the outage may be lost.
   */
  async cursorStream<P>(topic: Topic<P>): Promise<AsyncIterableIterator<P | typeof RESUBSCRIBED>> {
    const channel = this.channel(topic);
    const it = this.engine.iterator<P | typeof RESUBSCRIBED>([channel, RESUBSCRIBED_TRIGGER], { uncounted: true });
    // The iterator subscribes on its first next() and says nothing when that is live
    // (graphql-subscriptions#252, graphql-redis-subscriptions#632; that next() resolves
    // only with a message). So: start that next() now, wait with the engine until the
    // channel is live (BusEngine.untilLive), and hand that next() to the reader's first call.
    let started: Promise<IteratorResult<P | typeof RESUBSCRIBED>> | undefined = it.next();
    started.catch(() => undefined); // The reader sees a failure in its first next(), or in this await.
    try {
      await this.engine.untilLive(channel);
    } catch (err) {
      it.return().catch(() => undefined);
      throw err;
    }
    const live: AsyncIterableIterator<P | typeof RESUBSCRIBED> = {
      next: () => {
        const next = started ?? it.next();
        started = undefined;
        return next;
      },
      return: () => it.return(),
      throw: (err: unknown) => it.throw(err),
      [Symbol.asyncIterator]: () => live,
    };
    return live;
  }

  /** TypeGraphQL's PubSub view, for `@Subscription({ topics })` resolvers. */
  asTypeGraphQL(): PubSub {
    return {
      publish: (name: string, ...args: unknown[]) => void this.publish<unknown>({ name }, args[0]),
      subscribe: (name: string) => this.engine.iterator(this.channel({ name })),
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
