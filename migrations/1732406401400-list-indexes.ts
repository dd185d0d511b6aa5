import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index for every filter and order the lists offer (docs/lists.md), where a scan would
 * otherwise read a whole table:
 * - substring filters (`ILIKE '%x%'`: customers' search, name and company, trunks' and
 *   hosts' trunk and customer names, alert rules' search) get trigram GIN indexes (pg_trgm);
 * - Customer.trunks and Trunk.hosts read each parent's first rows in list order from
 *   (customer_id, name, id) and (trunk_id, ip, port, id), which replace the single-column
 *   indexes they lead with;
 * - trunks page by (name, id), hosts filter by their customer (the copy of
 *   1732406401230), alert events and ledger entries by time, incidents by rule and assignee.
 *
 * Left unindexed on purpose: customers' balance, balanceBelow/Above and the BALANCE and
 * AVAILABLE_CREDIT orders (an index on balance makes every CDR balance update non-HOT,
 * 1732406400700); low-cardinality enums (status, terms, type, direction, enabled, kinds,
 * area, reason, channel), which the ordered index of the list reads past (a page stops after
 * limit + 1 matches); the cdrs filters beyond customer, trunk and time (disposition,
 * minDuration, callee), as every index on cdrs costs every ingested record.
 */
export class ListIndexes1732406401400 implements MigrationInterface {
  name = 'ListIndexes1732406401400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    for (const column of ['name', 'company', 'main_email', 'noc_email', 'billing_email', 'rates_email', 'tax_id']) {
      await q.query(`CREATE INDEX customers_${column}_trgm ON customers USING gin (${column} gin_trgm_ops)`);
    }
    await q.query(`CREATE INDEX trunks_customer_name_idx ON trunks (customer_id, name, id)`);
    await q.query(`DROP INDEX trunks_customer_idx`);
    await q.query(`CREATE INDEX trunks_name_id_idx ON trunks (name, id)`);
    await q.query(`CREATE INDEX trunks_name_trgm ON trunks USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX hosts_trunk_address_idx ON hosts (trunk_id, ip, port NULLS FIRST, id)`);
    await q.query(`DROP INDEX hosts_trunk_idx`);
    await q.query(`CREATE INDEX hosts_customer_idx ON hosts (customer_id, ip, id)`);
    await q.query(`CREATE INDEX alert_events_occurred_idx ON alert_events (occurred_at, id)`);
    await q.query(`CREATE INDEX alert_definitions_title_trgm ON alert_definitions USING gin (title gin_trgm_ops) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX balance_ledger_occurred_idx ON balance_ledger (occurred_at)`);
    await q.query(`CREATE INDEX alert_incidents_definition_idx ON alert_incidents (definition_id, id)`);
    await q.query(`CREATE INDEX alert_incidents_assignee_idx ON alert_incidents (assignee, id) WHERE assignee IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alert_incidents_assignee_idx`);
    await q.query(`DROP INDEX alert_incidents_definition_idx`);
    await q.query(`DROP INDEX balance_ledger_occurred_idx`);
    await q.query(`DROP INDEX alert_definitions_title_trgm`);
    await q.query(`DROP INDEX alert_events_occurred_idx`);
    await q.query(`DROP INDEX hosts_customer_idx`);
    await q.query(`CREATE INDEX hosts_trunk_idx ON hosts (trunk_id)`);
    await q.query(`DROP INDEX hosts_trunk_address_idx`);
    await q.query(`DROP INDEX trunks_name_trgm`);
    await q.query(`DROP INDEX trunks_name_id_idx`);
    await q.query(`CREATE INDEX trunks_customer_idx ON trunks (customer_id)`);
    await q.query(`DROP INDEX trunks_customer_name_idx`);
    for (const column of ['name', 'company', 'main_email', 'noc_email', 'billing_email', 'rates_email', 'tax_id']) {
      await q.query(`DROP INDEX customers_${column}_trgm`);
    }
    // pg_trgm stays: another object may have come to depend on it.
  }
}
