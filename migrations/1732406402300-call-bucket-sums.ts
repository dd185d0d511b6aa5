import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * call_bucket_sums: the compacted minute buckets of each (customer, first minute) pair
 * asked for, summed from that minute on. The rule statements read the buckets through it
 * (alert-engine.ts: a batch's bounds per customer and its windows' totals), planned for
 * the values of each call (plan_cache_mode on the function), where their own statement
 * runs on a generic plan (cdr-insert.ts, plan_mode).
 *
 * Why: a day's bucket partition is created empty, ahead of its day, and the only writer
 * is the compaction job. A generic plan made while it was empty scans it in sequence
 * (cost nothing) and compares each row with the whole customer array (a parameter, so
 * not hashed), and keeps doing so as compaction fills it until something invalidates
 * the plan: an ANALYZE of the partition, which a server without autovacuum never runs
 * (the CI machine's PostgreSQL, conf.d/90-ci.conf). bench:scale with the jobs on: the
 * rule statement's seq scan of 14,843 bucket rows against 4,429 customers took 716 ms of
 * its 760 ms at a feed's eighth batch (auto_explain). Planned per call, the array is a
 * constant (hashed when compared, or probed by the primary key (customer_id, minute)), the
 * partitions before the earliest minute are pruned when the plan is made, and the
 * partition's real size is seen.
 *
 * Inclusive: `minute >= since`. A pair asked for twice is summed once (two windows of a
 * customer may start in the same minute). Without pairs (NULL or empty arrays), nothing,
 * planned for nothing.
 */
const FUNCTION_SQL = `
CREATE FUNCTION call_bucket_sums(customer_ids uuid[], sinces timestamptz[])
RETURNS TABLE (customer_id uuid, since timestamptz, attempts bigint, answered bigint, answered_seconds numeric, spend numeric)
LANGUAGE plpgsql STABLE ROWS 1000
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  earliest timestamptz;
BEGIN
  IF customer_ids IS NULL OR sinces IS NULL OR cardinality(customer_ids) = 0 THEN
    RETURN;
  END IF;
  earliest := (SELECT min(s) FROM unnest(sinces) AS s);
  IF earliest IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT k.customer_id, k.since, sum(b.attempts)::bigint, sum(b.answered)::bigint, sum(b.answered_seconds)::numeric, sum(b.spend)::numeric
      FROM (SELECT DISTINCT u.customer_id, u.since FROM unnest(customer_ids, sinces) AS u(customer_id, since)) k
      JOIN alert_call_buckets b ON b.customer_id = k.customer_id AND b.minute >= k.since
     WHERE b.minute >= earliest
     GROUP BY k.customer_id, k.since;
END
$fn$`;

export class CallBucketSums1732406402300 implements MigrationInterface {
  name = 'CallBucketSums1732406402300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTION_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION call_bucket_sums(uuid[], timestamptz[])');
  }
}
