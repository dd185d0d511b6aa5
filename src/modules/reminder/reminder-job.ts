/**
 * The low-balance reminder job: each pass, in one transaction on the job's clock,
 *   1. starts a period for every customer with a schedule whose balance is below its
 *      threshold and has none (one INSERT ... SELECT over customers);
 *   2. claims the periods with something to do (FOR NO KEY UPDATE OF the period and its
 *      customer, SKIP LOCKED: a customer a CDR batch or a payment holds is done on a
 *      later pass, never waited for), at most CLAIM_BATCH of them;
 *   3. ends the periods that are over (lifting a suspension of theirs still in force),
 *      suspends the customers due, and queues the reminders due, each one statement.
 * Only one instance runs a pass at a time (a transaction-scoped advisory try-lock; the
 * others skip theirs), so the scan of step 1 is not repeated by every instance.
 */
import type { Clock } from '../../platform/clock';
import type { Database } from '../../platform/db/database';
import type { PeriodicJob } from '../../platform/jobs';
import type { CustomerStatusChanges } from '../customer/customer-status';
import type { NotificationService } from '../notification/notification.service';
import { endPeriods } from './reminder-periods';
import { BELOW, ENDED, FREQUENCY, REMIND_DUE, SUSPEND_DUE, SUSPENSION_IN_FORCE } from './reminder-schedule';
import { CustomerStatus } from '../customer/customer.enums';
import { StatusChangeReason } from '../customer/customer-status';

/** Periods handled per pass at most; the rest wait for the next pass (a second later by default). */
const CLAIM_BATCH = 500;

/** Only one instance runs a reminder pass at a time. */
const REMINDER_JOB_LOCK_KEY = 7_411_000_013;

const FROM = `FROM low_balance_reminder_states s
  JOIN customers c ON c.id = s.customer_id
  LEFT JOIN settings st ON true
  LEFT JOIN customer_classes cc ON cc.id = c.customer_class_id`;

/** Ordered by id, like every writer of customers' rows (ON CONFLICT may wait on another's insert). */
const START_SQL = `
INSERT INTO low_balance_reminder_states (customer_id, below_since)
SELECT c.id, $1::timestamptz
  FROM customers c
  LEFT JOIN customer_classes cc ON cc.id = c.customer_class_id
 WHERE ${BELOW} AND ${FREQUENCY} IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM low_balance_reminder_states s WHERE s.customer_id = c.id)
 ORDER BY c.id
ON CONFLICT (customer_id) DO NOTHING`;

/** Evaluated on the locked rows' newest versions (a row changed while this waited is re-checked). */
const CLAIM_SQL = `
SELECT s.customer_id, ${ENDED} AS ended, ${SUSPENSION_IN_FORCE} AS in_force, ${REMIND_DUE} AS remind, ${SUSPEND_DUE} AS suspend
  ${FROM}
 WHERE ${ENDED} OR ${REMIND_DUE} OR ${SUSPEND_DUE}
 ORDER BY c.id
 LIMIT ${CLAIM_BATCH}
   FOR NO KEY UPDATE OF s, c SKIP LOCKED`;

const MARK_REMINDED_SQL = `
UPDATE low_balance_reminder_states SET last_reminded_at = $2, reminders_sent = reminders_sent + 1
 WHERE customer_id = ANY($1::uuid[])`;

const MARK_SUSPENDED_SQL = `
UPDATE low_balance_reminder_states s SET suspended_at = $3, suspension_sequence = t.sequence
  FROM unnest($1::uuid[], $2::bigint[]) AS t(customer_id, sequence)
 WHERE s.customer_id = t.customer_id`;

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
      }),
  };
}
