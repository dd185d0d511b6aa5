import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Call detail records. call_id is the switch's unique id: the unique index is what
 * makes submission idempotent (INSERT ... ON CONFLICT DO NOTHING).
 *
 * Partitioning by month is deferred: a unique index on a partitioned table must
 * include the partition key, so call_id uniqueness across months would need a
 * separate dedupe table (or a started_at-qualified key the switches do not send).
 * The (customer_id, started_at) and (started_at) indexes keep window queries and
 * retention deletes cheap until volume calls for it; when it does, the plan is
 * monthly partitions of cdrs plus a small unpartitioned cdr_call_ids(call_id PK)
 * table that carries the uniqueness (one more unnest INSERT per batch).
 */
export class Cdrs1732406400200 implements MigrationInterface {
  name = 'Cdrs1732406400200';

  async up(q: QueryRunner): Promise<void> {
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
    await q.query(`CREATE UNIQUE INDEX cdrs_call_id_key ON cdrs (call_id)`);
    // id completes each key: the cdrs list pages by (started_at, id) newest first,
    // and alert windows scan one customer's calls by started_at.
    await q.query(`CREATE INDEX cdrs_customer_started_idx ON cdrs (customer_id, started_at, id)`);
    await q.query(`CREATE INDEX cdrs_trunk_started_idx ON cdrs (trunk_id, started_at, id) WHERE trunk_id IS NOT NULL`);
    await q.query(`CREATE INDEX cdrs_started_idx ON cdrs (started_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cdrs`);
  }
}
