/**
 * The publishing side of the Redis bus against a Redis of the test's own: a batch of
 * wake-ups goes in one socket write and arrives in order; a publish does not wait for a
 * stuck Redis (SIGSTOP), and what was written is logged as dropped once its command
 * timeout has passed. Over Redis, the bus packs the payloads of one publishAll into few
 * messages and every listener gets them one by one, in order.
 */
import Redis from 'ioredis';
import { publisherConnection, RedisPublisher } from '../../src/platform/pubsub/redis-publisher';
import { EventBus } from '../../src/platform/pubsub/event-bus';
import { defineTopic } from '../../src/platform/pubsub/topic';
import { createLogger, type Logger } from '../../src/platform/logger';
import { OwnRedis } from './helpers/own-redis';
import { eventually } from '../helpers/graphql-client';

const TIMEOUT_MS = 300;

/** The app's logger, its lines kept as parsed JSON. */
function capture(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: createLogger('warn', {}, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) }), lines };
}

describe('RedisPublisher', () => {
  let redis: OwnRedis;
  let publisher: Redis;
  let listener: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    publisher = publisherConnection(redis.url, TIMEOUT_MS);
    listener = new Redis(redis.url, { lazyConnect: true });
    await Promise.all([publisher.connect(), listener.connect()]);
  });

  afterAll(async () => {
    redis.resume();
    publisher.disconnect();
    listener.disconnect();
    await redis.stop();
  });

  it('sends a batch of 100 messages in one socket write, in order', async () => {
    const got: string[] = [];
    await listener.subscribe('lg:test:batch');
    listener.on('message', (_channel, message) => got.push(message));
    const { logger, lines } = capture();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    const write = jest.spyOn(publisher.stream, 'write');
    const messages = Array.from({ length: 100 }, (_, i) => ({ channel: 'lg:test:batch', message: `m${i}` }));
    await sender.send(messages);
    expect(write).toHaveBeenCalledTimes(1);
    write.mockRestore();
    await eventually(async () => got.length === 100, 5_000, 'all 100 messages');
    expect(got).toEqual(messages.map((m) => m.message));
    expect(lines).toEqual([]);
  });

  it('a publish does not wait for a stuck Redis; the messages written are logged as dropped after the command timeout', async () => {
    const { logger, lines } = capture();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    redis.pause();
    try {
      const t0 = performance.now();
      await sender.send(Array.from({ length: 50 }, (_, i) => ({ channel: 'lg:test:stuck', message: `s${i}` })));
      // Written, not answered: the send is back long before the command timeout.
      expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS / 2);
      expect(lines).toEqual([]);
      await eventually(async () => lines.length > 0, 5_000, 'the drop to be logged');
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/wake-ups dropped/), dropped: 50 });
    } finally {
      redis.resume();
    }
  });

  it('a confirmed publish waits for the replies: a stuck Redis costs it the command timeout, never more', async () => {
    const { logger, lines } = capture();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    redis.pause();
    try {
      const t0 = performance.now();
      await sender.send(
        Array.from({ length: 20 }, (_, i) => ({ channel: 'lg:test:confirmed', message: `c${i}` })),
        { confirmed: true },
      );
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/wake-ups dropped/), dropped: 20 });
    } finally {
      redis.resume();
    }
  });
});

describe('EventBus over Redis', () => {
  const TICK = defineTopic<{ n: number; customerId: string }>('TICK');
  let redis: OwnRedis;
  let sender: EventBus;
  let receiver: EventBus;
  let raw: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    const opts = { commandTimeoutMs: 1_000, publishBuffer: 10_000 };
    [sender, receiver] = await Promise.all([EventBus.redis(redis.url, 'lgpack', capture().logger, opts), EventBus.redis(redis.url, 'lgpack', capture().logger, opts)]);
    raw = new Redis(redis.url);
  });

  afterAll(async () => {
    await Promise.all([sender.close(), receiver.close()]);
    raw.disconnect();
    await redis.stop();
  });

  it('a publishAll of 1,200 payloads is 3 Redis messages, and another instance hands them on one by one, in order', async () => {
    const messages: string[] = [];
    await raw.subscribe(sender.channel(TICK));
    raw.on('message', (_channel, message) => messages.push(message));
    const got: { n: number; customerId: string }[] = [];
    const stop = await receiver.listen(TICK, (p) => void got.push(p));
    const payloads = Array.from({ length: 1_200 }, (_, n) => ({ n, customerId: `c${n % 7}` }));
    await sender.publishAll(TICK, payloads);
    await sender.publish(TICK, { n: 1_200, customerId: 'single' });
    await eventually(async () => got.length === 1_201, 5_000, 'all 1,201 payloads');
    expect(got).toEqual([...payloads, { n: 1_200, customerId: 'single' }]);
    // 500 + 500 + 200 packed, then the single payload as itself (what RedisPubSub alone would send).
    await eventually(async () => messages.length === 4, 5_000, 'the 4 Redis messages');
    expect(messages.slice(0, 3).map((m) => (JSON.parse(m) as Record<string, unknown[]>)['lineguard:packed'].length)).toEqual([500, 500, 200]);
    expect(JSON.parse(messages[3])).toEqual({ n: 1_200, customerId: 'single' });
    stop();
  });

  it('a filtered stream of another instance yields only its customer\'s payloads of a packed message', async () => {
    const mine = await receiver.stream(TICK, (p) => p.customerId === 'c3');
    const first = mine.next();
    await receiver.listen(TICK, () => undefined); // live once this later subscription is
    await sender.publishAll(TICK, Array.from({ length: 20 }, (_, n) => ({ n, customerId: `c${n % 7}` })));
    expect((await first).value).toEqual({ n: 3, customerId: 'c3' });
    expect((await mine.next()).value).toEqual({ n: 10, customerId: 'c3' });
    expect((await mine.next()).value).toEqual({ n: 17, customerId: 'c3' });
    await mine.return!();
  });
});
