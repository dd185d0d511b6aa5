import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A callId is unique within the UTC day of its startedAt (docs/retention.md), no longer
 * only with its exact startedAt: a resend of a call with another start on the same day
 * is a DUPLICATE_CONFLICT again, race-free. An index of the parent would have to include
 * started_at itself, so each day gets a unique index on call_id of its own
 * (cdrs_pYYYYMMDD_call_id_key; the partition job builds it on every new day before
 * attaching it), and the parent's (call_id, started_at) index goes: the day's index
 * implies it, and the insert maintains one index on call_id per row instead of two.
 *
 * A day already holding one callId twice (allowed since 1732406401500) stops the
 * migration with the callIds named: both records were charged, and which one should
 * go is the operator's call, not a migration's.
 */
const DAYS_SQL = `
SELECT c.relname AS name
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'cdrs'::regclass AND c.relname ~ '^cdrs_p[0-9]{8}$'`;

export class CdrCallIdPerDay1732406401620 implements MigrationInterface {
  name = 'CdrCallIdPerDay1732406401620';

  async up(q: QueryRunner): Promise<void> {
    const twice = (await q.query(`
      SELECT call_id, (started_at AT TIME ZONE 'UTC')::date::text AS day FROM cdrs
       GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 2, 1 LIMIT 10`)) as { call_id: string; day: string }[];
    if (twice.length > 0) {
      throw new Error(
        `cdrs holds one callId more than once on a UTC day (${twice.map((t) => `${t.call_id} on ${t.day}`).join(', ')}): ` +
          'remove or rename the extra records (and correct the balances they charged), then migrate again',
      );
    }
    for (const { name } of (await q.query(DAYS_SQL)) as { name: string }[]) {
      await q.query(`CREATE UNIQUE INDEX ${name}_call_id_key ON ${name} (call_id)`);
    }
    await q.query(`DROP INDEX cdrs_call_id_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX cdrs_call_id_key ON cdrs (call_id, started_at)`);
    for (const { name } of (await q.query(DAYS_SQL)) as { name: string }[]) {
      await q.query(`DROP INDEX IF EXISTS ${name}_call_id_key`);
    }
  }
}
