import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator settings (issue 13): one row, created here, so every reader finds it. Rules
 * without recipients of their own send to alert_emails, alert_phones and
 * alert_webhook_urls; status_webhook_urls receive customer.status_changed webhooks;
 * time_zone is the zone of dates in messages for customers without their own.
 *
 * customers.time_zone: the customer's own zone (null: the settings' one).
 * customers.status_sequence: counts the customer's status changes, so that a receiver of
 * status webhooks can drop one that arrives after a later one (the outbox retries each
 * message on its own, so they can arrive out of order). Existing customers start at 0.
 * notifications.kind gains STATUS_CHANGED (the rows of those webhooks).
 */
export class Settings1732406401210 implements MigrationInterface {
  name = 'Settings1732406401210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE settings (
        -- One row: the key can only be true.
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        alert_emails text[] NOT NULL DEFAULT '{}',
        alert_phones text[] NOT NULL DEFAULT '{}',
        alert_webhook_urls text[] NOT NULL DEFAULT '{}',
        status_webhook_urls text[] NOT NULL DEFAULT '{}',
        time_zone text NOT NULL DEFAULT 'UTC',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO settings DEFAULT VALUES`);
    await q.query(`ALTER TABLE customers ADD COLUMN time_zone text, ADD COLUMN status_sequence bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('LOW_BALANCE','ZERO_BALANCE','PAYMENT_RECEIVED','TRUNK_UPDATED','WELCOME','ALERT','STATUS_CHANGED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The old check cannot hold the status webhooks' rows: their delivery log goes with the kind.
    await q.query(`DELETE FROM notifications WHERE kind = 'STATUS_CHANGED'`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
        CHECK (kind IN ('LOW_BALANCE','ZERO_BALANCE','PAYMENT_RECEIVED','TRUNK_UPDATED','WELCOME','ALERT'))`);
    await q.query(`ALTER TABLE customers DROP COLUMN time_zone, DROP COLUMN status_sequence`);
    await q.query(`DROP TABLE settings`);
  }
}
