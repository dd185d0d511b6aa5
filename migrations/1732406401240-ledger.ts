import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The readable ledger (issue 13).
 *
 * - `tx`: the top-level transaction id (xid8, as bigint) that wrote the row. Entries are
 *   ordered by (tx, id) and shown only once settled (tx below the oldest running
 *   transaction), which gives a lossless cursor without a lock on the writers; see
 *   docs/ledger.md. Rows written before this migration get 0: all committed long ago, they
 *   come first, in id order.
 * - `accrued_charges`: the customer's accrued charges after the change. Existing rows are
 *   computed from the ledger itself: accrued charges start at 0 and change only through it
 *   (CDR_CHARGES add accrued_delta, RESET sets 0; a RESET row's accrued_delta is the amount
 *   it cleared).
 * - `cdr_count`: how many records a CDR_CHARGES row charged. Not recorded before: NULL.
 * - `api_key_id`: the key whose request made the change (payments, adjustments, resets,
 *   opening balances); NULL for CDR charges and changes nobody asked for. The partial
 *   index serves the foreign key's check when a key is deleted (a customer's keys go with
 *   the customer) without an index entry per CDR charge.
 */
export class Ledger1732406401240 implements MigrationInterface {
  name = 'Ledger1732406401240';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE balance_ledger ADD COLUMN tx bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE balance_ledger ALTER COLUMN tx SET DEFAULT pg_current_xact_id()::text::bigint`);
    await q.query(`ALTER TABLE balance_ledger ADD COLUMN accrued_charges numeric(28,10)`);
    await q.query(`
      UPDATE balance_ledger l SET accrued_charges = s.accrued
        FROM (SELECT id, sum(CASE WHEN reason = 'RESET' THEN 0 ELSE accrued_delta END)
                       OVER (PARTITION BY customer_id, resets ORDER BY id) AS accrued
                FROM (SELECT id, customer_id, reason, accrued_delta,
                             count(*) FILTER (WHERE reason = 'RESET') OVER (PARTITION BY customer_id ORDER BY id) AS resets
                        FROM balance_ledger) g) s
       WHERE s.id = l.id`);
    await q.query(`ALTER TABLE balance_ledger ALTER COLUMN accrued_charges SET NOT NULL`);
    await q.query(`ALTER TABLE balance_ledger ADD COLUMN cdr_count integer CHECK (cdr_count > 0)`);
    await q.query(`ALTER TABLE balance_ledger ADD COLUMN api_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX balance_ledger_api_key_idx ON balance_ledger (api_key_id) WHERE api_key_id IS NOT NULL`);
    // The ledger's order, overall and per customer (the old (customer_id, id) index is covered by the new one).
    await q.query(`CREATE INDEX balance_ledger_order_idx ON balance_ledger (tx, id)`);
    await q.query(`CREATE INDEX balance_ledger_customer_order_idx ON balance_ledger (customer_id, tx, id)`);
    await q.query(`DROP INDEX balance_ledger_customer_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX balance_ledger_customer_idx ON balance_ledger (customer_id, id)`);
    await q.query(`DROP INDEX balance_ledger_customer_order_idx`);
    await q.query(`DROP INDEX balance_ledger_order_idx`);
    await q.query(`DROP INDEX balance_ledger_api_key_idx`);
    await q.query(`ALTER TABLE balance_ledger DROP COLUMN api_key_id`);
    await q.query(`ALTER TABLE balance_ledger DROP COLUMN cdr_count`);
    await q.query(`ALTER TABLE balance_ledger DROP COLUMN accrued_charges`);
    await q.query(`ALTER TABLE balance_ledger DROP COLUMN tx`);
  }
}
