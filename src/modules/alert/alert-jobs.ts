/**
 * Alert schedulers. Each pass is one transaction that claims its rows (SKIP LOCKED or a
 * try-advisory lock), so several instances can run them at once and no event is
 * produced twice: a claimed row is invisible to the others until the claim commits,
 * and after the commit it no longer matches the claim's WHERE.
 */
import type { Database } from '../../platform/db/database';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { PeriodicJob } from '../../platform/jobs';
import { WINDOWED_AREAS } from './alert.enums';
import type { AlertEngine, RuleRow } from './alert-engine';
import { draftOf, THRESHOLD_SQL, windowHorizonSql } from './alert-engine';
import { compactCallBucketsSql, VACUUM_CALL_BUCKET_DELTAS_SQL } from '../cdr/call-buckets';
import { repeatDue } from './alert-evaluator';
import type { AlertEventsReaction } from './alert-event';
import type { AlertEventWriter } from './alert-event-writer';
import { countStatusChange, StatusChangeReason, statusChangeReturning, type CustomerStatusChanges, type StatusChangeRow } from '../customer/customer-status';
import { preparedSql } from '../../platform/db/prepared-sql';
import { claimJobRun } from '../../platform/db/job-runs';
import { windowPassDone, windowPassStart } from './alert-window-passes';

const CLAIM_BATCH = 500;

/**
 * Customers per read of the windows' pass that finds, without locking them, those whose
 * windows have something to do (windowsDue). Each read sums the deltas not compacted yet
 * once (call_bucket_delta_sums scans them), so reads are few and large: in chunks of 500,
 * 20,000 customers took 40 reads a pass, ~9 ms each (bench:scale with the jobs on).
 */
const WINDOW_DUE_READ = 10_000;

/** Only one instance re-evaluates windows at a time (another stops its pass at its next chunk). */
const WINDOW_JOB_LOCK_KEY = 7_411_000_002;
/** Only one instance compacts call buckets at a time. */
const COMPACTION_LOCK_KEY = 7_411_000_003;
const COMPACT_SQL = compactCallBucketsSql(false);
const COMPACT_WITH_BOUNDS_SQL = compactCallBucketsSql(true);
/**
 * Moves the customers' kept bounds to the widest window's first minute as of now (NULL,
 * none kept, without a windowed rule): migrations/1732406402500-call-bucket-bounds.ts.
 */
const MOVE_CALL_BOUNDS_SQL = `SELECT alert_call_bounds_move((${windowHorizonSql('$1')})) AS since`;

const CLAIM_REPEATS_SQL = preparedSql('alert.claim-repeats', `
SELECT d.id AS definition_id, c.id AS customer_id, c.name AS customer_name, c.customer_class_id, d.title, d.area,
       d.operator, ${THRESHOLD_SQL} AS threshold, d.reset_threshold, NULL::integer AS penalty, s.value, s.triggered,
       d.repeat_interval, s.last_notified_at, now() AS now
  FROM alert_states s
  JOIN alert_definitions d ON d.id = s.definition_id
  JOIN customers c ON c.id = s.customer_id
 WHERE s.triggered AND d.enabled AND d.repeat_interval IS NOT NULL AND s.value IS NOT NULL
   AND s.last_notified_at <= now() - make_interval(secs => d.repeat_interval)
   AND NOT EXISTS (SELECT 1 FROM alert_incidents i
                    WHERE i.definition_id = s.definition_id AND i.customer_id = s.customer_id AND i.status <> 'RESOLVED'
                      AND (i.status = 'ACKNOWLEDGED' OR i.snoozed_until > now()))
 ORDER BY c.id
 LIMIT ${CLAIM_BATCH}
   FOR NO KEY UPDATE OF s, c SKIP LOCKED`);

const MARK_NOTIFIED_SQL = `
UPDATE alert_states s SET last_notified_at = now()
  FROM unnest($1::uuid[], $2::uuid[]) AS t(definition_id, customer_id)
 WHERE s.definition_id = t.definition_id AND s.customer_id = t.customer_id`;

