import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification outbox and delivery log: one row per message per recipient,
 * written in the transaction that caused it and delivered by workers afterwards.
 * A PENDING row whose next_attempt_at lies in the future is either waiting for a
 * retry or leased by a worker that is delivering it right now.
 */
export class Notifications1732406400400 implements MigrationInterface {
  name = 'Notifications1732406400400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('LOW_BALANCE','ZERO_BALANCE','PAYMENT_RECEIVED','TRUNK_UPDATED','WELCOME','ALERT')),
        channel text NOT NULL CHECK (channel IN ('EMAIL','SMS','WEBHOOK')),
        recipient text NOT NULL,
        subject text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        bcc text[] NOT NULL DEFAULT '{}',
        payload jsonb,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','SENT','FAILED')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        -- Standard Webhooks message id: the same on every retry so receivers can dedupe.
        webhook_id text NOT NULL DEFAULT ('msg_' || replace(gen_random_uuid()::text, '-', '')),
        customer_id uuid REFERENCES customers(id) ON DELETE SET NULL,
        alert_event_id bigint REFERENCES alert_events(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX notifications_customer_idx ON notifications (customer_id, id)`);
    await q.query(`CREATE INDEX notifications_alert_event_idx ON notifications (alert_event_id) WHERE alert_event_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
  }
}
