import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a fleet-wide background pass last ran (src/platform/db/job-runs.ts): a job that
 * should run once per interval whatever the number of instances claims its row, and an
 * instance whose claim finds the interval not yet over skips the pass. One row per job.
 */
export class JobRuns1732406401800 implements MigrationInterface {
  name = 'JobRuns1732406401800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE job_runs (name text PRIMARY KEY, last_run_at timestamptz NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_runs`);
  }
}
