/**
 * LOW_BALANCE again, for the reminder job (src/modules/reminder): a customer still below
 * its threshold is told so on its schedule. The message is the customer's LOW_BALANCE
 * (same template, switches and recipient as the crossing's), its view says it is a
 * reminder: reason "REMINDER", delta "0", the current balance as both balance and
 * previousBalance, `at` the reminder's time.
 */
import { normaliseDecimal } from '../../platform/common/decimal';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { NotificationKind } from '../notification-template/notification-kind';
import { customerMessage, loadCustomerRows } from './notification-reactions';
import { baseView, type BalanceView } from './notification-view';
import type { OutboxMessage } from './template-selection';

/** One reminder the job sends (ids local). */
export interface LowBalanceReminderDue {
  customerId: string;
  /** The reminder's time on the schedule's clock. */
  remindedAt: Date;
}

export async function lowBalanceReminderMessages(uow: UnitOfWork, due: LowBalanceReminderDue[]): Promise<OutboxMessage[]> {
  const customers = await loadCustomerRows(uow, due.map((d) => d.customerId));
  const out: OutboxMessage[] = [];
  for (const { customerId, remindedAt } of due) {
    const customer = customers.get(customerId);
    if (!customer) continue;
    const base = baseView(NotificationKind.LOW_BALANCE, customer);
    const balance = normaliseDecimal(customer.balance);
    const view: BalanceView = { ...base, balance, previousBalance: balance, threshold: base.customer.lowBalanceThreshold, delta: '0', reason: 'REMINDER', at: remindedAt.toISOString() };
    const message = customerMessage(customer, view);
    if (message) out.push(message);
  }
  return out;
}
