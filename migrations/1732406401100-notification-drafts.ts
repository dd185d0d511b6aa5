import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications are rendered at delivery, outside the transaction that caused them:
 * a row is inserted as a draft (the template as it was, and the data it sees) and the
 * worker renders it into subject/body/bcc/payload when it claims it. draft stays set
 * on a row whose rendering failed, so retryNotification renders it again.
 */
export class NotificationDrafts1732406401100 implements MigrationInterface {
  name = 'NotificationDrafts1732406401100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications ADD COLUMN draft jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP COLUMN draft`);
  }
}
