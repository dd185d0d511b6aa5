import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * cdrs partitioned by range on started_at, one partition per UTC day, named
 * cdrs_pYYYYMMDD (the partition-maintenance job, src/modules/cdr/cdr-partitions.ts,
 * creates and drops them by that name). Retention then drops whole days instead of
 * deleting rows, and a day's indexes stay small whatever the table holds.
 *
 * Idempotency: a unique index on a partitioned table must include the partition key,
 * so a record is identified by (call_id, started_at): a switch resending a call sends
 * the same callId with the same startedAt, which lands on the same partition and
 * conflicts there (ON CONFLICT (call_id, started_at) DO NOTHING), race-free as before.
 * A callId resent with another startedAt is another record (docs/retention.md).
 *
 * No DEFAULT partition: rows in it would have to be moved out before a day could be
 * attached or detached. Every day a record may go to is created ahead (today and the
 * next days by the job, a late day on first use by the submission); a record older
 * than the retention window is refused before the insert.
 *
 * The primary key is (id, started_at) for the same reason; id stays unique (one
 * identity sequence) and its index serves lookups by id. Nothing references cdrs.
 *
 * No foreign keys to customers and trunks: dropping a day that has them takes ACCESS
 * EXCLUSIVE on customers and trunks (their triggers go), which stalls all ingest and
 * deadlocked with batches in the concurrent-retention test. What they did is done
 * where it matters instead: the insert holds its customers FOR KEY SHARE (once per
 * customer, not a check per row) and deleting a customer locks it before looking for
 * CDRs (customer.service.ts); deleting a trunk clears its CDRs' trunk_id (trunk.service.ts).
 * Existing rows are copied into the partitions of their days, ids kept.
 */
export class CdrPartitions1732406401500 implements MigrationInterface {
  name = 'CdrPartitions1732406401500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cdrs RENAME TO cdrs_unpartitioned`);
    for (const index of ['cdrs_pkey', 'cdrs_call_id_key', 'cdrs_customer_started_idx', 'cdrs_trunk_started_idx', 'cdrs_started_idx']) {
      await q.query(`ALTER INDEX ${index} RENAME TO ${index.replace('cdrs_', 'cdrs_unpartitioned_')}`);
    }
    await q.query(`ALTER SEQUENCE cdrs_id_seq RENAME TO cdrs_unpartitioned_id_seq`);
    await q.query(`
      CREATE TABLE cdrs (
        id bigint GENERATED ALWAYS AS IDENTITY,
        call_id text NOT NULL,
        customer_id uuid NOT NULL,
        trunk_id uuid,
        caller text,
        callee text NOT NULL,
        started_at timestamptz NOT NULL,
        duration integer NOT NULL CHECK (duration >= 0),
        disposition text NOT NULL CHECK (disposition IN ('ANSWERED','NO_ANSWER','BUSY','FAILED')),
        charge numeric(28,10) NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, started_at)
      ) PARTITION BY RANGE (started_at)`);
    await q.query(`CREATE UNIQUE INDEX cdrs_call_id_key ON cdrs (call_id, started_at)`);
    await q.query(`CREATE INDEX cdrs_customer_started_idx ON cdrs (customer_id, started_at, id)`);
    await q.query(`CREATE INDEX cdrs_trunk_started_idx ON cdrs (trunk_id, started_at, id) WHERE trunk_id IS NOT NULL`);
    await q.query(`CREATE INDEX cdrs_started_idx ON cdrs (started_at, id)`);
    // The days of the stored rows, yesterday, today and the next 7 (what the job keeps ahead).
    await q.query(`
      DO $$
      DECLARE day date;
      BEGIN
        FOR day IN
          SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM cdrs_unpartitioned
          UNION
          SELECT d::date FROM generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day') d
        LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF cdrs FOR VALUES FROM (%L) TO (%L)',
                         'cdrs_p' || to_char(day, 'YYYYMMDD'), day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
        END LOOP;
      END $$`);
    await q.query(`
      INSERT INTO cdrs (id, call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge, ingested_at)
      OVERRIDING SYSTEM VALUE
      SELECT id, call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge, ingested_at FROM cdrs_unpartitioned`);
    await q.query(`SELECT setval(pg_get_serial_sequence('cdrs', 'id'), coalesce((SELECT max(id) FROM cdrs), 0) + 1, false)`);
    await q.query(`DROP TABLE cdrs_unpartitioned`);
  }

  /**
   * Back to one table with callId unique on its own. Two records of one callId with
   * different starts (allowed since up) cannot both go back: the copy then fails on
   * the unique index and nothing changes, rather than dropping a charged record.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cdrs RENAME TO cdrs_partitioned`);
    for (const index of ['cdrs_pkey', 'cdrs_call_id_key', 'cdrs_customer_started_idx', 'cdrs_trunk_started_idx', 'cdrs_started_idx']) {
      await q.query(`ALTER INDEX ${index} RENAME TO ${index.replace('cdrs_', 'cdrs_partitioned_')}`);
    }
    await q.query(`ALTER SEQUENCE cdrs_id_seq RENAME TO cdrs_partitioned_id_seq`);
    await q.query(`
      CREATE TABLE cdrs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        call_id text NOT NULL,
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
        trunk_id uuid REFERENCES trunks(id) ON DELETE SET NULL,
        caller text,
        callee text NOT NULL,
        started_at timestamptz NOT NULL,
        duration integer NOT NULL CHECK (duration >= 0),
        disposition text NOT NULL CHECK (disposition IN ('ANSWERED','NO_ANSWER','BUSY','FAILED')),
        charge numeric(28,10) NOT NULL,
        ingested_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO cdrs (id, call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge, ingested_at)
      OVERRIDING SYSTEM VALUE
      SELECT id, call_id, customer_id, trunk_id, caller, callee, started_at, duration, disposition, charge, ingested_at FROM cdrs_partitioned`);
    await q.query(`SELECT setval(pg_get_serial_sequence('cdrs', 'id'), coalesce((SELECT max(id) FROM cdrs), 0) + 1, false)`);
    await q.query(`CREATE UNIQUE INDEX cdrs_call_id_key ON cdrs (call_id)`);
    await q.query(`CREATE INDEX cdrs_customer_started_idx ON cdrs (customer_id, started_at, id)`);
    await q.query(`CREATE INDEX cdrs_trunk_started_idx ON cdrs (trunk_id, started_at, id) WHERE trunk_id IS NOT NULL`);
    await q.query(`CREATE INDEX cdrs_started_idx ON cdrs (started_at, id)`);
    await q.query(`DROP TABLE cdrs_partitioned`);
  }
}
