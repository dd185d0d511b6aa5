import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of recordPayment and adjustBalance. A client that timed out and
 * retries a payment sends the same key, and gets the first BalanceChange back instead
 * of a second credit. The key row is written in the payment's own transaction, so it
 * exists exactly when the payment does.
 *
 * Keys are scoped per customer (the primary key): two customers' systems cannot collide,
 * and a retry always names its customer. The fingerprint (operation and arguments)
 * tells a retry from a mistaken reuse of a key, which is a CONFLICT. Rows live as long
 * as their ledger entry.
 */
export class BalanceIdempotencyKeys1732406400850 implements MigrationInterface {
  name = 'BalanceIdempotencyKeys1732406400850';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE balance_idempotency_keys (
        customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        fingerprint text NOT NULL,
        ledger_id bigint NOT NULL REFERENCES balance_ledger(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, key)
      )`);
    // The foreign key's delete check on balance_ledger needs it.
    await q.query(`CREATE INDEX balance_idempotency_keys_ledger_idx ON balance_idempotency_keys (ledger_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE balance_idempotency_keys`);
  }
}
