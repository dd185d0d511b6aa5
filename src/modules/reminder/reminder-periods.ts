/**
 * Ending reminder periods: the period's row goes, and a suspension of the period still in
 * force is lifted (ACTIVE, reported as a status change like every other). Only that kind:
 * an operator's or a penalty's suspension stays.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import { CustomerStatus } from '../customer/customer.enums';
import { StatusChangeReason, type CustomerStatusChanges } from '../customer/customer-status';
import { BELOW, SUSPENSION_IN_FORCE } from './reminder-schedule';

/** Periods of these customers that are over because the balance is no longer below (customers locked by the caller). */
const END_RESTORED_SQL = `
DELETE FROM low_balance_reminder_states s USING customers c
 WHERE s.customer_id = ANY($1::uuid[]) AND c.id = s.customer_id AND NOT ${BELOW}
RETURNING s.customer_id, ${SUSPENSION_IN_FORCE} AS in_force`;

/**
 * Ends the periods of these customers whose balance is back at or above the threshold;
 * the caller holds the customers' locks (the ledger's, or the job's claim).
 */
export async function endRestoredPeriods(uow: UnitOfWork, statusChanges: CustomerStatusChanges, customerIds: string[]): Promise<void> {
  const ended = await uow.query<{ customer_id: string; in_force: boolean }>(END_RESTORED_SQL, [customerIds]);
  await liftSuspensions(uow, statusChanges, ended.filter((r) => r.in_force).map((r) => r.customer_id));
}

/** Deletes the periods the job found over, and lifts `lift` (those of them whose suspension is in force). */
export async function endPeriods(uow: UnitOfWork, statusChanges: CustomerStatusChanges, customerIds: string[], lift: string[]): Promise<void> {
  await uow.query(`DELETE FROM low_balance_reminder_states WHERE customer_id = ANY($1::uuid[])`, [customerIds]);
  await liftSuspensions(uow, statusChanges, lift);
}

async function liftSuspensions(uow: UnitOfWork, statusChanges: CustomerStatusChanges, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await statusChanges.set(
    uow,
    customerIds.map((customerId) => ({ customerId, status: CustomerStatus.ACTIVE, suspendedUntil: null })),
    StatusChangeReason.REMINDER_LIFTED,
  );
}
