/**
 * Tables of configuration (customer classes, notification templates) are listed whole,
 * unpaged: a cap on how many rows can exist is what bounds those lists. Creating one is
 * serialised per table (a transaction-scoped advisory lock) so two concurrent creates
 * cannot both pass the count.
 */
import { conflict } from '../common/errors';
import type { UnitOfWork } from './unit-of-work';

export type CappedTable = 'customer_classes' | 'notification_templates';

/** CONFLICT when the table already holds `max` rows; call inside the creating transaction. */
export async function ensureRoomFor(uow: UnitOfWork, table: CappedTable, max: number, what: string): Promise<void> {
  await uow.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`row-cap:${table}`]);
  const [{ n }] = await uow.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  if (n >= max) throw conflict(`At most ${max} ${what} can exist; delete one you no longer use first`, { max });
}
