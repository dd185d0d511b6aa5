/**
 * Per-key rate limits with per-role budgets (RATE_LIMIT_*): requests per second (every
 * HTTP request, graphql-ws connection and subscribe message) and CDRs per second (records
 * of submitCdrs, charged before the batch is processed). Fixed one-second windows.
 *
 * With REDIS_URL the counters live in Redis (rate-limiter-flexible's RateLimiterRedis, one
 * atomic script call per check), so a key's budget is shared by every instance; without
 * it each instance counts alone (RateLimiterMemory). When Redis is down or answers slower
 * than RATE_LIMIT_STORE_TIMEOUT_MS, the library's insurance limiter (in memory, the same
 * budget per instance) decides: limits stay on, per instance, and no request waits on Redis.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited, type AppError } from '../common/errors';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Role } from '../graphql/role';
import type { Principal, RequestContext } from '../graphql/context';
import { RefusalLog } from './refusal-log';
import { submittedCdrCount } from './submitted-cdrs';

const WINDOW_SECONDS = 1;

type Budget = 'requests' | 'cdrs';

interface Limiter {
  limiter: RateLimiterAbstract;
  points: number;
  setting: string;
}

export class RateLimits {
  private constructor(
    private readonly limiters: Map<string, Limiter>,
    private readonly maxCdrBatch: number,
    private readonly refusals: RefusalLog,
    private readonly logger: Logger,
    private readonly redis?: Redis,
  ) {}

  static create(config: Config, logger: Logger, refusals: RefusalLog): RateLimits {
    const redis = config.redisUrl ? connectStore(config.redisUrl, config.rateLimits.storeTimeoutMs, logger) : undefined;
    const limiters = new Map<string, Limiter>();
    for (const [role, limits] of Object.entries(config.rateLimits.perRole) as [Role, Config['rateLimits']['perRole'][Role]][]) {
      for (const [budget, points, setting] of [
        ['requests', limits.requestsPerSecond, `RATE_LIMIT_REQUESTS_PER_SEC_${role}`],
        ['cdrs', limits.cdrsPerSecond, `RATE_LIMIT_CDRS_PER_SEC_${role}`],
      ] as const) {
        if (!points) continue;
        const opts = { points, duration: WINDOW_SECONDS, keyPrefix: `${config.redisPrefix}:rl:${budget}:${role}` };
        const limiter = redis
          ? new RateLimiterRedis({
              ...opts,
              storeClient: redis,
              rejectIfRedisNotReady: true,
              // A key over its budget is refused from memory for the rest of the window:
              // a flood from one key costs Redis nothing after its first refusal.
              inMemoryBlockOnConsumed: points,
              insuranceLimiter: new RateLimiterMemory(opts),
            })
          : new RateLimiterMemory(opts);
        limiters.set(`${budget}:${role}`, { limiter, points, setting });
      }
    }
    return new RateLimits(limiters, config.maxCdrBatch, refusals, logger, redis);
  }

  /** Charges one request to the caller's key; the refusal to answer, or null. */
  admitRequest(principal: Principal): Promise<AppError | null> {
    return this.consume('requests', principal, 1);
  }

  /** Charges `count` CDRs to the caller's key; the refusal to answer, or null. */
  admitCdrs(principal: Principal, count: number): Promise<AppError | null> {
    // A batch over MAX_CDR_BATCH is refused whole by submitCdrs before any record is read.
    if (count <= 0 || count > this.maxCdrBatch) return Promise.resolve(null);
    return this.consume('cdrs', principal, count);
  }

  /** HTTP side of the CDR budget: charged once the operation is known, before it executes. */
  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async (rc) => {
          const count = submittedCdrCount(rc.document, rc.operationName, rc.request.variables);
          const refusal = count ? await this.admitCdrs(rc.contextValue.principal, count) : null;
          if (refusal) throw refusal;
        },
      }),
    };
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  private async consume(budget: Budget, principal: Principal, points: number): Promise<AppError | null> {
    // Internal work (no key) is not rate limited.
    if (!principal.apiKeyId) return null;
    const entry = this.limiters.get(`${budget}:${principal.role}`);
    if (!entry) return null;
    try {
      await entry.limiter.consume(principal.apiKeyId, points);
      return null;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) {
        // Only reachable if both Redis and the insurance limiter failed: let the request through.
        this.logger.error('rate limiter failed', { err: res });
        return null;
      }
      const retryAfterMs = Math.max(1, res.msBeforeNext);
      this.refusals.refused('rate limited', { apiKeyId: principal.apiKeyId, role: principal.role, budget, limit: entry.points, setting: entry.setting });
      const unit = budget === 'requests' ? 'requests' : 'CDRs';
      return rateLimited(`Rate limit exceeded: at most ${entry.points} ${unit} per second for ${principal.role} keys (${entry.setting}); retry after ${retryAfterMs} ms`, retryAfterMs);
    }
  }
}

/**
 * The limiter's own Redis connection: no offline queue and a command timeout, so a
 * check never waits for a Redis that is down (the insurance limiter answers instead).
 */
function connectStore(url: string, timeoutMs: number, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: timeoutMs, lazyConnect: true });
  let down = false;
  redis.on('error', (err) => {
    if (down) return;
    down = true;
    logger.warn('rate limits: Redis unreachable, each instance limits on its own until it is back', { err });
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('rate limits: Redis reachable again, limits are shared');
  });
  redis.connect().catch(() => undefined);
  return redis;
}
