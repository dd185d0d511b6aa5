/**
 * The in-transaction side of low-balance reminders: a payment or adjustment that brings a
 * balance from below its threshold to at or above it ends the customer's reminder period
 * in its own transaction, lifting the period's suspension at once (the switch hears of it
 * through the status change, before the payment's answer). The schedule itself is
 * reminder-job.ts.
 */
import { dec } from '../../platform/common/decimal';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { AppliedBalanceChange } from '../balance/balance-change';
import type { CustomerStatusChanges } from '../customer/customer-status';
import { endRestoredPeriods } from './reminder-periods';

export class ReminderService {
  constructor(private readonly statusChanges: CustomerStatusChanges) {}

  /**
   * Part of the BalanceChangedReaction (payments, adjustments, resets; the customers are
   * locked by the ledger). Only changes that cross up from below run a statement; a
   * threshold lowered under the balance ends its period on the job's next pass.
   */
  async balanceChanged(uow: UnitOfWork, changes: AppliedBalanceChange[]): Promise<void> {
    const restored = changes
      .filter((c) => c.lowBalanceThreshold !== null && dec(c.previousBalance).lt(c.lowBalanceThreshold) && dec(c.balance).gte(c.lowBalanceThreshold))
      .map((c) => c.customerId);
    if (restored.length) await endRestoredPeriods(uow, this.statusChanges, restored);
  }
}
