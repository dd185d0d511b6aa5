/**
 * The publishing side of the Redis bus against a Redis of the test's own: a batch of
 * wake-ups goes in one socket write and arrives in order; a stuck Redis (SIGSTOP) costs
 * a publish its command timeout, never more, and what was written is logged as dropped.
 */
import Redis from 'ioredis';
import { RedisPublisher } from '../../src/platform/pubsub/redis-publisher';
import type { Logger, LogFields } from '../../src/platform/logger';
import { OwnRedis } from './helpers/own-redis';
import { eventually } from '../helpers/graphql-client';

const TIMEOUT_MS = 300;

function recordingLogger(): Logger & { warnings: { msg: string; fields?: LogFields }[] } {
  const warnings: { msg: string; fields?: LogFields }[] = [];
  const logger = {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (msg: string, fields?: LogFields) => void warnings.push({ msg, fields }),
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('RedisPublisher', () => {
  let redis: OwnRedis;
  let publisher: Redis;
  let listener: Redis;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    publisher = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, commandTimeout: TIMEOUT_MS, autoResendUnfulfilledCommands: false });
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
    const logger = recordingLogger();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    const write = jest.spyOn(publisher.stream, 'write');
    const messages = Array.from({ length: 100 }, (_, i) => ({ channel: 'lg:test:batch', message: `m${i}` }));
    await sender.send(messages);
    expect(write).toHaveBeenCalledTimes(1);
    write.mockRestore();
    await eventually(async () => got.length === 100, 5_000, 'all 100 messages');
    expect(got).toEqual(messages.map((m) => m.message));
    expect(logger.warnings).toEqual([]);
  });

  it('a stuck Redis costs a publish its command timeout, and the messages written are logged as dropped', async () => {
    const logger = recordingLogger();
    const sender = new RedisPublisher(publisher, 1_000, logger);
    redis.pause();
    try {
      const t0 = performance.now();
      await sender.send(Array.from({ length: 50 }, (_, i) => ({ channel: 'lg:test:stuck', message: `s${i}` })));
      const ms = performance.now() - t0;
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0].msg).toMatch(/wake-ups dropped/);
      expect(logger.warnings[0].fields?.dropped).toBe(50);
    } finally {
      redis.resume();
    }
  });
});
