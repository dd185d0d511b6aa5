import { PubSub } from 'graphql-subscriptions';
import { BusEngine, RESUBSCRIBED, RESUBSCRIBED_TRIGGER } from './bus-engine';
import { EventBus } from './event-bus';
import { defineTopic } from './topic';

const PING = defineTopic<{ n: number; customerId: string }>('PING');
const done = { value: undefined, done: true };

describe('EventBus (in-process)', () => {
  it('a cursor stream is live once it resolves: a message published right after arrives', async () => {
    const bus = EventBus.inProcess('t');
    const live = await bus.cursorStream(PING);
    await bus.publish(PING, { n: 1, customerId: 'a' });
    expect(await live.next()).toEqual({ value: { n: 1, customerId: 'a' }, done: false });
    await live.return!();
  });

  it('listenerCount leaves out cursor streams (shared readers) and counts the followers they report', async () => {
    const bus = EventBus.inProcess('t');
    const live = await bus.cursorStream(PING);
    expect(bus.listenerCount(PING)).toBe(0);
    let followers = 2;
    const stopCounting = bus.countFollowers(PING, () => followers);
    expect(bus.listenerCount(PING)).toBe(2);
    followers = 3;
    expect(bus.listenerCount(PING)).toBe(3);
    stopCounting();
    expect(bus.listenerCount(PING)).toBe(0);
    await live.return!();
  });

  it('return() ends a pending next(), and a next() after it, and releases the subscription', async () => {
    const bus = EventBus.inProcess('t');
    const stream = await bus.stream(PING);
    const pending = stream.next();
    await bus.listen(PING, () => undefined); // live once this later subscription is
    expect(bus.listenerCount(PING)).toBe(2);
    await stream.return!();
    await expect(pending).resolves.toEqual(done);
    await expect(stream.next()).resolves.toEqual(done);
    expect(bus.listenerCount(PING)).toBe(1);
  });

  it('a filtered stream yields only what passes, in order', async () => {
    const bus = EventBus.inProcess('t');
    const mine = await bus.stream(PING, (p) => p.customerId === 'a');
    const first = mine.next();
    await bus.listen(PING, () => undefined); // live once this later subscription is
    await bus.publishAll(PING, [
      { n: 1, customerId: 'b' },
      { n: 2, customerId: 'a' },
      { n: 3, customerId: 'a' },
    ]);
    expect((await first).value).toEqual({ n: 2, customerId: 'a' });
    expect((await mine.next()).value).toEqual({ n: 3, customerId: 'a' });
    await mine.return!();
  });
});

describe('BusEngine', () => {
  it('hands RESUBSCRIBED only to the iterators that subscribed to it', async () => {
    const engine = new BusEngine(new PubSub());
    const cursor = engine.iterator<unknown>(['t:PING', RESUBSCRIBED_TRIGGER]);
    const plain = engine.iterator<unknown>('t:PING');
    const [c, p] = [cursor.next(), plain.next()];
    await engine.untilLive('t:PING');
    expect(engine.count('t:PING')).toBe(2);
    engine.resubscribed();
    expect(await c).toEqual({ value: RESUBSCRIBED, done: false });
    await engine.publish('t:PING', 'x');
    expect(await p).toEqual({ value: 'x', done: false });
    await Promise.all([cursor.return(), plain.return()]);
    expect(engine.count('t:PING')).toBe(0);
  });
});
