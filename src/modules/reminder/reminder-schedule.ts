/**
 * The reminder schedule as SQL. `$1` is the job's clock (a timestamptz parameter):
 * nothing here reads PostgreSQL's now(), so a test that moves the clock moves what is due.
 *
 * A reminder period begins when the job sees the balance below the threshold
 * (s.below_since) and lasts while it stays below. Days are calendar days in the
 * customer's zone (its own, else the settings'), the day the period began being day 1:
 * reminders are sent on at most forDays days (until the local midnight that ends day
 * forDays), and the suspension comes at the local midnight that ends day
 * suspendAfterDays. HOURLY: an hour after the period began or after the last reminder.
 * DAILY: at the first `at` (local) after the period began or after the last reminder;
 * a job that was down sends one late reminder, not a backlog.
 */

/** What a period lasts for, over `customers c`: a threshold, the balance under it, an account in use (INACTIVE has no reminders). */
export const BELOW = `(c.low_balance_threshold IS NOT NULL AND c.balance < c.low_balance_threshold AND c.status <> 'INACTIVE')`;

/**
 * The period's suspension is still in force, over `low_balance_reminder_states s` and
 * `customers c`: nobody changed the status since (the status sequence counts every change)
 * and no penalty made it a timed one.
 */
export const SUSPENSION_IN_FORCE = `(c.status = 'SUSPENDED' AND c.suspended_until IS NULL AND s.suspension_sequence IS NOT NULL
  AND c.status_sequence = s.suspension_sequence)`;

/** How long a period may go unexamined: schedule, zone or threshold changes show within this time. */
export const RECHECK_INTERVAL = `interval '1 minute'`;

/** A schedule column: the customer's own when it has a schedule, else its class's (null without a class). */
const effective = (column: string) => `CASE WHEN c.reminder_frequency IS NOT NULL THEN c.reminder_${column} ELSE cc.reminder_${column} END`;

/**
 * FROM items over every period `s` and its customer `c`, giving on the clock $1:
 *   r.frequency, r.at, r.zone, r.below, r.in_force: the schedule in effect and the customer's state;
 *   t.window_end (reminders end), t.suspend_at (null: no suspension), t.next_reminder;
 *   f.ended (delete the period), f.remind, f.suspend (due now), f.next_due (when to look again, after this pass).
 * Each LATERAL is fenced (OFFSET 0) so that its values are computed once per row, not once per use.
 */
export const SCHEDULE_FROM = `low_balance_reminder_states s
  JOIN customers c ON c.id = s.customer_id
  LEFT JOIN settings st ON true
  LEFT JOIN customer_classes cc ON cc.id = c.customer_class_id
  CROSS JOIN LATERAL (
    SELECT ${effective('frequency')} AS frequency, ${effective('at')} AS at, ${effective('for_days')} AS for_days,
           ${effective('suspend_after_days')} AS suspend_after_days,
           coalesce(c.time_zone, st.time_zone, 'UTC') AS zone, ${BELOW} AS below, ${SUSPENSION_IN_FORCE} AS in_force,
           coalesce(s.last_reminded_at, s.below_since) AS last_notice
    OFFSET 0) r
  CROSS JOIN LATERAL (
    SELECT (s.below_since AT TIME ZONE r.zone)::date AS first_day, r.last_notice AT TIME ZONE r.zone AS local_last
    OFFSET 0) d
  CROSS JOIN LATERAL (
    SELECT ((d.first_day + r.for_days)::timestamp AT TIME ZONE r.zone) AS window_end,
           ((d.first_day + r.suspend_after_days)::timestamp AT TIME ZONE r.zone) AS suspend_at,
           CASE WHEN r.frequency = 'HOURLY' THEN r.last_notice + interval '1 hour'
                ELSE (d.local_last::date + r.at + CASE WHEN d.local_last::date + r.at > d.local_last THEN interval '0' ELSE interval '1 day' END)
                     AT TIME ZONE r.zone END AS next_reminder
    OFFSET 0) t
  CROSS JOIN LATERAL (
    SELECT NOT r.below OR (r.frequency IS NULL AND NOT r.in_force) AS ended,
           r.below AND r.frequency IS NOT NULL AND t.next_reminder <= $1::timestamptz AND $1::timestamptz < t.window_end AS remind,
           r.below AND t.suspend_at IS NOT NULL AND s.suspended_at IS NULL AND c.status = 'ACTIVE' AND $1::timestamptz >= t.suspend_at AS suspend,
           least(
             CASE WHEN r.below AND t.next_reminder > $1::timestamptz AND t.next_reminder < t.window_end THEN t.next_reminder END,
             CASE WHEN r.below AND s.suspended_at IS NULL AND t.suspend_at > $1::timestamptz THEN t.suspend_at END,
             $1::timestamptz + ${RECHECK_INTERVAL}) AS next_due
    OFFSET 0) f`;
