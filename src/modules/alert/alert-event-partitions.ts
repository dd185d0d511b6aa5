/**
 * The weeks of alert_events (docs/retention.md): one partition per ISO week (Monday
 * 00:00 UTC), created ahead and, with ALERT_EVENT_RETENTION_DAYS = N, dropped whole once
 * the week ended before the start of the UTC day N days before today (never a DELETE).
 *
 * Events are written at the transaction's now(), never in the past or the future, so
 * the weeks the writers need are this one and the next: the pass keeps last week to two
 * weeks ahead created, and runs at start-up before the app serves (app.ts).
 *
 * Before a week is detached its greatest (tx, id) raises the cursor mark
 * (alert_event_retention, committed first): cursors before it are refused and the lists
 * show only events after it (alert-event-order.ts). A pass that dies between the two
 * leaves the week stored behind a raised mark (readers already treat it as gone) and
 * the next pass drops it.
 */
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { DAY_MS, dayOf, dropDayPartitionsBefore, ensureDayPartitions, partitionName } from '../../platform/db/day-partitions';
import type { Queryable } from '../../platform/db/sql';
import type { PeriodicJob } from '../../platform/jobs';
import type { Logger } from '../../platform/logger';

const TABLE = 'alert_events';
const WEEK_DAYS = 7;
/** Weeks kept created after this one (events are written at now(); two leave room for a stalled job). */
const WEEKS_AHEAD = 2;

/** The Monday (UTC day number) of the ISO week holding `day`; day 4 (1970-01-05) was a Monday. */
export function weekOf(day: number): number {
  return day - ((((day - 4) % WEEK_DAYS) + WEEK_DAYS) % WEEK_DAYS);
}

/** The partition of the week holding `day`, e.g. alert_events_p20261130. */
export function eventPartitionName(day: number): string {
  return partitionName(TABLE, weekOf(day));
}

/**
 * Raises the mark to the greatest (tx, id) of the week about to go (read backward on its
 * own (tx, id) index) and the kept-since instant to the week's end.
 */
async function markDropped(q: Queryable, name: string, keptSince: Date): Promise<void> {
  await q.query(
    `UPDATE alert_event_retention r
        SET (dropped_tx, dropped_id) = (
              SELECT x.tx, x.id FROM (
                SELECT r.dropped_tx AS tx, r.dropped_id AS id
                UNION ALL (SELECT p.tx, p.id FROM ${name} p ORDER BY p.tx DESC, p.id DESC LIMIT 1)
              ) x ORDER BY x.tx DESC, x.id DESC LIMIT 1),
            kept_since = greatest(r.kept_since, $1::timestamptz)`,
    [keptSince.toISOString()],
  );
}

export type AlertEventPartitionConfig = Pick<Config, 'alertEventRetentionDays' | 'partitionMaintenanceMs'>;

export class AlertEventPartitions {
  private lastPass = 0;

  constructor(
    private readonly db: Database,
    private readonly config: AlertEventPartitionConfig,
    private readonly logger: Logger,
  ) {}

  /**
   * One pass: last week to WEEKS_AHEAD weeks ahead exist, and with retention on, every
   * week that ended before (today - N days) is dropped. Answers the Mondays dropped.
   */
  async maintain(now = Date.now()): Promise<number[]> {
    this.lastPass = Date.now();
    const week = weekOf(dayOf(now));
    const weeks: number[] = [];
    for (let w = week - WEEK_DAYS; w <= week + WEEKS_AHEAD * WEEK_DAYS; w += WEEK_DAYS) weeks.push(w);
    const created = await ensureDayPartitions(this.db, TABLE, weeks, { spanDays: WEEK_DAYS });
    if (created > 0) this.logger.info('alert event partitions created ahead', { created });
    const days = this.config.alertEventRetentionDays;
    if (days === 0) return [];
    // Weeks starting before the week of the first kept day ended before that day's week began: all older than N days.
    const firstKeptWeek = weekOf(dayOf(now) - days);
    const dropped = await dropDayPartitionsBefore(this.db, TABLE, firstKeptWeek, (q, p) => markDropped(q, p.name, new Date((p.day + WEEK_DAYS) * DAY_MS)));
    if (dropped.length > 0) this.logger.info('alert event partitions dropped', { weeks: dropped.map((d) => new Date(d * DAY_MS).toISOString().slice(0, 10)) });
    return dropped;
  }

  /** The background job: a pass every PARTITION_MAINTENANCE_MS on every instance (the locks keep them apart). */
  job(): PeriodicJob {
    return {
      name: 'alert-event-partitions',
      run: async () => {
        if (Date.now() - this.lastPass >= this.config.partitionMaintenanceMs) await this.maintain();
      },
    };
  }
}
