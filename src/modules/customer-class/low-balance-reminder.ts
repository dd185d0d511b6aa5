/**
 * The low-balance reminder schedule as customers and classes carry it (the reminder
 * module runs it). It lives here, the lowest module that stores it: a class has one as
 * its customers' default, a customer may have its own. Stored as four reminder_* columns
 * on either table (all null: none).
 */
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { badInput } from '../../platform/common/errors';

export enum ReminderFrequency {
  HOURLY = 'HOURLY',
  DAILY = 'DAILY',
}

registerEnumType(ReminderFrequency, { name: 'ReminderFrequency' });

/** Upper bound of forDays and suspendAfterDays: a year, leap day included. */
export const MAX_REMINDER_DAYS = 366;

const DESCRIPTION =
  "The softswitch's low-balance notification schedule: while a customer's balance stays\n" +
  'below its lowBalanceThreshold, LOW_BALANCE is sent again every hour, or every day at\n' +
  '`at` (HH:MM, the customer\'s time zone), for at most forDays days. After\n' +
  'suspendAfterDays days below the threshold the customer is SUSPENDED ("disable trunks\n' +
  'after N days") until a payment or adjustment brings the balance back above it, which\n' +
  "also stops the reminders. Days are calendar days in the customer's time zone.";

@ObjectType('LowBalanceReminder', { description: DESCRIPTION })
export class LowBalanceReminder {
  @Field(() => ReminderFrequency)
  frequency!: ReminderFrequency;

  @Field(() => String, { nullable: true })
  at!: string | null;

  @Field(() => Int)
  forDays!: number;

  @Field(() => Int, { nullable: true })
  suspendAfterDays!: number | null;
}

@InputType('LowBalanceReminderInput')
export class LowBalanceReminderInput {
  @Field(() => ReminderFrequency)
  frequency!: ReminderFrequency;

  @Field(() => String, { nullable: true })
  at?: string | null;

  @Field(() => Int)
  forDays!: number;

  @Field(() => Int, { nullable: true })
  suspendAfterDays?: number | null;
}

/** The reminder_* columns of a customers or customer_classes row. */
export interface ReminderColumns {
  reminder_frequency: ReminderFrequency | null;
  /** PostgreSQL `time` as text (HH:MM:SS). */
  reminder_at: string | null;
  reminder_for_days: number | null;
  reminder_suspend_after_days: number | null;
}

/** The columns as a SELECT list, qualified by the table alias when one is given. */
export function reminderColumnsOf(alias?: string): string {
  return ['frequency', 'at', 'for_days', 'suspend_after_days'].map((c) => `${alias ? `${alias}.` : ''}reminder_${c}`).join(', ');
}

export function reminderFrom(row: ReminderColumns): LowBalanceReminder | null {
  if (row.reminder_frequency === null) return null;
  const r = new LowBalanceReminder();
  r.frequency = row.reminder_frequency;
  r.at = row.reminder_at === null ? null : row.reminder_at.slice(0, 5);
  r.forDays = row.reminder_for_days ?? 0;
  r.suspendAfterDays = row.reminder_suspend_after_days;
  return r;
}

const HH_MM_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

function days(value: number, field: string, min: number): number {
  if (!Number.isInteger(value) || value < min || value > MAX_REMINDER_DAYS) throw badInput(`${field} must be a whole number from ${min} to ${MAX_REMINDER_DAYS}`, field);
  return value;
}

/**
 * The columns to write for the input: undefined (left out) writes nothing, null clears
 * the schedule (a customer then uses its class's), a schedule is checked and written
 * whole. forDays 0 sends no reminders, which lets a customer keep only the suspension, or
 * have no reminders at all although its class has some. `field` names the input field in
 * errors (e.g. "lowBalanceReminder").
 */
export function reminderColumns(input: LowBalanceReminderInput | null | undefined, field: string): Partial<ReminderColumns> {
  if (input === undefined) return {};
  if (input === null) return { reminder_frequency: null, reminder_at: null, reminder_for_days: null, reminder_suspend_after_days: null };
  let at: string | null = null;
  if (input.frequency === ReminderFrequency.DAILY) {
    const given = input.at?.trim();
    if (!given || !HH_MM_RE.test(given)) throw badInput(`${field}.at must be the local time of the daily reminder as HH:MM (00:00 to 23:59)`, `${field}.at`);
    at = given;
  } else if (input.at !== undefined && input.at !== null) {
    throw badInput(`${field}.at is for DAILY reminders; HOURLY reminders are sent every hour from when the balance went below the threshold`, `${field}.at`);
  }
  return {
    reminder_frequency: input.frequency,
    reminder_at: at,
    reminder_for_days: days(input.forDays, `${field}.forDays`, 0),
    reminder_suspend_after_days: input.suspendAfterDays === undefined || input.suspendAfterDays === null ? null : days(input.suspendAfterDays, `${field}.suspendAfterDays`, 1),
  };
}
