import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert events ordered without a lock on the writers (issue 15): the ledger's scheme
 * (docs/ledger.md), applied to alert_events (src/modules/alert/alert-event-order.ts).
 *
 * - `tx`: the top-level transaction id (xid8, as bigint) that wrote the row, a column
 *   default. Events are ordered by (tx, id) and shown only once settled (tx below the
 *   oldest running transaction). Rows written before this migration get 0: they were
 *   written under the old global lock (id order was commit order) and all committed, so
 *   they come first, in id order, and an old id-only cursor maps to (0, id) exactly.
 * - The order's indexes: overall, per customer and per incident (the feeds and lists
 *   filter by those); the (customer_id, id) and (incident_id, id) ones they replace go.
 */
export class AlertEventOrder1732406401600 implements MigrationInterface {
  name = 'AlertEventOrder1732406401600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alert_events ADD COLUMN tx bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE alert_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id()::text::bigint`);
    await q.query(`CREATE INDEX alert_events_order_idx ON alert_events (tx, id)`);
    await q.query(`CREATE INDEX alert_events_customer_order_idx ON alert_events (customer_id, tx, id)`);
    await q.query(`CREATE INDEX alert_events_incident_order_idx ON alert_events (incident_id, tx, id) WHERE incident_id IS NOT NULL`);
    await q.query(`DROP INDEX alert_events_customer_idx`);
    await q.query(`DROP INDEX alert_events_incident_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX alert_events_incident_idx ON alert_events (incident_id, id) WHERE incident_id IS NOT NULL`);
    await q.query(`CREATE INDEX alert_events_customer_idx ON alert_events (customer_id, id)`);
    await q.query(`DROP INDEX alert_events_incident_order_idx`);
    await q.query(`DROP INDEX alert_events_customer_order_idx`);
    await q.query(`DROP INDEX alert_events_order_idx`);
    await q.query(`ALTER TABLE alert_events DROP COLUMN tx`);
  }
}
