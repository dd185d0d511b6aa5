/**
 * graphql-js's `subscribe`, executing bursts together. graphql-js executes a subscription's
 * events one at a time, each after the previous one was sent, so a burst (a catch-up page
 * after a reconnect, one CDR batch that opened 1,000 incidents) ran every nested lookup
 * once per event: 4,000 queries for 1,000 incidents on the NOC board (measured: 15.6 s until
 * the board had them all). Here the events already waiting are read ahead, without waiting
 * for more, executed concurrently so their DataLoaders batch (one query per lookup per
 * window), and sent in order. A quiet feed is unchanged: a window of one.
 *
 * A subscription keeps one context for its lifetime; its loaders are reset per window, so
 * nested fields read rows as they are when the window executes, never as at an older event.
 *
 * A shared feed's event is executed once per selection, variables and scope on the
 * instance, and its result shared by the subscribers that ask alike (shared-execution.ts).
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isSharedEvent } from '../pubsub/shared-feed';
import { executeShared, executionKey } from './shared-execution';

/** Most events executed together (bounds the memory of one window). */
export const MAX_WINDOW = 200;

interface ResettableContext {
  resetLoaders?(): void;
}

const NOT_YET = Symbol('not yet');
/** Resolves after pending I/O callbacks: a value a generator already holds resolves before it. */
const nextTurn = () => new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)));

export async function windowedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  return new WindowedResults(args, (source as AsyncIterable<unknown>)[Symbol.asyncIterator]());
}

class WindowedResults implements AsyncIterableIterator<ExecutionResult> {
  private ready: ExecutionResult[] = [];
  /** A next() of the source not yet answered when a window closed: the following window starts with it. */
  private pending: Promise<IteratorResult<unknown>> | undefined;
  private done = false;
  /** The key under which results of shared events are shared (null: executed per subscriber). */
  private readonly shareKey: string | null;

  constructor(
    private readonly args: ExecutionArgs,
    private readonly source: AsyncIterator<unknown>,
  ) {
    this.shareKey = executionKey(args);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ready.length) return { value: this.ready.shift()!, done: false };
    if (this.done) return { value: undefined, done: true };
    const window = await this.readWindow();
    if (!window.length) {
      this.done = true;
      return { value: undefined, done: true };
    }
    (this.args.contextValue as ResettableContext | undefined)?.resetLoaders?.();
    this.ready = await Promise.all(window.map((event) => this.execute(event)));
    return { value: this.ready.shift()!, done: false };
  }

  private execute(event: unknown): ExecutionResult | Promise<ExecutionResult> {
    const run = () => execute({ ...this.args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>;
    return this.shareKey !== null && isSharedEvent(event) ? executeShared(event as object, this.shareKey, run) : run();
  }

  /** Ends the source first: that wakes a next() waiting on a quiet feed (it then reports done). */
  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    this.ready = [];
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    if (this.source.throw) await this.source.throw(error);
    throw error;
  }

  /** The first event (waiting for it), then every one already available, up to MAX_WINDOW. */
  private async readWindow(): Promise<unknown[]> {
    const first = await (this.pending ?? this.source.next());
    this.pending = undefined;
    if (first.done) return [];
    const window = [first.value];
    while (window.length < MAX_WINDOW) {
      const next = this.source.next();
      const got = await Promise.race([next, nextTurn()]);
      if (got === NOT_YET) {
        this.pending = next;
        break;
      }
      if (got.done) {
        this.pending = next;
        break;
      }
      window.push(got.value);
    }
    return window;
  }
}
