/**
 * LOW_BALANCE again, for the reminder job (src/modules/reminder): a customer still below
 * its threshold is told so on its schedule. The messages are the customer's LOW_BALANCE
 * (same template, switches and recipients as the crossing's: email, and SMS to its phone);
 * the view is the balance as it is now (as sendNotification's), with reason "REMINDER" and
 * `at` the reminder's time.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { NotificationKind } from '../notification-template/notification-kind';
import { currentView, customerMessages, loadCustomerRows } from './notification-reactions';
import type { BalanceView } from './notification-view';
import type { OutboxMessage } from './template-selection';

/** One reminder the job sends (ids local). */
export interface LowBalanceReminderDue {
  customerId: string;
  /** The reminder's time on the schedule's clock. */
  remindedAt: Date;
}

export async function lowBalanceReminderMessages(uow: UnitOfWork, due: LowBalanceReminderDue[]): Promise<OutboxMessage[]> {
  const customers = await loadCustomerRows(uow, due.map((d) => d.customerId));
  return due.flatMap(({ customerId, remindedAt }) => {
    const customer = customers.get(customerId);
    if (!customer) return [];
    // currentView gives a BalanceView for LOW_BALANCE (only WELCOME's is a bare BaseView).
    const now = currentView(NotificationKind.LOW_BALANCE, customer) as BalanceView;
    const view: BalanceView = { ...now, reason: 'REMINDER', at: remindedAt.toISOString() };
    return customerMessages(customer, view);
  });
}
