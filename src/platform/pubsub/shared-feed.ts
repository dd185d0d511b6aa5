/**
 * One reader per instance of an ordered, stored log (alert events, ledger entries) shared
 * by every live subscriber of that log on the instance. Redis (the bus) only wakes the
 * reader; it reads the new rows ONCE, in pages, from where it stands, and hands each row
 * to every follower whose scope matches. Without it each subscriber ran its own query per
 * event: 1,000 screens at 20 events/s were 20,000 queries/s.
 *
 * A follower that resumes from an older cursor catches up on its own, in bounded pages
 * of its own (scoped) query, up to the position the shared reader had when the follower
 * registered; rows the reader hands over meanwhile are held and sent after the catch-up.
 * Every row is sent to a follower only when its position is above the last one it sent,
 * so a follower sees each row once, in the log's order, with no gap.
 *
 * Rows handed to followers are the same objects for all of them, marked as shared
 * (isSharedEvent), so the executor can execute and serialize a row once per selection.
 */
import type { Logger } from '../logger';
import { RESUBSCRIBED, type EventBus } from './event-bus';
import type { Topic } from './topic';

/** The stored log a shared feed reads. Positions are opaque to the feed but for `compare`. */
export interface FeedLog<Row extends object, Pos, Wake> {
  readonly topic: Topic<Wake>;
  /** Where the log stands now: a follower without a cursor gets the rows after it. */
  head(): Promise<Pos>;
  /**
   * Up to `limit` rows after `after`, in order, of every scope. `waiting`: rows after the
   * last one returned are committed but not readable yet (ledger: not settled), so the
   * reader looks again shortly even without a wake-up.
   */
  readAfter(after: Pos, limit: number): Promise<{ rows: Row[]; waiting: boolean }>;
  positionOf(row: Row): Pos;
  compare(a: Pos, b: Pos): number;
  /** Whether a wake-up may announce a row after `pos` (a cheap skip of wake-ups already read). */
  mayBeAfter?(wake: Wake, pos: Pos): boolean;
}

/** One subscriber's view: its scope, checked on every row, and its own catch-up query. */
export interface FollowerScope<Row, Pos> {
  /** The subscriber's filter and authorization, re-checked for every row. */
  matches(row: Row): boolean;
  /** Up to `limit` of the subscriber's rows after `after`, in order (its scoped SQL). */
  readOwn(after: Pos, limit: number): Promise<Row[]>;
}

export interface SharedFeedOptions {
  /** Rows per read (shared reads and catch-up pages alike). */
  pageSize: number;
  /** Rows held for a follower while it catches up before it re-targets its catch-up (bounds memory). */
  maxHeld: number;
  /** First and longest wait before reading again while rows wait to become readable, ms. */
  waitingPollMs: { first: number; max: number };
  /** Wait before reading again after a failed read, ms. */
  retryMs: number;
}

const sharedRows = new WeakSet<object>();

/** Whether a subscription event is a shared feed's row (the same object for every subscriber). */
export function isSharedEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && sharedRows.has(event);
}

export class SharedFeed<Row extends object, Pos, Wake> {
  private reader: Reader<Row, Pos, Wake> | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly log: FeedLog<Row, Pos, Wake>,
    private readonly opts: SharedFeedOptions,
    private readonly logger?: Logger,
  ) {}

  /**
   * A subscriber's rows after `after` (after the log's head when null), then live. Resolves
   * once live: a row committed after this resolves is delivered.
   */
  async follow(after: Pos | null, scope: FollowerScope<Row, Pos>): Promise<AsyncIterableIterator<Row>> {
    for (;;) {
      const reader = (this.reader ??= new Reader(this.bus, this.log, this.opts, this.logger, () => {
        if (this.reader === reader) this.reader = undefined;
      }));
      const position = await reader.started;
      // The reader may have stopped (its last follower left) while this one waited for it.
      if (this.reader !== reader || reader.stopped) continue;
      const follower = new Follower<Row, Pos>(reader, this.log, scope, this.opts, after ?? position);
      reader.add(follower);
      if (after !== null && this.log.compare(after, reader.position) < 0) follower.catchUp();
      return follower;
    }
  }

  /** Followers of this feed on this instance (tests wait on it before producing). */
  get followerCount(): number {
    return this.reader?.followers.size ?? 0;
  }
}

