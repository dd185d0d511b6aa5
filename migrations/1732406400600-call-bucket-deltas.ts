import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CDR batches append their per-minute call sums to alert_call_bucket_deltas instead
 * of updating alert_call_buckets in place. Two batches of one customer used to
 * share bucket rows, and the second waited on the first's row locks until it
 * committed (with one feed per core, 1,000-record batches lost about a fifth of
 * their throughput to that wait). Appended rows are nobody else's: nothing waits.
 * A background pass (alert-bucket-compaction) folds the deltas into the buckets;
 * readers see both through alert_call_minutes.
 *
 * No index and no foreign key: each would cost every appended row (an index entry,
 * a check); the table holds about a second of deltas, which readers scan once
 * per statement. A customer with calls cannot be deleted anyway (its CDRs restrict
 * it), and compaction only moves rows of customers that exist.
 */
export class CallBucketDeltas1732406400600 implements MigrationInterface {
  name = 'CallBucketDeltas1732406400600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_call_bucket_deltas (
        customer_id uuid NOT NULL,
        minute timestamptz NOT NULL,
        attempts integer NOT NULL,
        answered integer NOT NULL,
        answered_seconds bigint NOT NULL,
        spend numeric(28,10) NOT NULL
      )`);
    await q.query(`
      CREATE VIEW alert_call_minutes AS
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_buckets
        UNION ALL
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_bucket_deltas`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Folds what is not compacted yet back into the buckets, so going down loses no call.
    await q.query(`
      INSERT INTO alert_call_buckets AS b (customer_id, minute, attempts, answered, answered_seconds, spend)
      SELECT d.customer_id, d.minute, sum(d.attempts), sum(d.answered), sum(d.answered_seconds), sum(d.spend)
        FROM alert_call_bucket_deltas d
       WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = d.customer_id)
       GROUP BY 1, 2
      ON CONFLICT (customer_id, minute) DO UPDATE
         SET attempts = b.attempts + EXCLUDED.attempts, answered = b.answered + EXCLUDED.answered,
             answered_seconds = b.answered_seconds + EXCLUDED.answered_seconds, spend = b.spend + EXCLUDED.spend`);
    await q.query(`DROP VIEW alert_call_minutes`);
    await q.query(`DROP TABLE alert_call_bucket_deltas`);
  }
}
