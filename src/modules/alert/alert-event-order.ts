/**
 * The alert events' order: one cursor for every list and feed of alert events, lossless
 * without a lock on the writers. The ledger's scheme (ledger-order.ts, docs/ledger.md):
 * each row records `tx` (pg_current_xact_id() as a column default), events are ordered by
 * (tx, id), and readers show only SETTLED events (tx below the oldest running
 * transaction). Every reader (lists, feeds, alertEventsHead, an incident's events) reads
 * through this module, so a cursor from any of them resumes any other.
 *
 * Cursors written before issue 15 hold the id alone. Those events were written under a
 * global lock held from insert to commit (id order was commit order) and got tx 0 in the
 * migration, so an old cursor `[id]` is read as the key (0, id): every event written
 * before the migration with a larger id, then every event written since. Nothing is lost;
 * the only repeats are for a client whose id-only cursor came from an old instance still
 * running during a rolling deploy (events that instance showed after the migration are
 * shown again once).
 */
import { encodeCursor, decodeCursor } from '../../platform/common/pagination';
import { Keyset } from '../../platform/common/keyset';
import type { Queryable } from '../../platform/db/sql';
import type { Logger } from '../../platform/logger';
import { awaitSettled, HORIZON_SQL } from '../balance/ledger-order';

/** The events (alias e) a reader may show: their transaction ended before every running one began. */
export const SETTLED_EVENTS_SQL = `e.tx < ${HORIZON_SQL}`;

/** Oldest first: the lists, the feeds and an incident's events; a cursor holds (tx, id), both bigint text. */
export const EVENT_ORDER = new Keyset([
  { sql: 'e.tx', type: 'bigint' },
  { sql: 'e.id', type: 'bigint' },
]);

/** The opaque cursor of an alert event: its place in EVENT_ORDER. */
export function alertEventCursor(tx: string, localId: string): string {
  return encodeCursor([tx, localId]);
}

/** The key of a cursor (EVENT_ORDER), an id-only cursor of before issue 15 read as (0, id); BAD_USER_INPUT when it is neither. */
export function decodeEventCursor(cursor: string | null | undefined, arg: 'after' | 'before' = 'after'): string[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    return EVENT_ORDER.decode(cursor, arg);
  } catch (err) {
    let old: string[] | undefined;
    try {
      old = decodeCursor(cursor, ['bigint'], arg);
    } catch {
      throw err;
    }
    return old && ['0', old[0]];
  }
}

/** The newest settled event's key: the stream's position now ((0, 0) before the first event). */
export async function newestSettledEvent(db: Queryable): Promise<string[]> {
  const [row] = await db.query<{ tx: string; id: string }>(
    `SELECT e.tx::text AS tx, e.id::text AS id FROM alert_events e WHERE ${SETTLED_EVENTS_SQL} ORDER BY e.tx DESC, e.id DESC LIMIT 1`,
  );
  return row ? [row.tx, row.id] : ['0', '0'];
}

/**
 * Waits until every event written by the transactions `txs` has settled, so their cursors
 * are safe to hand out (a mutation's answer, node(id)). Usually true at the first look.
 */
export async function awaitEventsSettled(db: Queryable, txs: readonly string[], logger?: Logger): Promise<void> {
  if (txs.length === 0) return;
  const newest = txs.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
  await awaitSettled(db, newest, logger);
}