class Reader<Row extends object, Pos, Wake> {
  readonly followers = new Set<Follower<Row, Pos>>();
  readonly started: Promise<Pos>;
  position!: Pos;
  stopped = false;
  private live: AsyncIterableIterator<Wake | typeof RESUBSCRIBED> | undefined;
  private reading = false;
  private again = false;
  private poll = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopFollowerCount: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly log: FeedLog<Row, Pos, Wake>,
    private readonly opts: SharedFeedOptions,
    private readonly logger: Logger | undefined,
    private readonly onStop: () => void,
  ) {
    this.started = this.start();
    this.started.catch(() => this.stop());
  }

  /** Live first, then the head: a row committed in between is after the head, read on the first wake-up. */
  private async start(): Promise<Pos> {
    this.live = await this.bus.cursorStream(this.log.topic);
    this.stopFollowerCount = this.bus.countFollowers(this.log.topic, () => this.followers.size);
    this.position = await this.log.head();
    void this.listen(this.live);
    return this.position;
  }

  add(f: Follower<Row, Pos>): void {
    this.followers.add(f);
  }

  remove(f: Follower<Row, Pos>): void {
    this.followers.delete(f);
    if (this.followers.size === 0) this.stop();
  }

  private async listen(live: AsyncIterableIterator<Wake | typeof RESUBSCRIBED>): Promise<void> {
    try {
      for await (const wake of live) {
        // After a Redis outage the wake-ups of its rows may be lost: read regardless.
        if (wake !== RESUBSCRIBED && this.log.mayBeAfter && !this.log.mayBeAfter(wake, this.position)) continue;
        this.wake();
      }
    } catch (err) {
      this.logger?.warn('shared feed: wake-up stream failed', { topic: this.log.topic.name, err });
      this.failAll(err);
    }
  }

  /** Reads until the log has nothing more; a wake-up during a read makes it read once more. */
  private wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.readAll().finally(() => {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async readAll(): Promise<void> {
    clearTimeout(this.timer);
    let waiting: boolean;
    try {
      for (;;) {
        const page = await this.log.readAfter(this.position, this.opts.pageSize);
        if (this.stopped) return;
        for (const row of page.rows) {
          sharedRows.add(row);
          this.position = this.log.positionOf(row);
          for (const f of this.followers) f.offer(row);
        }
        waiting = page.waiting;
        if (page.rows.length < this.opts.pageSize || waiting) break;
      }
    } catch (err) {
      this.logger?.warn('shared feed: read failed, retrying', { topic: this.log.topic.name, err });
      this.timer = setTimeout(() => this.wake(), this.opts.retryMs);
      return;
    }
    // While rows wait to become readable, look again soon, backing off.
    const { first, max } = this.opts.waitingPollMs;
    this.poll = !waiting ? 0 : this.poll ? Math.min(this.poll * 2, max) : first;
    if (this.poll) this.timer = setTimeout(() => this.wake(), this.poll);
  }

  private failAll(err: unknown): void {
    for (const f of this.followers) f.fail(err);
    this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopFollowerCount?.();
    this.onStop();
    void this.live?.return?.();
  }
}

class Follower<Row extends object, Pos> implements AsyncIterableIterator<Row> {
  private readonly queue: Row[] = [];
  private waiter: { resolve: (r: IteratorResult<Row>) => void; reject: (err: unknown) => void } | undefined;
  private failure: { err: unknown } | undefined;
  private done = false;
  /** While catching up: rows the reader handed over (all after `target`), sent once the catch-up reaches it. */
  private held: Row[] | undefined;
  private target: Pos | undefined;

  constructor(
    private readonly reader: Reader<Row, Pos, unknown>,
    private readonly log: FeedLog<Row, Pos, unknown>,
    private readonly scope: FollowerScope<Row, Pos>,
    private readonly opts: SharedFeedOptions,
    /** The position of the last row sent (or the start). */
    private last: Pos,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<Row> {
    return this;
  }

  /** A row read by the shared reader (in order). */
  offer(row: Row): void {
    if (this.done || !this.scope.matches(row)) return;
    if (this.held) {
      this.held.push(row);
      return;
    }
    this.send(row);
  }

  /**
   * Reads the follower's own rows after `last` up to the reader's position at this call,
   * then sends what the reader handed over meanwhile. Rows up to that position were read
   * by the reader, so they are committed and visible to every later query.
   */
  catchUp(): void {
    this.held = [];
    this.target = this.reader.position;
    void this.runCatchUp().catch((err: unknown) => this.fail(err));
  }

  private async runCatchUp(): Promise<void> {
    const { compare } = this.log;
    let from = this.last;
    for (;;) {
      const rows = await this.scope.readOwn(from, this.opts.pageSize);
      if (this.done) return;
      let reached = rows.length < this.opts.pageSize;
      for (const row of rows) {
        const pos = this.log.positionOf(row);
        if (compare(pos, this.target!) > 0) {
          reached = true;
          break;
        }
        from = pos;
        if (this.scope.matches(row)) this.send(row);
      }
      if (reached) break;
      // Far behind on a busy log: drop what was held and catch up further instead.
      if (this.held!.length > this.opts.maxHeld) {
        this.held = [];
        this.target = this.reader.position;
      }
    }
    const held = this.held!;
    this.held = undefined;
    this.last = this.target!;
    for (const row of held) this.send(row);
  }

  private send(row: Row): void {
    const pos = this.log.positionOf(row);
    if (this.log.compare(pos, this.last) <= 0) return;
    this.last = pos;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: row, done: false });
    } else {
      this.queue.push(row);
    }
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.failure = { err };
    if (this.waiter) {
      // A waiting next() rejects: graphql-ws sends the error to the client.
      const w = this.waiter;
      this.waiter = undefined;
      this.failure = undefined;
      this.end();
      w.reject(err);
    }
  }

  next(): Promise<IteratorResult<Row>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const { err } = this.failure;
      this.failure = undefined;
      this.end();
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  return(): Promise<IteratorResult<Row>> {
    this.end();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.held = undefined;
    this.reader.remove(this);
  }
}