/**
 * Customers whose windows may have moved: those with a triggered windowed state, and those
 * with calls that left a window since the last complete pass ($2): per sample period, the
 * calls started in ($2 - period, now - period], exact to the second and found by
 * cdrs_started_idx, a few hundred a pass in bench:scale (by minute buckets a pass read a
 * whole minute of calls, thousands of customers); with $2 null every customer with calls
 * in the widest window. Sent unnamed, so planned for its values at each pass.
 */
const WINDOW_CUSTOMERS_SQL = `
WITH periods AS MATERIALIZED (
  SELECT DISTINCT sample_period AS secs FROM alert_definitions WHERE enabled AND area = ANY($1::text[]) AND sample_period IS NOT NULL
), edges AS MATERIALIZED (
  SELECT $2::timestamptz - make_interval(secs => p.secs) AS lo, now() - make_interval(secs => p.secs) AS hi
    FROM periods p WHERE $2::timestamptz IS NOT NULL
  UNION ALL
  SELECT now() - make_interval(secs => max(p.secs)), 'infinity'::timestamptz
    FROM periods p WHERE $2::timestamptz IS NULL HAVING count(*) > 0
)
SELECT s.customer_id AS id FROM alert_states s JOIN alert_definitions d ON d.id = s.definition_id
 WHERE s.triggered AND d.enabled AND d.area = ANY($1::text[])
UNION
SELECT c.customer_id FROM edges e JOIN cdrs c ON c.started_at > e.lo AND c.started_at <= e.hi`;

/** Whether this transaction holds the windows' pass lock (another instance may hold it). */
async function windowPassLock(uow: UnitOfWork): Promise<boolean> {
  const [{ locked }] = await uow.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [WINDOW_JOB_LOCK_KEY]);
  return locked;
}

/** Lifts expired penalties, only where the suspension is still the one a penalty set. */
const RESTORE_SQL = preparedSql('alert.restore-penalties', `
WITH due AS (
  SELECT id, status, suspended_until FROM customers
   WHERE status = 'SUSPENDED' AND suspended_until <= now()
   ORDER BY id LIMIT ${CLAIM_BATCH}
     FOR NO KEY UPDATE SKIP LOCKED
)
UPDATE customers c SET status = 'ACTIVE', suspended_until = NULL, ${countStatusChange(`'ACTIVE'`)}, updated_at = now()
  FROM due
 WHERE c.id = due.id AND c.status = 'SUSPENDED' AND c.suspended_until = due.suspended_until
RETURNING ${statusChangeReturning('due.status')}`);

/**
 * `compaction`: how often the call-bucket deltas are compacted, across all instances
 * (CALL_BUCKET_COMPACTION_MS; see call-buckets.ts for what it trades), and how often
 * while windowed rules exist (CALL_BUCKET_COMPACTION_RULES_MS): then every CDR batch's
 * rule statement and every windows' pass sum the deltas not folded yet, a scan of all of
 * them, so halving the interval halves that scan for a few more passes. bench:scale's
 * rules scenario (2 feeds, 1,000 rules, one round each, alternating, on a PostgreSQL 15 of
 * its own on 2026-12-05: six at 5 s and at 2.5 s, three at 2 s):
 * 23,800 CDR/s at 2.5 s against 22,700 at 5 s (2 s: 23,800); its built-ins-only scenario,
 * which keeps no bounds, ran 2.5% slower at 2.5 s, hence the two settings. Which one
 * applies is what this instance's last pass found (alert_call_bounds_move's minute), so
 * an instance that has not run one yet claims at the longer interval. `windows`: the
 * windows' re-evaluation, its customers per transaction (ALERT_WINDOW_CHUNK) and how
 * often it runs across all instances (ALERT_WINDOW_INTERVAL_MS).
 */
