/**
 * The publishing side of the Redis bus against a Redis of the test's own: a batch of
 * wake-ups goes in one socket write and arrives in order; a stuck Redis (SIGSTOP) costs
 * a publish its command timeout, never more, and what was written is logged as dropped.
 */
import Redis from 'ioredis';
import { publisherConnection, RedisPublisher } from '../../src/platform/pubsub/redis-publisher';
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

  it('a stuck Redis costs a publish its command timeout, and the messages written are logged as dropped', async () => {
    const { logger, lines } = capture();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    redis.pause();
    try {
      const t0 = performance.now();
      await sender.send(Array.from({ length: 50 }, (_, i) => ({ channel: 'lg:test:stuck', message: `s${i}` })));
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/wake-ups dropped/), dropped: 50 });
    } finally {
      redis.resume();
    }
  });
});
