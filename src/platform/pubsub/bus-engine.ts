/**
 * The PubSubEngine every listener and iterator of the bus runs on. It hands each
 * subscription to the transport (RedisPubSub, or graphql-subscriptions' in-process
 * PubSub) and adds the two things neither library has: a count of the live
 * subscriptions of each channel in this process, and RESUBSCRIBED, delivered by this
 * process to the iterators that asked for it.
 */
import { PubSubEngine } from 'graphql-subscriptions';
// The package exports only RedisPubSub, whose own iterators subscribe on RedisPubSub
// itself; this one takes any engine, so its subscriptions pass through BusEngine.
import { PubSubAsyncIterator } from 'graphql-redis-subscriptions/dist/pubsub-async-iterator';

/**
 * Marker in a cursor stream: the Redis subscription was lost and is live again, and
 * wake-ups published meanwhile may never arrive; readers read their rows again.
 */
export const RESUBSCRIBED = Symbol('resubscribed');

/** The trigger of RESUBSCRIBED: kept in this process (channels always hold a ':'). */
export const RESUBSCRIBED_TRIGGER = 'resubscribed';

type OnMessage = (message: unknown) => void;

/** How an iterator's subscriptions are made (BusEngine.iterator). */
export interface IteratorOptions {
  /**
   * Left out of count(): a shared reader's own stream (shared-feed.ts), which is live
   * before the reader knows where it starts. Its followers are counted instead, each once
   * it has its start, so a test waiting on the count publishes only when they all listen.
   */
  uncounted?: boolean;
}

/**
 * The key of a packed message: several payloads of one channel sent as one Redis message
 * (EventBus.publishAll), `{ "lineguard:packed": [payload, ...] }`, in order. A CDR batch
 * touching 100 customers publishes 100 balance changes: one message instead of 100 costs
 * the publishing instance, Redis and every subscribed instance one command, one reply and
 * one delivery. No payload has this key (topic payloads are plain records of their own
 * fields, topic.ts). A deployment's instances must all unpack: one that does not would hand
 * the packed object to its subscribers as a payload.
 */
const PACKED = 'lineguard:packed';

/** The message that carries `payloads` (one payload goes as itself). */
export function packed(payloads: readonly unknown[]): unknown {
  return payloads.length === 1 ? payloads[0] : { [PACKED]: payloads };
}

/** The payloads a received message carries, in order. */
export function unpacked(message: unknown): readonly unknown[] {
  const many = message !== null && typeof message === 'object' ? (message as Record<string, unknown>)[PACKED] : undefined;
  return Array.isArray(many) ? many : [message];
}

export class BusEngine extends PubSubEngine {
  private readonly live = new Map<number, { trigger: string; onMessage: OnMessage; transportId?: number; counted: boolean }>();
  private lastId = 0;

  constructor(private readonly transport: PubSubEngine) {
    super();
  }

  /**
   * An iterator of the triggers' messages. It subscribes on its first next(); return()
   * ends a pending next() and unsubscribes once the subscription is made. It is
   * graphql-redis-subscriptions' iterator, not graphql-subscriptions' (3.0.0, from
   * asyncIterableIterator): that one never resolves a next() called after return(), nor
   * one whose subscribe was under way when return() ran, and graphql-ws awaits return()
   * of every subscription of a socket before it runs onClose.
   */
  iterator<T>(triggers: string | readonly string[], opts: IteratorOptions = {}): PubSubAsyncIterator<T> {
    // The iterator hands its options to every subscribe() it makes.
    return new PubSubAsyncIterator<T>(this, triggers, opts);
  }

  publish(trigger: string, payload: unknown): Promise<void> {
    return this.transport.publish(trigger, payload);
  }

  /**
   * Resolves once the subscription is live (for Redis, once SUBSCRIBE was answered).
   * onMessage gets each payload of a packed message in turn.
   */
  async subscribe(trigger: string, onMessage: OnMessage, opts: IteratorOptions = {}): Promise<number> {
    const deliver: OnMessage = (message) => {
      for (const payload of unpacked(message)) onMessage(payload);
    };
    const transportId = trigger === RESUBSCRIBED_TRIGGER ? undefined : await this.transport.subscribe(trigger, deliver, {});
    const id = ++this.lastId;
    this.live.set(id, { trigger, onMessage, transportId, counted: !opts.uncounted });
    return id;
  }

  unsubscribe(id: number): void {
    const sub = this.live.get(id);
    if (!sub) return;
    this.live.delete(id);
    if (sub.transportId !== undefined) this.transport.unsubscribe(sub.transportId);
  }

  /**
   * Resolves once a subscription to the channel, started before this call, is live.
   * RedisPubSub SUBSCRIBEs a channel once per connection and answers every subscriber
   * that joins while it is under way with that SUBSCRIBE's reply (at once when the
   * channel is live already); the in-process PubSub subscribes synchronously. So a
   * second subscription to the same channel is live no earlier than the first.
   */
  async untilLive(channel: string): Promise<void> {
    this.transport.unsubscribe(await this.transport.subscribe(channel, () => undefined, {}));
  }

  /** Live subscriptions of a channel in this process, but for uncounted ones. */
  count(trigger: string): number {
    let n = 0;
    for (const sub of this.live.values()) if (sub.trigger === trigger && sub.counted) n++;
    return n;
  }

  /** Hands RESUBSCRIBED to every iterator subscribed to RESUBSCRIBED_TRIGGER. */
  resubscribed(): void {
    for (const sub of this.live.values()) if (sub.trigger === RESUBSCRIBED_TRIGGER) sub.onMessage(RESUBSCRIBED);
  }
}