export function alertJobs(
  db: Database,
  engine: AlertEngine,
  writer: AlertEventWriter,
  reactToEvents: AlertEventsReaction,
  statusChanges: CustomerStatusChanges,
  compaction: { everyMs: number; whileRulesMs: number },
  windows: { chunk: number; everyMs: number },
): PeriodicJob[] {
  let boundsKept = false;
  return [
    {
      name: 'alert-repeats',
      run: () =>
        db.transaction(async (uow) => {
          type Claimed = RuleRow & { repeat_interval: number; last_notified_at: Date; now: Date };
          const due = (await uow.query<Claimed>(CLAIM_REPEATS_SQL)).filter((r) => repeatDue(r.repeat_interval, r.last_notified_at, r.now));
          if (due.length === 0) return;
          await uow.query(MARK_NOTIFIED_SQL, [due.map((r) => r.definition_id), due.map((r) => r.customer_id)]);
          await reactToEvents(uow, await writer.write(uow, due.map((r) => draftOf(r, 'REPEATED', r.value!))));
        }),
    },
    {
      name: 'alert-windows',
      // Once per ALERT_WINDOW_INTERVAL_MS across the fleet, not once per instance and tick.
      due: () => claimJobRun(db, 'alert-windows', windows.everyMs),
      // A pass lists the customers whose windows may have moved (after a complete pass, only
      // those with calls that left a window since: alert-window-passes.ts), keeps those whose
      // windows have something to do (windowsDue, read without locks), and locks and evaluates
      // only them: a pass that locked every customer with calls in the widest window queued
      // behind the CDR batches holding some of them, and the batches behind it (bench:scale with
      // the jobs on, 20,000 calling customers, none with a window to move: 0.30x the
      // built-ins-only rate). They are evaluated `windows.chunk` at a time, each chunk in a
      // transaction of its own, so a CDR batch waits for one chunk at most. Each chunk takes the
      // pass's lock again: when another instance holds it, this pass stops, and that one goes on
      // from the mark this one did not advance. A customer is evaluated whole under its own
      // lock, and no rule spans customers, so a pass in chunks decides what a pass in one would.
      run: async () => {
        const listing = await db.transaction(async (uow) => {
          if (!(await windowPassLock(uow))) return null;
          const start = await windowPassStart(uow);
          const listed = (await uow.query<{ id: string }>(WINDOW_CUSTOMERS_SQL, [WINDOWED_AREAS, start.evaluatedThrough])).map((c) => c.id);
          const due: string[] = [];
          for (let i = 0; i < listed.length; i += WINDOW_DUE_READ) due.push(...(await engine.windowsDue(uow, listed.slice(i, i + WINDOW_DUE_READ))));
          return { start, customers: due.sort() };
        });
        if (!listing) return;
        const { start, customers } = listing;
        for (let i = 0; i < customers.length; i += windows.chunk) {
          const chunk = customers.slice(i, i + windows.chunk);
          const ours = await db.transaction(async (uow) => {
            if (!(await windowPassLock(uow))) return false;
            const raised = await engine.evaluateWindows(uow, chunk);
            if (raised.length) await reactToEvents(uow, raised);
            return true;
          });
          if (!ours) return;
        }
        await db.transaction(async (uow) => {
          if (await windowPassLock(uow)) await windowPassDone(uow, start);
        });
      },
    },
    {
      name: 'alert-bucket-compaction',
      // Once per interval across the fleet, not once per instance and tick.
      due: () => claimJobRun(db, 'alert-bucket-compaction', boundsKept ? compaction.whileRulesMs : compaction.everyMs),
      run: async () => {
        await db.query(VACUUM_CALL_BUCKET_DELTAS_SQL);
        await db.transaction(async (uow) => {
          const [{ locked }] = await uow.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [COMPACTION_LOCK_KEY]);
          if (!locked) return;
          // The kept bounds first follow the widest window (their minutes that left it
          // subtracted, or a recount), then the fold adds to them what it moves.
          const [{ since }] = await uow.query<{ since: Date | null }>(MOVE_CALL_BOUNDS_SQL, [WINDOWED_AREAS]);
          boundsKept = since !== null;
          await uow.query(since === null ? COMPACT_SQL : COMPACT_WITH_BOUNDS_SQL);
        });
      },
    },
    {
      name: 'penalty-expiry',
      run: () =>
        db.transaction(async (uow) => {
          await statusChanges.report(uow, await uow.query<StatusChangeRow>(RESTORE_SQL), StatusChangeReason.PENALTY_EXPIRED);
        }),
    },
  ];
}
