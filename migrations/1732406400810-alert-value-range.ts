import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The value an alert rule measured can leave the money range: AVAILABLE_CREDIT is
 * balance + credit_limit, up to 2 x 10^18 with both at their maximum, and SPEND sums a
 * sample period's minutes. Stored as NUMERIC(28,10), such a value failed the statement
 * (numeric_value_out_of_range), and with it the payment, customer or CDR batch whose
 * balance change was being evaluated. Unconstrained NUMERIC holds any of them exactly;
 * widening a numeric rewrites neither the table nor an index.
 *
 * Down narrows again and fails while a stored value is out of the narrow range.
 */
export class AlertValueRange1732406400810 implements MigrationInterface {
  name = 'AlertValueRange1732406400810';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alert_states ALTER COLUMN value TYPE numeric`);
    await q.query(`ALTER TABLE alert_events ALTER COLUMN value TYPE numeric`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alert_events ALTER COLUMN value TYPE numeric(28,10)`);
    await q.query(`ALTER TABLE alert_states ALTER COLUMN value TYPE numeric(28,10)`);
  }
}
