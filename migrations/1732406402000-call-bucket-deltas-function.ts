import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The call deltas not compacted yet (call-buckets.ts), read by a function instead of by
 * the alert rule statements themselves. Every compaction pass (CALL_BUCKET_COMPACTION_MS,
 * 5 s) ends in a VACUUM of alert_call_bucket_deltas, which records the table's new size in
 * pg_class and so invalidates every cached plan that names the table. The CDR batch's rule
 * statement keeps a generic plan per connection; read inline, the deltas made each
 * connection plan it again at its next batch after every pass: 17-39 ms of bind
 * (log_min_duration_statement) on the first batch of a feed that sends every few seconds.
 * bench/cdr-pauses.js (1,000-record batches, two every 4 s, 30 rounds): the first batch
 * after a pause took a median 65-75 ms, 51-58 ms through the function, the second 37-43 ms
 * either way (BENCHMARKS.md). The per-second window job's statement was planned again as
 * often (8-17 ms).
 *
 * Behind a plpgsql function only the function's own small query is planned again (it is
 * never inlined, so the calling plans name the function, not the table). Per customer of
 * `customer_ids` (NULL: every customer) and minute from `since` on, the sums of its deltas:
 * a batch appends one row per customer and minute, so summing here hands the callers one
 * row per (customer, minute) whatever the number of batches. NULL `since`: no rows (no
 * windowed rule exists, nothing is read). STABLE: it reads with its caller's snapshot, so
 * a batch's rules see the calls its insert just appended.
 */
const FUNCTION_SQL = `
CREATE FUNCTION call_bucket_deltas(customer_ids uuid[], since timestamptz)
RETURNS TABLE (customer_id uuid, minute timestamptz, attempts bigint, answered bigint, answered_seconds numeric, spend numeric)
LANGUAGE plpgsql STABLE ROWS 1000 AS $fn$
BEGIN
  IF since IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT d.customer_id, d.minute, sum(d.attempts)::bigint, sum(d.answered)::bigint, sum(d.answered_seconds), sum(d.spend)
      FROM alert_call_bucket_deltas d
     WHERE (customer_ids IS NULL OR d.customer_id = ANY(customer_ids)) AND d.minute >= since
     GROUP BY d.customer_id, d.minute;
END
$fn$`;

export class CallBucketDeltasFunction1732406402000 implements MigrationInterface {
  name = 'CallBucketDeltasFunction1732406402000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTION_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION call_bucket_deltas(uuid[], timestamptz)`);
  }
}
