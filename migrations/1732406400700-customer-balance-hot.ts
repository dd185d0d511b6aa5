import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every CDR batch updates the balance of each customer it charges. The index on
 * (balance, id) made each of those updates a new row version on another page plus
 * an entry in all seven customer indexes: none of them could be HOT. Customers of a
 * busy feed then bloat by a row version per batch until autovacuum comes by (at most
 * once a minute): measured on the CDR bench, the ledger statement went from 2.5 ms to
 * 5 ms and more over a minute of 1,000-record batches, as every read of customers
 * walked the dead versions.
 *
 * Without it, no indexed column changes on a balance update, and with room on the
 * page (fillfactor 70) the new version stays there as a HOT update: no index entries,
 * and the page prunes its own dead versions. Sorting or filtering customers by
 * balance (customers(orderBy: BALANCE), balanceBelow/Above) sorts the carrier's
 * customers in memory instead: thousands of rows, milliseconds.
 */
export class CustomerBalanceHot1732406400700 implements MigrationInterface {
  name = 'CustomerBalanceHot1732406400700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX customers_balance_idx`);
    await q.query(`ALTER TABLE customers SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customers RESET (fillfactor)`);
    await q.query(`CREATE INDEX customers_balance_idx ON customers (balance, id)`);
  }
}
