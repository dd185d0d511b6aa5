import { EventBus } from './event-bus';
import { SharedFeed, type FeedLog, type FollowerScope } from './shared-feed';
import { defineTopic } from './topic';

const WAKE = defineTopic<{ n: number }>('WAKE');
const OPTIONS = { pageSize: 10, maxHeld: 100, waitingPollMs: { first: 5, max: 50 }, retryMs: 50 };

/** A log of numbered rows in memory; head() waits until `headGate` opens, as a slow query would. */
function memoryLog() {
  const rows: { n: number }[] = [];
  let openHead!: () => void;
  const headGate = new Promise<void>((resolve) => (openHead = resolve));
  const log: FeedLog<{ n: number }, number, { n: number }> = {
    topic: WAKE,
    head: async () => {
      await headGate;
      return rows.length ? rows[rows.length - 1].n : 0;
    },
    readAfter: async (after, limit) => ({ rows: rows.filter((r) => r.n > after).slice(0, limit), waiting: false }),
    positionOf: (r) => r.n,
    compare: (a, b) => a - b,
  };
  return { rows, log, openHead };
}

const everything: FollowerScope<{ n: number }, number> = { matches: () => true, readOwn: async () => [] };

describe('SharedFeed', () => {
  it('counts a follower as a listener only once it has its start: a row written after the count says so is delivered', async () => {
    const bus = EventBus.inProcess('t');
    const { rows, log, openHead } = memoryLog();
    const feed = new SharedFeed(bus, log, OPTIONS);
    const following = feed.follow(null, everything);
    // The reader's stream is live, its head not read yet: nobody may publish on the count now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bus.listenerCount(WAKE)).toBe(0);
    openHead();
    const follower = await following;
    expect(bus.listenerCount(WAKE)).toBe(1);
    rows.push({ n: 1 });
    await bus.publish(WAKE, { n: 1 });
    expect(await follower.next()).toEqual({ value: { n: 1 }, done: false });
    await follower.return!();
    expect(bus.listenerCount(WAKE)).toBe(0);
  });

  it('a follower without a cursor joining a running reader gets the rows read after it joined, none before', async () => {
    const bus = EventBus.inProcess('t');
    const { rows, log, openHead } = memoryLog();
    openHead();
    const feed = new SharedFeed(bus, log, OPTIONS);
    const first = await feed.follow(null, everything);
    rows.push({ n: 1 });
    await bus.publish(WAKE, { n: 1 });
    expect((await first.next()).value).toEqual({ n: 1 });
    const second = await feed.follow(null, everything);
    rows.push({ n: 2 });
    await bus.publish(WAKE, { n: 2 });
    expect((await first.next()).value).toEqual({ n: 2 });
    expect((await second.next()).value).toEqual({ n: 2 });
    await Promise.all([first.return!(), second.return!()]);
  });
});
