/**
 * Per-customer, per-minute call totals for the windowed rules (ASR, ACD, SPEND,
 * CALL_COUNT). A CDR batch appends its sums as delta rows in the statement that
 * inserts its calls; compaction folds deltas into alert_call_buckets, one row per
 * (customer, minute); readers sum both (alert_call_minutes is the view of both). Appending
 * means concurrent batches of one customer never share a row, so they never wait for
 * each other here (an in-place upsert made the second wait for the first's commit).
 */

/**
 * The data-modifying CTE body that appends newly stored calls: per (customer, UTC
 * minute) the attempts, answered calls, answered seconds and exact spend. `source`
 * names a CTE of the inserted cdrs rows (customer_id, started_at, duration,
 * disposition, charge), so the rows never travel back to the app.
 */
export function addToCallBucketsSql(source: string): string {
  return `INSERT INTO alert_call_bucket_deltas (customer_id, minute, attempts, answered, answered_seconds, spend)
SELECT customer_id, date_bin('1 minute', started_at, timestamptz 'epoch'), count(*), count(*) FILTER (WHERE disposition = 'ANSWERED'),
       coalesce(sum(duration) FILTER (WHERE disposition = 'ANSWERED'), 0), sum(charge)
  FROM ${source}
 GROUP BY 1, 2`;
}

/**
 * Moves every delta visible to this statement into the buckets, in one statement: a
 * reader sees each call once, in a delta or in a bucket, never both and never neither.
 * Deltas appended meanwhile are not visible to the DELETE and wait for the next pass.
 * Buckets are upserted in (customer, minute) order, so two passes cannot deadlock.
 */
export const COMPACT_CALL_BUCKETS_SQL = `
WITH moved AS (
  DELETE FROM alert_call_bucket_deltas
  RETURNING customer_id, minute, attempts, answered, answered_seconds, spend
)
INSERT INTO alert_call_buckets AS b (customer_id, minute, attempts, answered, answered_seconds, spend)
SELECT m.customer_id, m.minute, sum(m.attempts), sum(m.answered), sum(m.answered_seconds), sum(m.spend)
  FROM moved m
 WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = m.customer_id)
 GROUP BY 1, 2
 ORDER BY 1, 2
ON CONFLICT (customer_id, minute) DO UPDATE
   SET attempts = b.attempts + EXCLUDED.attempts,
       answered = b.answered + EXCLUDED.answered,
       answered_seconds = b.answered_seconds + EXCLUDED.answered_seconds,
       spend = b.spend + EXCLUDED.spend`;

/**
 * Minutes older than every window (and than a day, so a rule created later with a
 * period up to a day sees full history) are no longer needed, compacted or not.
 */
const PRUNE_BEFORE = `now() - make_interval(secs => greatest(86400,
  (SELECT coalesce(max(sample_period), 0) FROM alert_definitions WHERE enabled AND sample_period IS NOT NULL))) - interval '1 minute'`;

export const PRUNE_CALL_BUCKETS_SQL = `
WITH cutoff AS MATERIALIZED (SELECT ${PRUNE_BEFORE} AS before),
deltas AS (DELETE FROM alert_call_bucket_deltas d USING cutoff WHERE d.minute < cutoff.before)
DELETE FROM alert_call_buckets b USING cutoff WHERE b.minute < cutoff.before`;
