/**
 * Customer row locks, in id order (the one order every writer of customers uses, so
 * concurrent transactions touching the same customers wait instead of deadlocking).
 * Remembered per transaction: a CDR batch locks its customers for the alert engine,
 * and the ledger then finds them held instead of sending the same lock again.
 */
import { TxState, type UnitOfWork } from '../../platform/db/unit-of-work';
import { preparedSql, sizedSql } from '../../platform/db/prepared-sql';

const LOCK_SQL = preparedSql('customers.lock', `SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`);
/** Customers (local ids) this transaction holds locked. */
const HELD = new TxState('customers locked by this transaction', () => new Set<string>());

function held(uow: UnitOfWork): Set<string> {
  return uow.state(HELD);
}

/** Locks the given customers (FOR NO KEY UPDATE, id order) unless this transaction already holds them. */
export async function lockCustomers(uow: UnitOfWork, ids: Iterable<string>): Promise<void> {
  const locked = held(uow);
  // Usually all held already (a CDR batch's 4,400 customers, bench:scale): only looked up then.
  let missingSet: Set<string> | undefined;
  for (const id of ids) if (!locked.has(id)) (missingSet ??= new Set()).add(id);
  if (missingSet === undefined) return;
  const missing = [...missingSet];
  await uow.query(sizedSql(LOCK_SQL, missing.length), [missing]);
  for (const id of missing) locked.add(id);
}

/** Records a lock taken by another statement of this transaction (e.g. SELECT ... FOR NO KEY UPDATE). */
export function markCustomersLocked(uow: UnitOfWork, ids: Iterable<string>): void {
  const locked = held(uow);
  for (const id of ids) locked.add(id);
}
