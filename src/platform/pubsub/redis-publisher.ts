/**
 * The publishing side of the Redis bus. Publishes run after COMMIT, on the way to a
 * response, so they never wait for Redis: a send writes its messages and returns without
 * waiting for the replies (a round trip of every CDR batch's answer, ~0.6 ms of a
 * 1,000-record batch on one feed); the connection has no offline queue (a command to a
 * Redis that is down fails at once instead of waiting for it to return), every command
 * has a timeout, and messages published while Redis is unreachable are held here, in
 * order and bounded, and sent when the connection is ready again.
 *
 * A message is written at most once. One that was written but failed (timeout, connection
 * lost in flight) may or may not have reached Redis: it is logged as dropped, not resent.
 * Dropping is safe for correctness because Redis only wakes subscribers up: the rows are
 * in PostgreSQL, and cursor feeds (alertEvents/alertTriggered with `after:`) read them
 * from there.
 */
import Redis from 'ioredis';
import type { Logger } from '../logger';

export interface Message {
  channel: string;
  message: string;
}

/**
 * The publishing connection (not connected yet: lazyConnect). No offline queue and a
 * command timeout, so neither a publish after commit nor /readyz waits for a Redis that
 * is down or stuck (RedisPublisher holds the messages instead); unanswered commands are
 * not resent after a reconnect.
 */
export function publisherConnection(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableReadyCheck: true,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    autoResendUnfulfilledCommands: false,
  });
}

export interface SendOptions {
  /**
   * Wait for Redis's replies (at most the command timeout): once Redis answered a PUBLISH
   * it has handed the message to every subscribed connection. For notices whose lateness
   * matters more than a round trip (a key revoked), not for the CDR path's wake-ups.
   * While Redis is unreachable the messages are held like any others and nothing waits.
   */
  confirmed?: boolean;
}

/** Messages per write while draining held messages (one round trip each). */
const FLUSH_BATCH = 1_000;

export class RedisPublisher {
  private readonly held: Message[] = [];
  /** Held messages dropped because the buffer was full, since the last report. */
  private overflowed = 0;
  private flushing = false;

  constructor(
    private readonly redis: Redis,
    /** Most messages held while Redis is unreachable; the oldest go first when full. */
    private readonly limit: number,
    private readonly logger: Logger,
  ) {
    redis.on('ready', () => void this.flush());
  }

  /**
   * Writes the messages in order, in one write, and returns: the replies are awaited in
   * the background, and a failed or timed-out one is logged as dropped when it comes.
   * Messages go out on one connection in the order sent, so subscribers see publish
   * order. Never rejects, and unless `confirmed` never waits, also not for a stuck Redis:
   * its commands time out, each after commandTimeout, while requests go on (at most the
   * messages of that long are in flight).
   */
  async send(messages: readonly Message[], opts: SendOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    // Behind held messages, new ones wait their turn.
    if (this.redis.status !== 'ready' || this.held.length > 0) {
      this.hold(messages);
      return;
    }
    const written = this.write(messages);
    if (opts.confirmed) await written;
  }

  /** Messages waiting for Redis (tests and logs). */
  get heldCount(): number {
    return this.held.length;
  }

  /** Reports messages still held at shutdown (they are lost with the process). */
  close(): void {
    if (this.held.length || this.overflowed) {
      this.logger.warn('redis wake-ups dropped at shutdown', { held: this.held.length, overflowed: this.overflowed });
    }
  }

  private async write(messages: readonly Message[]): Promise<void> {
    // One pipeline: the lot goes in one socket write (and Redis reads it in one). Written
    // one command at a time, a CDR batch charging 100 customers made 100 write syscalls.
    // Each command keeps its timeout.
    let dropped = 0;
    let first: unknown;
    try {
      const replies = (await this.redis.pipeline(messages.map((m) => ['publish', m.channel, m.message])).exec()) ?? [];
      for (const [err] of replies) {
        if (err) {
          dropped++;
          first ??= err;
        }
      }
    } catch (err) {
      dropped = messages.length;
      first = err;
    }
    if (dropped) {
      this.logger.warn('redis publish failed: wake-ups dropped (subscribers with a cursor catch up from PostgreSQL)', { dropped, err: first });
    }
  }

  private hold(messages: readonly Message[]): void {
    if (this.held.length === 0 && !this.overflowed) {
      this.logger.warn('redis unreachable: holding wake-ups until it is back', { limit: this.limit, status: this.redis.status });
    }
    this.held.push(...messages);
    const excess = this.held.length - this.limit;
    if (excess > 0) {
      if (this.overflowed === 0) this.logger.warn('redis wake-up buffer full: dropping the oldest', { limit: this.limit });
      this.held.splice(0, excess);
      this.overflowed += excess;
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      let sent = 0;
      while (this.held.length && this.redis.status === 'ready') {
        const batch = this.held.splice(0, FLUSH_BATCH);
        sent += batch.length;
        await this.write(batch);
      }
      if (sent || this.overflowed) {
        this.logger.warn('redis back: held wake-ups sent', { sent, stillHeld: this.held.length, droppedWhenFull: this.overflowed });
        this.overflowed = 0;
      }
    } finally {
      this.flushing = false;
    }
  }
}
