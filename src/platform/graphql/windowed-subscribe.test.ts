import DataLoader from 'dataloader';
import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { MAX_WINDOW, windowedSubscribe } from './windowed-subscribe';

/** A feed whose events are pushed by the test; a burst is pushed in one go. */
class Feed {
  private queue: number[] = [];
  private waiting: ((r: IteratorResult<number>) => void) | undefined;
  closed = false;

  push(...values: number[]): void {
    this.queue.push(...values);
    this.wake();
  }

  private wake(): void {
    if (!this.waiting) return;
    if (this.closed) return this.waiting({ value: undefined, done: true });
    if (!this.queue.length) return;
    const w = this.waiting;
    this.waiting = undefined;
    w({ value: this.queue.shift()!, done: false });
  }

  iterator(): AsyncIterableIterator<number> {
    const it: AsyncIterableIterator<number> = {
      [Symbol.asyncIterator]: () => it,
      next: () =>
        new Promise((resolve) => {
          if (this.closed) return resolve({ value: undefined, done: true });
          if (this.queue.length) return resolve({ value: this.queue.shift()!, done: false });
          this.waiting = resolve;
        }),
      return: async () => {
        this.closed = true;
        this.wake();
        return { value: undefined, done: true };
      },
    };
    return it;
  }
}

class Ctx {
  batches: number[][] = [];
  resets = 0;
  private loader: DataLoader<number, string> | undefined;
  name(id: number): Promise<string> {
    this.loader ??= new DataLoader(async (ids) => {
      this.batches.push([...ids]);
      return ids.map((i) => `n${i}`);
    });
    return this.loader.load(id);
  }
  resetLoaders(): void {
    this.resets++;
    this.loader = undefined;
  }
}

function schemaFor(feed: Feed): GraphQLSchema {
  const Event = new GraphQLObjectType<number, Ctx>({
    name: 'Event',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLInt), resolve: (n) => n },
      name: { type: GraphQLString, resolve: (n, _a, ctx) => ctx.name(n) },
      bad: { type: GraphQLString, resolve: (n) => (n === 3 ? Promise.reject(new Error('three')) : 'ok') },
    },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: new GraphQLList(GraphQLInt) } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { events: { type: new GraphQLNonNull(Event), subscribe: () => feed.iterator(), resolve: (n: number) => n } },
    }),
  });
}

async function open(feed: Feed, ctx: Ctx, query = 'subscription { events { id name } }') {
  const r = await windowedSubscribe({ schema: schemaFor(feed), document: parse(query), contextValue: ctx });
  if (!(Symbol.asyncIterator in r)) throw new Error(JSON.stringify(r));
  return r as AsyncIterableIterator<ExecutionResult>;
}

async function take(it: AsyncIterableIterator<ExecutionResult>, n: number): Promise<ExecutionResult[]> {
  const out: ExecutionResult[] = [];
  for (let i = 0; i < n; i++) out.push((await it.next()).value as ExecutionResult);
  return out;
}

describe('windowedSubscribe', () => {
  it('executes a burst together (one batch per window), in order, and a later event alone', async () => {
    const feed = new Feed();
    const ctx = new Ctx();
    const it = await open(feed, ctx);
    feed.push(...Array.from({ length: 450 }, (_, i) => i + 1));
    const got = await take(it, 450);
    expect(got.map((r) => (r.data as { events: { id: number } }).events.id)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(got[0].data).toEqual({ events: { id: 1, name: 'n1' } });
    // 450 events: windows of MAX_WINDOW, MAX_WINDOW and the rest; one lookup batch each.
    expect(ctx.batches.map((b) => b.length)).toEqual([MAX_WINDOW, MAX_WINDOW, 450 - 2 * MAX_WINDOW]);
    feed.push(1000);
    expect((await it.next()).value).toEqual({ data: { events: { id: 1000, name: 'n1000' } } });
    // Loaders are reset per window, so a later event reads afresh.
    expect(ctx.resets).toBe(4);
    expect(ctx.batches.at(-1)).toEqual([1000]);
  });

  it('keeps an error to its own event', async () => {
    const feed = new Feed();
    const it = await open(feed, new Ctx(), 'subscription { events { id bad } }');
    feed.push(2, 3, 4);
    const got = await take(it, 3);
    expect(got.map((r) => r.errors?.map((e) => e.message) ?? [])).toEqual([[], ['three'], []]);
    expect(got[2].data).toEqual({ events: { id: 4, bad: 'ok' } });
  });

  it('return() on a quiet feed ends the source and the waiting next()', async () => {
    const feed = new Feed();
    const it = await open(feed, new Ctx());
    const waiting = it.next();
    await new Promise((r) => setImmediate(r));
    await it.return!();
    expect(feed.closed).toBe(true);
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
  });
});
