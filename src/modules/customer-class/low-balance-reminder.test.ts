import 'reflect-metadata';
import { AppError } from '../../platform/common/errors';
import { reminderColumns, reminderFrom, ReminderFrequency, type LowBalanceReminderInput } from './low-balance-reminder';

const input = (i: Partial<LowBalanceReminderInput>): LowBalanceReminderInput => ({ frequency: ReminderFrequency.DAILY, at: '09:00', forDays: 3, ...i }) as LowBalanceReminderInput;

function refusal(i: LowBalanceReminderInput): { message: string; field: unknown } {
  try {
    reminderColumns(i, 'lowBalanceReminder');
  } catch (err) {
    if (err instanceof AppError && err.code === 'BAD_USER_INPUT') return { message: err.message, field: err.extensions.field };
    throw err;
  }
  throw new Error('accepted');
}

describe('reminderColumns', () => {
  it('leaves the columns alone when the field is left out, and clears all four on null', () => {
    expect(reminderColumns(undefined, 'r')).toEqual({});
    expect(reminderColumns(null, 'r')).toEqual({ reminder_frequency: null, reminder_at: null, reminder_for_days: null, reminder_suspend_after_days: null });
  });

  it('writes a daily schedule with its time, and an hourly one without', () => {
    expect(reminderColumns(input({ at: ' 07:30 ', suspendAfterDays: 5 }), 'r')).toEqual({
      reminder_frequency: 'DAILY',
      reminder_at: '07:30',
      reminder_for_days: 3,
      reminder_suspend_after_days: 5,
    });
    expect(reminderColumns(input({ frequency: ReminderFrequency.HOURLY, at: undefined, forDays: 0 }), 'r')).toEqual({
      reminder_frequency: 'HOURLY',
      reminder_at: null,
      reminder_for_days: 0,
      reminder_suspend_after_days: null,
    });
  });

  it.each([
    [{ at: undefined }, 'lowBalanceReminder.at'],
    [{ at: '9:00' }, 'lowBalanceReminder.at'],
    [{ at: '24:00' }, 'lowBalanceReminder.at'],
    [{ at: '12:60' }, 'lowBalanceReminder.at'],
    [{ frequency: ReminderFrequency.HOURLY, at: '09:00' }, 'lowBalanceReminder.at'],
    [{ forDays: -1 }, 'lowBalanceReminder.forDays'],
    [{ forDays: 367 }, 'lowBalanceReminder.forDays'],
    [{ suspendAfterDays: 0 }, 'lowBalanceReminder.suspendAfterDays'],
    [{ suspendAfterDays: 400 }, 'lowBalanceReminder.suspendAfterDays'],
  ])('refuses %j naming %s', (bad, field) => {
    expect(refusal(input(bad as Partial<LowBalanceReminderInput>)).field).toBe(field);
  });

  it('reads a row back as HH:MM', () => {
    expect(reminderFrom({ reminder_frequency: null, reminder_at: null, reminder_for_days: null, reminder_suspend_after_days: null })).toBeNull();
    expect(reminderFrom({ reminder_frequency: ReminderFrequency.DAILY, reminder_at: '07:30:00', reminder_for_days: 2, reminder_suspend_after_days: null })).toEqual({
      frequency: 'DAILY',
      at: '07:30',
      forDays: 2,
      suspendAfterDays: null,
    });
  });
});
