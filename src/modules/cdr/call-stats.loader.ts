/**
 * Customer.callStats: a customer's calls over the last N minutes, from the per-minute
 * call buckets the CDR path keeps (call-buckets.ts), read the way the alert rules read
 * their windows. Every (customer, minutes) of a request's batch is answered by one
 * statement, so a page of customers costs one read whatever its size.
 */
import { badInput, notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { Clock } from '../../platform/clock';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { acdSql, asrSql, partialMinuteCallsSql } from './call-buckets';
import { CallStatsType, type CallStatsRow } from './call-stats.type';

export const DEFAULT_CALL_STATS_MINUTES = 60;
/** A day: the buckets keep at least a day of minutes (PRUNE_BEFORE in call-buckets.ts). */
export const MAX_CALL_STATS_MINUTES = 1440;

/**
 * $1 customer ids and $2 minutes (aligned), $3 the clock's now. The deltas not compacted
 * yet are a small unindexed table: read once for all keys, then matched per key.
 */
const CALL_STATS_SQL = `
WITH k AS MATERIALIZED (
  SELECT k.n, k.customer_id, k.minutes, $3::timestamptz - make_interval(mins => k.minutes) AS cutoff
    FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS k(customer_id, minutes, n)
), deltas AS MATERIALIZED (
  SELECT d.customer_id, d.minute, d.attempts, d.answered, d.answered_seconds, d.spend
    FROM alert_call_bucket_deltas d
   WHERE d.customer_id = ANY($1::uuid[])
), partial_minutes AS MATERIALIZED (
  ${partialMinuteCallsSql('k')}
), totals AS MATERIALIZED (
  SELECT k.n, k.customer_id, k.minutes,
         m.attempts + e.attempts AS attempts, m.answered + e.answered AS answered,
         m.answered_seconds + e.answered_seconds AS answered_seconds, m.spend + e.spend AS spend
    FROM k
    CROSS JOIN LATERAL (
      SELECT coalesce(sum(x.attempts), 0) AS attempts, coalesce(sum(x.answered), 0) AS answered,
             coalesce(sum(x.answered_seconds), 0) AS answered_seconds, coalesce(sum(x.spend), 0) AS spend
        FROM (
          SELECT b.attempts, b.answered, b.answered_seconds, b.spend FROM alert_call_buckets b
           WHERE b.customer_id = k.customer_id AND b.minute > date_trunc('minute', k.cutoff)
          UNION ALL
          SELECT d.attempts, d.answered, d.answered_seconds, d.spend FROM deltas d
           WHERE d.customer_id = k.customer_id AND d.minute > date_trunc('minute', k.cutoff)
        ) x
    ) m
    JOIN partial_minutes e ON e.customer_id = k.customer_id AND e.cutoff = k.cutoff
)
SELECT t.customer_id, t.minutes, t.attempts, t.answered, t.answered_seconds, t.spend,
       ${asrSql('t.answered', 't.attempts')} AS asr, ${acdSql('t.answered_seconds', 't.answered')} AS acd
  FROM totals t
 ORDER BY t.n`;

export class CallStatsLoader {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * The customer's calls over the last `minutes` (default 60, 1 to a day), up to the
   * clock's now. NOT_FOUND for a customer the caller may not see.
   */
  async of(ctx: RequestContext, customerId: string, minutes: number | null | undefined): Promise<CallStatsType> {
    const window = minutes ?? DEFAULT_CALL_STATS_MINUTES;
    if (!Number.isInteger(window) || window < 1 || window > MAX_CALL_STATS_MINUTES) {
      throw badInput(`minutes must be from 1 to ${MAX_CALL_STATS_MINUTES} (a day), not ${window}`, 'minutes');
    }
    if (!ctx.canSeeCustomer(customerId)) throw notFound('Customer', toGlobalId('Customer', customerId));
    return ctx.loader<string, CallStatsType>('callStats', (keys) => this.batch(keys)).load(`${window}/${customerId}`);
  }

  /** One statement for every key (`minutes/customerId`) of the batch, on one reading of the clock. */
  private async batch(keys: readonly string[]): Promise<CallStatsType[]> {
    const split = keys.map((key) => key.split('/'));
    const now = this.clock.now();
    const rows = await this.db.query<CallStatsRow>(CALL_STATS_SQL, [split.map(([, id]) => id), split.map(([m]) => Number(m)), now]);
    return rows.map((r) => CallStatsType.from(r, now));
  }
}
