import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_call_bounds: each customer's calls and spend in the compacted buckets since one
 * minute (alert_call_bound_state.since, one row), kept by the compaction job in the
 * transaction that changes the buckets, so that it always equals the sum of
 * alert_call_buckets from that minute on. The windowed rules' statements bound each
 * customer's windows from above by these sums (alert-engine.ts `bounds`): any window
 * that starts at or after `since` holds no more calls and spend than the customer's row
 * plus its deltas not compacted yet.
 *
 * Why: the bounds summed every bucket of the widest window for each batch's customers.
 * bench:scale with the jobs on, an hour's window: a hash join over all 142,000 buckets
 * of the hour for a batch's 4,400 customers' 31,000, 38-53 ms of an 80-145 ms rule
 * statement at every batch, and again at every call of the windows' pass (auto_explain).
 * Kept here, the batch reads one row per customer; the compaction pays one upsert per
 * customer it folds calls of, and once a minute, when `since` moves on, subtracts the
 * minute that left (alert_call_bounds_move).
 *
 * `since` follows the widest window of the enabled windowed rules, as of the last
 * compaction: call_bucket_bounds falls back to summing the buckets
 * (call_bucket_sums) when a reader's window starts before it (a rule with a longer
 * window was just made, or the reader's transaction began before the compaction), and
 * the next compaction adds the minutes it lacks. NULL: no windowed rule, nothing kept.
 * No foreign key to customers, as for the buckets (migration 1732406401510): the
 * compaction would take a key-share lock on every customer it folds, and wait behind the
 * CDR batches holding them. A deleted customer's row is never read and goes when its
 * sums reach zero or at a recount. A bound can only be too high, never too low: a bucket
 * day dropped by retention before its minutes were subtracted (the compaction stopped
 * for longer than the retention keeps past the widest window) leaves its calls counted,
 * which only lets more rules through to the exact window sums, until the next recount.
 */
const MOVE_SQL = `
CREATE FUNCTION alert_call_bounds_move(target timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  kept timestamptz;
  emptied uuid[];
BEGIN
  SELECT s.since INTO kept FROM alert_call_bound_state s;
  IF target IS NOT DISTINCT FROM kept THEN
    RETURN kept;
  END IF;
  IF target IS NULL OR kept IS NULL OR target - kept >= now() - target THEN
    -- No windowed rule left, none kept yet, or more minutes to subtract than to keep: a recount.
    DELETE FROM alert_call_bounds;
    IF target IS NOT NULL THEN
      INSERT INTO alert_call_bounds (customer_id, attempts, spend)
      SELECT b.customer_id, sum(b.attempts), sum(b.spend) FROM alert_call_buckets b WHERE b.minute >= target GROUP BY 1;
    END IF;
  ELSIF target > kept THEN
    -- The minutes [kept, target) left the widest window.
    WITH leaving AS (
      SELECT b.customer_id, sum(b.attempts) AS attempts, sum(b.spend) AS spend
        FROM alert_call_buckets b WHERE b.minute >= kept AND b.minute < target GROUP BY 1
    ), moved AS (
      UPDATE alert_call_bounds k SET attempts = k.attempts - l.attempts, spend = k.spend - l.spend
        FROM leaving l WHERE k.customer_id = l.customer_id
      RETURNING k.customer_id, k.attempts
    )
    SELECT array_agg(m.customer_id) FILTER (WHERE m.attempts = 0) INTO emptied FROM moved m;
    IF emptied IS NOT NULL THEN
      DELETE FROM alert_call_bounds WHERE customer_id = ANY(emptied);
    END IF;
  ELSE
    -- A longer window: the minutes [target, kept) join it.
    INSERT INTO alert_call_bounds AS k (customer_id, attempts, spend)
    SELECT b.customer_id, sum(b.attempts), sum(b.spend) FROM alert_call_buckets b WHERE b.minute >= target AND b.minute < kept GROUP BY 1
    ON CONFLICT (customer_id) DO UPDATE SET attempts = k.attempts + EXCLUDED.attempts, spend = k.spend + EXCLUDED.spend;
  END IF;
  UPDATE alert_call_bound_state SET since = target;
  RETURN target;
END
$fn$`;

/**
 * Each asked-for customer's calls and spend in the compacted buckets since `since` or
 * earlier: the kept row when alert_call_bound_state.since is not after `since`, else the
 * buckets summed (call_bucket_sums). An upper bound, exact only when the two minutes are
 * equal; a customer without a row has none. Both reads run in the caller's snapshot (a
 * STABLE function), so the state and the rows agree. Planned at each call, for the reason
 * call_bucket_sums is; the customers hashed, as in call_bucket_delta_sums (1732406402200).
 */
const BOUNDS_SQL = `
CREATE FUNCTION call_bucket_bounds(customer_ids uuid[], since timestamptz)
RETURNS TABLE (customer_id uuid, attempts bigint, spend numeric)
LANGUAGE plpgsql STABLE ROWS 1000
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
  kept timestamptz;
BEGIN
  IF since IS NULL OR customer_ids IS NULL OR cardinality(customer_ids) = 0 THEN
    RETURN;
  END IF;
  SELECT s.since INTO kept FROM alert_call_bound_state s;
  IF kept IS NOT NULL AND kept <= since THEN
    RETURN QUERY
      SELECT k.customer_id, k.attempts, k.spend FROM alert_call_bounds k WHERE k.customer_id IN (SELECT unnest(customer_ids));
  ELSE
    RETURN QUERY
      SELECT s.customer_id, s.attempts, s.spend FROM call_bucket_sums(customer_ids, array_fill(since, ARRAY[cardinality(customer_ids)])) s;
  END IF;
END
$fn$`;

export class CallBucketBounds1732406402500 implements MigrationInterface {
  name = 'CallBucketBounds1732406402500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_call_bounds (
        customer_id uuid PRIMARY KEY,
        attempts bigint NOT NULL,
        spend numeric NOT NULL
      )`);
    await q.query(`
      CREATE TABLE alert_call_bound_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        since timestamptz
      )`);
    await q.query(`INSERT INTO alert_call_bound_state DEFAULT VALUES`);
    await q.query(MOVE_SQL);
    await q.query(BOUNDS_SQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION call_bucket_bounds(uuid[], timestamptz)');
    await q.query('DROP FUNCTION alert_call_bounds_move(timestamptz)');
    await q.query('DROP TABLE alert_call_bound_state');
    await q.query('DROP TABLE alert_call_bounds');
  }
}
