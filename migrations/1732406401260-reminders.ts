import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The reminder columns' rule, the same on customers and customer_classes. */
const REMINDER_CHECK = `CHECK (
  (reminder_frequency IS NULL AND reminder_at IS NULL AND reminder_for_days IS NULL AND reminder_suspend_after_days IS NULL)
  OR (reminder_frequency IN ('HOURLY','DAILY')
      AND reminder_for_days BETWEEN 0 AND 366
      AND (reminder_frequency = 'DAILY') = (reminder_at IS NOT NULL)
      AND (reminder_suspend_after_days IS NULL OR reminder_suspend_after_days BETWEEN 1 AND 366)))`;

const REMINDER_COLUMNS = `ADD COLUMN reminder_frequency text, ADD COLUMN reminder_at time, ADD COLUMN reminder_for_days integer,
  ADD COLUMN reminder_suspend_after_days integer`;

/**
 * Low-balance reminders (issue 13): the softswitch's schedule of LOW_BALANCE notices while
 * a balance stays below its threshold, and its "disable after N days".
 *
 * customers.reminder_* and customer_classes.reminder_*: the schedule (all null: none; a
 * customer without one uses its class's). A DAILY schedule has its local time `at`, an
 * HOURLY one has none.
 *
 * low_balance_reminder_states: one row per customer while a reminder period runs (from
 * when the reminder job saw the balance below the threshold). due_at is when the job
 * looks at the period next (its next reminder or suspension, or a periodic re-check), so a
 * pass reads only the periods due, through its index. last_reminded_at is the last
 * reminder sent; suspended_at is when the period's suspension was applied, and
 * suspension_sequence the customer's status_sequence right after it: the suspension is
 * still the reminder's (and a payment lifts it) only while that sequence is unchanged,
 * so an operator's or a penalty's later status is never undone. Existing customers below
 * their thresholds get no row here: the job starts their periods on its first pass.
 */
export class Reminders1732406401260 implements MigrationInterface {
  name = 'Reminders1732406401260';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers ${REMINDER_COLUMNS}, ADD CONSTRAINT customers_reminder_check ${REMINDER_CHECK}`);
    await q.query(`ALTER TABLE customer_classes ${REMINDER_COLUMNS}, ADD CONSTRAINT customer_classes_reminder_check ${REMINDER_CHECK}`);
    await q.query(`
      CREATE TABLE low_balance_reminder_states (
        customer_id uuid PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
        below_since timestamptz NOT NULL,
        last_reminded_at timestamptz,
        reminders_sent integer NOT NULL DEFAULT 0,
        suspended_at timestamptz,
        suspension_sequence bigint,
        due_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX low_balance_reminder_states_due_idx ON low_balance_reminder_states (due_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE low_balance_reminder_states`);
    for (const table of ['customer_classes', 'customers']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_reminder_check,
        DROP COLUMN reminder_frequency, DROP COLUMN reminder_at, DROP COLUMN reminder_for_days, DROP COLUMN reminder_suspend_after_days`);
    }
  }
}
