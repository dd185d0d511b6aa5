/**
 * The reminder schedule as SQL, over `low_balance_reminder_states s`, `customers c`,
 * `settings st` and `customer_classes cc` (both left joined: the one row, the customer's class). `$1` is
 * the job's clock (a timestamptz parameter): nothing here reads PostgreSQL's now(), so a
 * test that moves the clock moves what is due.
 *
 * A reminder period begins when the job sees the balance below the threshold
 * (s.below_since) and lasts while it stays below. Days are calendar days in the
 * customer's zone (its own, else the settings'), the day the period began being day 1:
 * reminders are sent on at most forDays days (until the local midnight that ends day
 * forDays), and the suspension comes at the local midnight that ends day
 * suspendAfterDays. HOURLY: an hour after the period began or after the last reminder.
 * DAILY: at the latest `at` (local) that is after the period began and after the last
 * reminder, so a job that was down sends one late reminder, not a backlog.
 */

const NOW = '$1::timestamptz';

/** The customer's zone: its own, else the settings' one (UTC, as for messages, should the settings row be missing). */
const ZONE = `coalesce(c.time_zone, st.time_zone, 'UTC')`;

/** A schedule column: the customer's own when it has a schedule, else its class's (null without a class). */
const effective = (column: string) => `(CASE WHEN c.reminder_frequency IS NOT NULL THEN c.reminder_${column} ELSE cc.reminder_${column} END)`;
export const FREQUENCY = effective('frequency');
const AT = effective('at');
const FOR_DAYS = effective('for_days');
const SUSPEND_AFTER_DAYS = effective('suspend_after_days');

/** What a period lasts for: a threshold, the balance under it, an account in use (INACTIVE has no reminders). */
export const BELOW = `(c.low_balance_threshold IS NOT NULL AND c.balance < c.low_balance_threshold AND c.status <> 'INACTIVE')`;

/** The local midnight that ends day `days` of the period. */
const endOfDay = (days: string) => `((((s.below_since AT TIME ZONE ${ZONE})::date + ${days})::timestamp) AT TIME ZONE ${ZONE})`;

const LOCAL_NOW = `(${NOW} AT TIME ZONE ${ZONE})`;
const TODAY_AT = `(${LOCAL_NOW}::date + ${AT})`;
/** The latest daily reminder time at or before now. */
const LATEST_DAILY = `((CASE WHEN ${TODAY_AT} <= ${LOCAL_NOW} THEN ${TODAY_AT} ELSE ${TODAY_AT} - interval '1 day' END) AT TIME ZONE ${ZONE})`;
const LAST_NOTICE = 'coalesce(s.last_reminded_at, s.below_since)';

export const REMIND_DUE = `(${BELOW} AND ${FREQUENCY} IS NOT NULL AND ${NOW} < ${endOfDay(FOR_DAYS)}
  AND CASE WHEN ${FREQUENCY} = 'HOURLY' THEN ${NOW} >= ${LAST_NOTICE} + interval '1 hour' ELSE ${LATEST_DAILY} > ${LAST_NOTICE} END)`;

/**
 * Suspension due: once per period, of an ACTIVE customer (one already SUSPENDED by an
 * operator or a penalty is left to them, and suspended here when they make it ACTIVE
 * while the period lasts; an operator who makes it ACTIVE after this suspension wins).
 */
export const SUSPEND_DUE = `(${BELOW} AND ${SUSPEND_AFTER_DAYS} IS NOT NULL AND s.suspended_at IS NULL AND c.status = 'ACTIVE'
  AND ${NOW} >= ${endOfDay(SUSPEND_AFTER_DAYS)})`;

/**
 * The period's suspension is still in force: nobody changed the status since (the status
 * sequence counts every change) and no penalty made it a timed one.
 */
export const SUSPENSION_IN_FORCE = `(c.status = 'SUSPENDED' AND c.suspended_until IS NULL AND s.suspension_sequence IS NOT NULL
  AND c.status_sequence = s.suspension_sequence)`;

/**
 * The period is over: the balance is no longer below (or the account INACTIVE), or the
 * schedule was removed and no suspension of the period is in force (one in force keeps
 * the period, so that the payment that ends it lifts the suspension).
 */
export const ENDED = `(NOT ${BELOW} OR (${FREQUENCY} IS NULL AND NOT ${SUSPENSION_IN_FORCE}))`;
