/**
 * What happens inside a transaction after a change, in order, in one place. Each
 * reaction is declared (typed) by the module whose change it follows and given to that
 * module's service by src/app/services.ts; the bodies below call higher modules.
 *
 *   payment, adjustment, reset -> balance rules (alerts) -> notices and alert messages (notifications)
 *                                 -> a balance back at its threshold ends its reminder period (lifting its suspension)
 *   CDR batch stored + charged  -> call, window and balance rules in one pass -> notices and alert messages, once
 *   trunk or hosts changed      -> TRUNK_UPDATED notices
 *   customer created, or its triggers, thresholds, credit limit, class or type changed
 *                               -> its balance rules at once, stale states resolved -> alert messages
 *   scheduled alert passes, delivered tests -> alert messages
 *   customer status changed (operator, penalty, its end, reminders) -> customer.status_changed webhooks
 *   (the reminder job's reminders and suspensions are its own pass's work: reminder/reminder-job.ts)
 */
import type { UnitOfWork } from '../platform/db/unit-of-work';
import type { CdrBatchAlerts, CreatedAlertEvent } from '../modules/alert/alert-event';
import type { AlertEngine } from '../modules/alert/alert-engine';
import type { AlertRuleChanges } from '../modules/alert/alert-rule-changes';
import type { AppliedBalanceChange } from '../modules/balance/balance-change';
import type { ChargedBatch } from '../modules/cdr/charged-cdr';
import type { CustomerRulesOutcome } from '../modules/customer/customer-rules-change';
import type { CustomerStatusChange } from '../modules/customer/customer-status';
import type { NotificationService } from '../modules/notification/notification.service';
import type { ReminderService } from '../modules/reminder/reminder.service';
import type { TrunkChange } from '../modules/trunk/trunk-change';

export class Reactions {
  constructor(
    private readonly alerts: AlertEngine,
    private readonly ruleChanges: AlertRuleChanges,
    private readonly notifications: NotificationService,
    private readonly reminders: ReminderService,
  ) {}

  /** BalanceChangedReaction: the changed customers are locked by the ledger. */
  async balanceChanged(uow: UnitOfWork, changes: AppliedBalanceChange[]): Promise<void> {
    const raised = await this.alerts.onBalanceChanged(uow, changes.map((c) => c.customerId));
    await this.notifications.onBalanceAndAlerts(uow, changes, raised);
    await this.reminders.balanceChanged(uow, changes);
  }

  /** CdrBatchReaction: every customer of the batch is locked; the events it raised go back on the batch's result. */
  async cdrBatchCharged(uow: UnitOfWork, batch: ChargedBatch): Promise<CdrBatchAlerts> {
    const raised = await this.alerts.onCdrsCharged(uow, batch);
    await this.notifications.onBalanceAndAlerts(uow, batch.balanceChanges, raised);
    return { alertEvents: raised };
  }

  /** CustomerRulesChangedReaction: the customers are locked by the customer service. */
  async customerRulesChanged(uow: UnitOfWork, customerIds: string[]): Promise<CustomerRulesOutcome> {
    const raised = await this.ruleChanges.customersChanged(uow, customerIds);
    await this.notifications.onBalanceAndAlerts(uow, [], raised);
    return { penalised: raised.some((e) => e.penaltyUntil !== null) };
  }

  /** TrunkChangedReaction. */
  async trunkChanged(uow: UnitOfWork, changes: TrunkChange[]): Promise<void> {
    await this.notifications.onTrunkChanged(uow, changes);
  }

  /** CustomerStatusChangedReaction: runs where the change is written (inside the balance, CDR and rule-change reactions too, for penalties). */
  async customerStatusChanged(uow: UnitOfWork, changes: CustomerStatusChange[]): Promise<void> {
    await this.notifications.onStatusChanged(uow, changes);
  }

  /** AlertEventsReaction: events of scheduled passes, delivered tests and rule changes. */
  async alertEventsWritten(uow: UnitOfWork, events: CreatedAlertEvent[]): Promise<void> {
    await this.notifications.onBalanceAndAlerts(uow, [], events);
  }
}
