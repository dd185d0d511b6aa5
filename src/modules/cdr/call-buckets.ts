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
 * Minutes older than every window (and than a day, so a rule created later with a
 * period up to a day sees full history) are no longer needed, compacted or not:
 * compaction drops such deltas (late calls), and old buckets go with their day's
 * partition (cdr-partitions.ts), which keeps at least the days of the longest window.
 */
const PRUNE_BEFORE = `now() - make_interval(secs => greatest(86400,
  (SELECT coalesce(max(sample_period), 0) FROM alert_definitions WHERE enabled AND sample_period IS NOT NULL))) - interval '1 minute'`;

/**
 * How often it runs is CALL_BUCKET_COMPACTION_MS (5 s), once across all instances
 * (alert-jobs.ts, job_runs): a pass's cost is its deltas plus one upsert per (customer,
 * minute) they touch, and the upserts dominate when calls spread over many minutes
 * (bench:cdr's hour: ~70 of a pass's ~100 ms for 16,000 deltas over 5,700 buckets; 85
 * batches' deltas took ~205 ms, 17 batches' ~98). The readers' side: the deltas not yet
 * folded are scanned by callStats and, when a windowed rule exists, by each batch's rules.
 *
 * Moves every delta visible to this statement into the buckets, in one statement: a
 * reader sees each call once, in a delta or in a bucket, never both and never neither.
 * The sums are read from the table and the DELETE (without RETURNING) removes the same
 * rows: every part of one statement reads the same snapshot, deltas are never updated,
 * and only this job (under its lock) deletes them, so the DELETE removes exactly the
 * rows summed. Deltas appended meanwhile are not in the snapshot and wait for the next
 * pass. Reading the rows back through DELETE ... RETURNING and a CTE cost about half
 * again as much CPU per delta row (each batch appends about one per record when its
 * calls spread over many minutes). Buckets are upserted in (customer, minute) order, so
 * two passes cannot deadlock. Its plan rests on the table's row count as the VACUUM
 * just before it recorded (VACUUM_CALL_BUCKET_DELTAS_SQL).
 *
 * The cutoff is computed once (`since`, a one-row CTE) and the customers are looked up
 * once per folded bucket, after the grouping: written as a filter of every delta, the
 * cutoff's expression and the join to customers ran for each of them (EXPLAIN ANALYZE,
 * 300,000 deltas over 6,100 buckets: 201-236 ms a pass, 159-175 with this shape; the
 * DELETE, ~72 ms, and the sums are the rest). A delta of a deleted customer is still
 * removed and never folded, as are minutes older than every window.
 *
 * `withBounds`: the same statement also adds the moved sums from
 * alert_call_bound_state.since on to each customer's alert_call_bounds row, which then
 * still equals its buckets' sum from that minute (migrations/1732406402500): in the
 * statement that moves them, so that no reader sees a call in a bucket and not in its
 * bound. Set when the pass found bounds kept (alert_call_bounds_move returned a minute);
 * without a windowed rule the statement is the one it was. The bounds are summed per
 * customer from the deltas themselves (the same snapshot, and `since` is never before
 * the pruning minute, so the same calls), not from `folded`: read twice, `folded` had to
 * be materialised, which slowed the buckets' upsert too, and was grouped a second time
 * (a pass over bench:scale's 44,000 deltas: ~305 ms against ~335, the bounds' part ~70
 * ms against ~95; the same sums). The rows are updated by a join to those sums, and only
 * customers without a row yet are inserted: an upsert of every calling customer (almost
 * all of them at each pass) went through a speculative insertion and a conflict per row,
 * and checked each against a hash of all customers (the database of a bench:scale rules
 * round, 19,700 deltas of 12,700 customers, alternating in rolled-back transactions, four
 * runs of 8: medians 174-180 ms a pass against 171-204, in three of the four lower; the
 * bounds' part alone, without the buckets' fold, 33-35 ms against 56-58).
 */
