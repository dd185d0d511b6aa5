import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * alert_call_bounds (1732406402500) has a row per calling customer, and every compaction
 * pass updates the row of each customer it folds calls of: in bench:scale, all 20,000
 * every 5 s. With full pages hardly any update stayed on its page (761 HOT of 46,795
 * after one round), so each left a dead row elsewhere and a new primary-key entry: 487
 * heap pages and 175 index pages for 20,000 live rows, and a batch's read of 4,400 of
 * them went from ~4 ms to ~13 ms, growing with every pass until a VACUUM, which a server
 * without autovacuum never runs. With half-empty pages the new version stays on its page
 * (a HOT update: no indexed column changes) and the old one is pruned the next time the
 * page is visited, as for the buckets (1732406400500).
 */
export class CallBoundsFillfactor1732406402600 implements MigrationInterface {
  name = 'CallBoundsFillfactor1732406402600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alert_call_bounds SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE alert_call_bounds RESET (fillfactor)`);
  }
}
