/**
 * The days of cdrs (docs/retention.md): which exist, which a record may still go to,
 * and the background pass that creates days ahead and drops days past retention; the
 * same pass keeps the days of the per-minute call buckets.
 *
 * The rule, in UTC days: with CDR_RETENTION_DAYS = N, a record started before the start
 * of the day N days before today is refused (BEYOND_RETENTION): its callId could no
 * longer be checked against a dropped day. Days are dropped one day later than that
 * (and never while the longest alert window still reads them), so a record accepted
 * under the rule always finds its day, even when an instance's clock is a little off.
 * Future records are refused past the clock-skew allowance (cdr-validation.ts); the
 * job keeps the next CDR_PARTITIONS_AHEAD_DAYS days created, and a day that is missing
 * anyway (a late record within retention, older than the days created so far) is
 * created by the submission before its insert.
 */
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { DAY_MS, dayOf, dropDayPartitionsBefore, ensureDayPartitions } from '../../platform/db/day-partitions';
import type { PeriodicJob } from '../../platform/jobs';
import type { Logger } from '../../platform/logger';

const TABLE = 'cdrs';
const BUCKETS = 'alert_call_buckets';
/** Bucket rows are updated in place by compaction: half-empty pages keep those updates HOT (1732406400500). */
const BUCKET_STORAGE = 'WITH (fillfactor = 50)';

/**
 * A callId is unique within its UTC day of startedAt (docs/retention.md): a unique
 * index of each day's own, since an index of the parent would have to include
 * started_at itself. The insert's ON CONFLICT DO NOTHING (no target) arbitrates on it.
 */
export function cdrDayIndexes(partition: string): string[] {
  return [`CREATE UNIQUE INDEX ${partition}_call_id_key ON ${partition} (call_id)`];
}

/** The longest alert window, in whole days (rounded up): cdrs the rules still read. */
const WINDOW_DAYS_SQL = `
SELECT coalesce(ceil(max(sample_period) / 86400.0), 0)::int AS days
  FROM alert_definitions WHERE sample_period IS NOT NULL AND deleted_at IS NULL`;

export type CdrPartitionConfig = Pick<Config, 'cdrRetentionDays' | 'bucketRetentionDays' | 'cdrPartitionsAheadDays' | 'partitionMaintenanceMs'>;

export class CdrPartitions {
  /** Days known to exist (created here or seen); a day is only ever dropped once no record may go to it. */
  private readonly known = new Set<number>();
  private lastPass = 0;

  constructor(
    private readonly db: Database,
    private readonly config: CdrPartitionConfig,
    private readonly logger: Logger,
  ) {}

  /** The first instant whose records are kept (epoch ms), or undefined when everything is kept. */
  keptSinceMs(now: number): number | undefined {
    const days = this.config.cdrRetentionDays;
    return days === 0 ? undefined : (dayOf(now) - days) * DAY_MS;
  }

  /** Makes sure the days of these starts exist before an insert goes to them. */
  async ensureFor(startsMs: Iterable<number>): Promise<void> {
    const missing = new Set<number>();
    for (const ms of startsMs) {
      const day = dayOf(ms);
      if (!this.known.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    const created = await ensureDayPartitions(this.db, TABLE, missing, { dayIndexes: cdrDayIndexes });
    if (created > 0) this.logger.info('cdr partitions created on demand', { created });
    for (const day of missing) this.known.add(day);
  }

  /** Forgets which days exist: the next batch looks them up again (see CdrSubmission). */
  forget(): void {
    this.known.clear();
  }

  /**
   * One maintenance pass: the days from yesterday to CDR_PARTITIONS_AHEAD_DAYS ahead
   * exist, and with retention on, days wholly before what is kept (and what the
   * longest alert window reads) are dropped. Answers the days dropped.
   */
  async maintain(now = Date.now()): Promise<number[]> {
    this.lastPass = Date.now();
    const today = dayOf(now);
    const ahead: number[] = [];
    for (let day = today - 1; day <= today + this.config.cdrPartitionsAheadDays; day++) ahead.push(day);
    const created = await ensureDayPartitions(this.db, TABLE, ahead, { dayIndexes: cdrDayIndexes });
    for (const day of ahead) this.known.add(day);
    if (created > 0) this.logger.info('cdr partitions created ahead', { created });
    const [{ days: windowDays }] = await this.db.query<{ days: number }>(WINDOW_DAYS_SQL);
    await this.maintainBuckets(today, windowDays);
    if (this.config.cdrRetentionDays === 0) return [];
    // One day of grace past the refusal rule: see the module comment.
    const keep = Math.max(this.config.cdrRetentionDays, windowDays) + 1;
    const dropped = await dropDayPartitionsBefore(this.db, TABLE, today - keep);
    for (const day of dropped) this.known.delete(day);
    if (dropped.length > 0) this.logger.info('cdr partitions dropped', { days: dropped.map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)) });
    return dropped;
  }

  /**
   * Call buckets: every day the compaction may fold into exists (from the longest window,
   * at least BUCKET_RETENTION_DAYS, and a day more, to the days ahead), and older days
   * are dropped; compaction skips minutes older than every window (call-buckets.ts).
   */
  private async maintainBuckets(today: number, windowDays: number): Promise<void> {
    const keep = Math.max(this.config.bucketRetentionDays, windowDays) + 1;
    const days: number[] = [];
    for (let day = today - keep; day <= today + this.config.cdrPartitionsAheadDays; day++) days.push(day);
    await ensureDayPartitions(this.db, BUCKETS, days, { storage: BUCKET_STORAGE });
    const dropped = await dropDayPartitionsBefore(this.db, BUCKETS, today - keep);
    if (dropped.length > 0) this.logger.info('call bucket partitions dropped', { days: dropped.length });
  }

  /**
   * The background job: a pass every PARTITION_MAINTENANCE_MS on every instance (the
   * locks keep them apart). The first pass runs at start-up, before the app serves
   * (app.ts), so the days a batch goes to are known without a query on its path.
   */
  job(): PeriodicJob {
    return {
      name: 'cdr-partitions',
      run: async () => {
        if (Date.now() - this.lastPass >= this.config.partitionMaintenanceMs) await this.maintain();
      },
    };
  }
}