export function compactCallBucketsSql(withBounds: boolean): string {
  return `
WITH moved AS (
  DELETE FROM alert_call_bucket_deltas
), since AS MATERIALIZED (
  -- Minutes older than every window are not needed (and their day may be dropped): they go with the deltas.
  SELECT ${PRUNE_BEFORE} AS minute
), folded AS (
  SELECT m.customer_id, m.minute, sum(m.attempts) AS attempts, sum(m.answered) AS answered,
         sum(m.answered_seconds) AS answered_seconds, sum(m.spend) AS spend
    FROM alert_call_bucket_deltas m
   WHERE m.minute >= (SELECT minute FROM since)
   GROUP BY 1, 2
)${withBounds ? `, bound_sums AS MATERIALIZED (
  SELECT f.customer_id, sum(f.attempts) AS attempts, sum(f.spend) AS spend
    FROM alert_call_bucket_deltas f
   WHERE f.minute >= (SELECT s.since FROM alert_call_bound_state s)
   GROUP BY 1
), bounds_added AS (
  UPDATE alert_call_bounds k SET attempts = k.attempts + g.attempts, spend = k.spend + g.spend
    FROM bound_sums g
   WHERE k.customer_id = g.customer_id
  RETURNING k.customer_id
), bounds_new AS (
  -- No ON CONFLICT: every writer of the bounds holds the compaction's lock, so a row the
  -- update did not find does not exist; were one to appear, failing beats dropping its sums.
  INSERT INTO alert_call_bounds (customer_id, attempts, spend)
  SELECT g.customer_id, g.attempts, g.spend
    FROM bound_sums g
   WHERE NOT EXISTS (SELECT 1 FROM bounds_added a WHERE a.customer_id = g.customer_id)
     AND EXISTS (SELECT 1 FROM customers c WHERE c.id = g.customer_id)
)` : ''}
INSERT INTO alert_call_buckets AS b (customer_id, minute, attempts, answered, answered_seconds, spend)
SELECT f.customer_id, f.minute, f.attempts, f.answered, f.answered_seconds, f.spend
  FROM folded f
 WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = f.customer_id)
 ORDER BY 1, 2
ON CONFLICT (customer_id, minute) DO UPDATE
   SET attempts = b.attempts + EXCLUDED.attempts,
       answered = b.answered + EXCLUDED.answered,
       answered_seconds = b.answered_seconds + EXCLUDED.answered_seconds,
       spend = b.spend + EXCLUDED.spend`;
}

/**
 * Run before each compaction, outside its transaction. Every pass (once per
 * CALL_BUCKET_COMPACTION_MS across the fleet) deletes the deltas of thousands of calls;
 * until a VACUUM records the freed space, appends go to new pages at the end, so between
 * autovacuum runs (a minute apart at best) the table grows by the dead rows of every
 * pass, and every pass and every reader of the deltas scans them all. Vacuumed each
 * pass, the table stays about two intervals of rows. Before the compaction, not after: the VACUUM also records how many
 * rows the table holds, and the compaction is planned from that. Run after it, it
 * recorded a table just emptied: the compaction was planned for one row, a nested loop
 * of customer probes and a sort of every delta (56 to 100 ms a pass of bench:cdr's
 * 18,000 to 22,000 deltas; 30 to 40 ms planned from the real count). No index: one heap
 * pass. TRUNCATE false: shrinking the file takes an ACCESS EXCLUSIVE lock that would
 * stall the batches appending; SKIP_LOCKED: another instance's VACUUM in progress is enough.
 * Recording the new size invalidates every cached plan that names the table: the alert
 * rule statements, which keep generic plans, read it through call_bucket_deltas
 * (migrations/1732406402000-call-bucket-deltas-function.ts) so their plans stay valid.
 * The CDR insert (cdr.insert) appends to it and is planned again once per connection
 * after each pass: ~2 ms every 5 s, where unnamed it was planned at every batch.
 */
export const VACUUM_CALL_BUCKET_DELTAS_SQL = `VACUUM (TRUNCATE false, SKIP_LOCKED) alert_call_bucket_deltas`;

/**
 * A window's calls are those started after its cutoff: the whole minutes after the
 * cutoff's minute from the buckets (and deltas), plus the calls of that one partial
 * minute read from cdrs, so the window is exact to the second. The alert rules'
 * windows (alert-engine.ts) and Customer.callStats both read them this way.
 *
 * The partial minutes come from cdr_partial_minutes (migrations/1732406401900-cdr-partial-minutes.ts),
 * which plans its read of cdrs per call for the days the cutoffs fall in: read inline,
 * every day's partition was in these statements' plans, and the rule statement's
 * generic plan locked each of them at every batch. `windows` names a relation with
 * customer_id and cutoff; one row per distinct pair, with the partial minute's attempts,
 * answered, answered_seconds and spend (zeros without calls). Both arrays are built in
 * one scan, so their elements pair up.
 */
export function partialMinuteCallsSql(windows: string): string {
  return `SELECT p.* FROM (SELECT array_agg(customer_id) AS ids, array_agg(cutoff) AS cutoffs FROM ${windows}) w
   CROSS JOIN LATERAL cdr_partial_minutes(w.ids, w.cutoffs) p`;
}

/** ASR of a window: answered calls per attempt, in percent; NULL without attempts. */
export function asrSql(answered: string, attempts: string): string {
  return `CASE WHEN ${attempts} > 0 THEN round(${answered} * 100.0 / ${attempts}, 10) END`;
}

/** ACD of a window: mean answered duration, seconds; `none` (default NULL) without answered calls. */
export function acdSql(answeredSeconds: string, answered: string, none = 'NULL'): string {
  return `CASE WHEN ${answered} > 0 THEN round(${answeredSeconds}::numeric / ${answered}, 10) ELSE ${none} END`;
}
