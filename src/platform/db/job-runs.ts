/**
 * Fleet-wide pacing of a background pass: every instance's scheduler ticks, but a job
 * that should run once per interval across all of them (however many instances there
 * are) claims its row in job_runs first, and only the claim that finds the interval over
 * runs the pass. Concurrent claims wait on the row; the second sees the first's time and
 * gets nothing. A claim 5% early still counts: the ticks drift by milliseconds, and a pass
 * due every 2 s must not slip to every 3 s because a tick came 2 ms too soon.
 */
import type { Database } from './database';
import { preparedSql } from './prepared-sql';

const CLAIM_SQL = preparedSql('job-runs.claim', `
INSERT INTO job_runs AS r (name, last_run_at) VALUES ($1, now())
ON CONFLICT (name) DO UPDATE SET last_run_at = EXCLUDED.last_run_at
 WHERE r.last_run_at <= now() - make_interval(secs => $2::double precision * 0.95 / 1000)
RETURNING true AS claimed`);

/** True when this instance may run `name`'s pass now (the last one began at least `everyMs` ago, on any instance). */
export async function claimJobRun(db: Database, name: string, everyMs: number): Promise<boolean> {
  const rows = await db.query<{ claimed: boolean }>(CLAIM_SQL, [name, everyMs]);
  return rows.length > 0;
}
