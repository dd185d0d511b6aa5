import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_call_buckets partitioned by range on minute, one partition per UTC day, named
 * alert_call_buckets_pYYYYMMDD: minutes older than every alert window go by dropping
 * their day (the partition-maintenance job) instead of the DELETE the window job ran.
 * The primary key (customer_id, minute) already holds the partition key, so the
 * compaction's ON CONFLICT (customer_id, minute) and the readers are unchanged.
 *
 * fillfactor 50 (1732406400500) cannot be set on a partitioned table: each day gets it
 * (src/modules/cdr/cdr-partitions.ts passes it when it creates a day).
 *
 * No foreign key to customers: dropping a day with one takes ACCESS EXCLUSIVE on
 * customers. Buckets exist only for customers with CDRs, which cannot be deleted, and
 * compaction only moves rows of customers that exist. The view of buckets and deltas
 * is recreated over the new table (a view follows the table it was made on).
 */
export class CallBucketPartitions1732406401510 implements MigrationInterface {
  name = 'CallBucketPartitions1732406401510';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW alert_call_minutes`);
    await q.query(`ALTER TABLE alert_call_buckets RENAME TO alert_call_buckets_unpartitioned`);
    await q.query(`ALTER INDEX alert_call_buckets_pkey RENAME TO alert_call_buckets_unpartitioned_pkey`);
    await q.query(`ALTER INDEX alert_call_buckets_minute_idx RENAME TO alert_call_buckets_unpartitioned_minute_idx`);
    await q.query(`
      CREATE TABLE alert_call_buckets (
        customer_id uuid NOT NULL,
        minute timestamptz NOT NULL,
        attempts integer NOT NULL,
        answered integer NOT NULL,
        answered_seconds bigint NOT NULL,
        spend numeric(28,10) NOT NULL,
        PRIMARY KEY (customer_id, minute)
      ) PARTITION BY RANGE (minute)`);
    await q.query(`CREATE INDEX alert_call_buckets_minute_idx ON alert_call_buckets (minute)`);
    await q.query(`
      DO $$
      DECLARE day date;
      BEGIN
        FOR day IN
          SELECT DISTINCT (minute AT TIME ZONE 'UTC')::date FROM alert_call_buckets_unpartitioned
          UNION
          SELECT d::date FROM generate_series((now() AT TIME ZONE 'UTC')::date - 2, (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day') d
        LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF alert_call_buckets FOR VALUES FROM (%L) TO (%L) WITH (fillfactor = 50)',
                         'alert_call_buckets_p' || to_char(day, 'YYYYMMDD'), day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
        END LOOP;
      END $$`);
    await q.query(`INSERT INTO alert_call_buckets SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_buckets_unpartitioned`);
    await q.query(`DROP TABLE alert_call_buckets_unpartitioned`);
    await q.query(`
      CREATE VIEW alert_call_minutes AS
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_buckets
        UNION ALL
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_bucket_deltas`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW alert_call_minutes`);
    await q.query(`ALTER TABLE alert_call_buckets RENAME TO alert_call_buckets_partitioned`);
    await q.query(`ALTER INDEX alert_call_buckets_pkey RENAME TO alert_call_buckets_partitioned_pkey`);
    await q.query(`ALTER INDEX alert_call_buckets_minute_idx RENAME TO alert_call_buckets_partitioned_minute_idx`);
    await q.query(`
      CREATE TABLE alert_call_buckets (
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        minute timestamptz NOT NULL,
        attempts integer NOT NULL,
        answered integer NOT NULL,
        answered_seconds bigint NOT NULL,
        spend numeric(28,10) NOT NULL,
        PRIMARY KEY (customer_id, minute)
      ) WITH (fillfactor = 50)`);
    await q.query(`CREATE INDEX alert_call_buckets_minute_idx ON alert_call_buckets (minute)`);
    await q.query(`
      INSERT INTO alert_call_buckets SELECT b.* FROM alert_call_buckets_partitioned b
       WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = b.customer_id)`);
    await q.query(`DROP TABLE alert_call_buckets_partitioned`);
    await q.query(`
      CREATE VIEW alert_call_minutes AS
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_buckets
        UNION ALL
        SELECT customer_id, minute, attempts, answered, answered_seconds, spend FROM alert_call_bucket_deltas`);
  }
}
