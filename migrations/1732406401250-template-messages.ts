import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers get a phone (E.164) that receives their notifications as SMS. Template
 * messages gain an optional `sms` text inside the existing messages jsonb: no column,
 * and a message without one sends its subject, so stored templates need no rewrite.
 *
 * Behaviour that changes with this release without a schema change (see
 * docs/notifications.md): a customer whose class has no notification template now
 * receives no customer notifications (PortaBilling's rule); before, it got the built-in
 * texts. Customers without a class still get the built-in texts.
 *
 * down() drops the phone (its SMS rows stay in the delivery log) and strips the sms
 * texts from stored messages, so the previous release reads exactly what it wrote.
 */
export class TemplateMessages1732406401250 implements MigrationInterface {
  name = 'TemplateMessages1732406401250';

  async up(q: QueryRunner): Promise<void> {
    // Nullable without a default: no table rewrite of the (hot) customers table; the check scans it once.
    await q.query(`ALTER TABLE customers ADD COLUMN phone text CONSTRAINT customers_phone_e164 CHECK (phone ~ '^\\+[1-9][0-9]{1,14}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers DROP COLUMN phone`);
    await q.query(
      `UPDATE notification_templates
          SET messages = (SELECT coalesce(jsonb_agg(m - 'sms' ORDER BY ord), '[]'::jsonb) FROM jsonb_array_elements(messages) WITH ORDINALITY AS e(m, ord))
        WHERE jsonb_path_exists(messages, '$[*].sms')`,
    );
  }
}
