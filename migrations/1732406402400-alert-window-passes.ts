import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where the windows' pass has got to (alert-jobs.ts): `evaluated_through`, the moment as
 * of which the last complete pass listed its customers, and `rules_version`, which every
 * change to the rules or to whom they apply raises (alert-rule-changes.ts), clearing
 * `evaluated_through` with it. A window moves without a CDR only when a call leaves it,
 * so after a complete pass the next lists the customers with calls that left a window
 * since (and the triggered states), not every customer with calls in the widest window;
 * a pass that finds `evaluated_through` clear lists them all, and a pass advances it
 * only if the version it started from still holds (a rule changed while it ran is seen
 * by the next full pass). One row.
 */
export class AlertWindowPasses1732406402400 implements MigrationInterface {
  name = 'AlertWindowPasses1732406402400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alert_window_passes (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        evaluated_through timestamptz,
        rules_version bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`INSERT INTO alert_window_passes DEFAULT VALUES`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE alert_window_passes`);
  }
}
