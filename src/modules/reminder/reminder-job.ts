/**
 * The low-balance reminder job: each pass, in one transaction on the job's clock,
 *   1. starts a period for every customer with a schedule whose balance is below its
 *      threshold and has none (one INSERT ... SELECT over customers), due at once;
 *   2. claims the periods due (s.due_at, indexed), at most CLAIM_BATCH, locking each
 *      period and its customer (SKIP LOCKED: a customer a CDR batch or a payment holds is
 *      done on a later pass, never waited for);
 *   3. ends the periods that are over (lifting a suspension of theirs still in force),
 *      suspends the customers due, queues the reminders due, and sets when each remaining
 *      period is due next (its next reminder or suspension, at the latest a minute on, so
 *      that changed schedules, zones and thresholds are seen), each one statement.
 * Only one instance runs a pass at a time (a transaction-scoped advisory try-lock; the
 * others skip theirs), so the scan of step 1 is not repeated by every instance.
 */
import type { Clock } from '../../platform/clock';
import type { Database } from '../../platform/db/database';
import type { PeriodicJob } from '../../platform/jobs';
import { CustomerStatus } from '../customer/customer.enums';
import { StatusChangeReason, type CustomerStatusChanges } from '../customer/customer-status';
import type { NotificationService } from '../notification/notification.service';
import { endPeriods } from './reminder-periods';
import { BELOW, SCHEDULE_FROM } from './reminder-schedule';
import { preparedSql } from '../../platform/db/prepared-sql';

/** Periods handled per pass at most; the rest wait for the next pass (a second later by default). */
const CLAIM_BATCH = 500;

/** Only one instance runs a reminder pass at a time. */
const REMINDER_JOB_LOCK_KEY = 7_411_000_013;

/** Ordered by id, like every writer of customers' rows (ON CONFLICT may wait on another's insert). */
const START_SQL = preparedSql('reminder.start', `
INSERT INTO low_balance_reminder_states (customer_id, below_since, due_at)
SELECT c.id, $1::timestamptz, $1::timestamptz
  FROM customers c
  LEFT JOIN customer_classes cc ON cc.id = c.customer_class_id
 WHERE ${BELOW} AND (c.reminder_frequency IS NOT NULL OR cc.reminder_frequency IS NOT NULL)
   AND NOT EXISTS (SELECT 1 FROM low_balance_reminder_states s WHERE s.customer_id = c.id)
 ORDER BY c.id
ON CONFLICT (customer_id) DO NOTHING`);

/** What is due is computed on the locked rows' newest versions (a row changed while this waited is re-checked). */
const CLAIM_SQL = preparedSql('reminder.claim', `
SELECT s.customer_id, f.ended, r.in_force, f.remind, f.suspend
  FROM ${SCHEDULE_FROM}
 WHERE s.due_at <= $1::timestamptz
 ORDER BY s.due_at
 LIMIT ${CLAIM_BATCH}
   FOR NO KEY UPDATE OF s, c SKIP LOCKED`);

const MARK_REMINDED_SQL = `
UPDATE low_balance_reminder_states SET last_reminded_at = $2, reminders_sent = reminders_sent + 1
 WHERE customer_id = ANY($1::uuid[])`;

const MARK_SUSPENDED_SQL = `
UPDATE low_balance_reminder_states s SET suspended_at = $3, suspension_sequence = t.sequence
  FROM unnest($1::uuid[], $2::bigint[]) AS t(customer_id, sequence)
 WHERE s.customer_id = t.customer_id`;

/** After this pass's reminders and suspensions were recorded. */
const RESCHEDULE_SQL = `
UPDATE low_balance_reminder_states u SET due_at = n.next_due
  FROM (SELECT s.customer_id, f.next_due FROM ${SCHEDULE_FROM} WHERE s.customer_id = ANY($2::uuid[])) n
 WHERE u.customer_id = n.customer_id`;

interface Claimed {
  customer_id: string;
  ended: boolean;
  in_force: boolean;
  remind: boolean;
  suspend: boolean;
}

export function lowBalanceReminderJob(db: Database, clock: Clock, statusChanges: CustomerStatusChanges, notifications: NotificationService): PeriodicJob {
  return {
    name: 'low-balance-reminders',
    run: () =>
      db.transaction(async (uow) => {
        const [{ locked }] = await uow.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [REMINDER_JOB_LOCK_KEY]);
        if (!locked) return;
        const now = clock.now();
        await uow.query(START_SQL, [now]);
        const claimed = await uow.query<Claimed>(CLAIM_SQL, [now]);
        if (claimed.length === 0) return;

        const ended = claimed.filter((r) => r.ended);
        if (ended.length) {
          await endPeriods(
            uow,
            statusChanges,
            ended.map((r) => r.customer_id),
            ended.filter((r) => r.in_force).map((r) => r.customer_id),
          );
        }

        const suspend = claimed.filter((r) => r.suspend).map((r) => r.customer_id);
        if (suspend.length) {
          const rows = await statusChanges.set(
            uow,
            suspend.map((customerId) => ({ customerId, status: CustomerStatus.SUSPENDED, suspendedUntil: null })),
            StatusChangeReason.REMINDER,
          );
          await uow.query(MARK_SUSPENDED_SQL, [rows.map((r) => r.customer_id), rows.map((r) => r.status_sequence), now]);
        }

        const remind = claimed.filter((r) => r.remind).map((r) => r.customer_id);
        if (remind.length) {
          await uow.query(MARK_REMINDED_SQL, [remind, now]);
          await notifications.onLowBalanceReminders(uow, remind.map((customerId) => ({ customerId, remindedAt: now })));
        }

        const going = claimed.filter((r) => !r.ended).map((r) => r.customer_id);
        if (going.length) await uow.query(RESCHEDULE_SQL, [now, going]);
      }),
  };
}
