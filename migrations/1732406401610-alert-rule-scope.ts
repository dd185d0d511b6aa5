import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The global rules (neither a customer's nor a class's: account-type rules and the
 * built-ins) by a partial index, so the alert engine finds each customer's rules by three
 * index probes (its own, its class's, the global ones; scopedRulesSql in
 * src/modules/alert/alert-engine.ts) instead of testing every rule against every customer.
 * The customer and class scopes have their indexes since the alerts migration.
 */
export class AlertRuleScope1732406401610 implements MigrationInterface {
  name = 'AlertRuleScope1732406401610';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX alert_definitions_global_idx ON alert_definitions (area) WHERE customer_id IS NULL AND customer_class_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alert_definitions_global_idx`);
  }
}
