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
 *
 * Retention (alert-event-partitions.ts) drops whole weeks and first raises the cursor
 * mark (alert_event_retention) to the greatest (tx, id) it drops. A cursor before the
 * mark is refused (CURSOR_EXPIRED: events after it are gone), and the lists show only
 * events after the mark, so every cursor they hand out stays valid. The two meet exactly:
 * the only kept events the lists hide are those of a transaction that wrote into a kept
 * week with a smaller tx than one in the dropped week (it straddled the week's end); they
 * are treated as gone with that week.
 */
import { encodeCursor, decodeCursor } from '../../platform/common/pagination';
import { Keyset } from '../../platform/common/keyset';
import type { Queryable } from '../../platform/db/sql';
import type { Logger } from '../../platform/logger';
import { awaitSettled, HORIZON_SQL } from '../balance/ledger-order';
import { badInput } from '../../platform/common/errors';

/** The events (alias e) a reader may show: their transaction ended before every running one began. */
export const SETTLED_EVENTS_SQL = `e.tx < ${HORIZON_SQL}`;

/** Oldest first: the lists, the feeds and an incident's events; a cursor holds (tx, id), both bigint text. */
export const EVENT_ORDER = new Keyset([
  { sql: 'e.tx', type: 'bigint' },
  { sql: 'e.id', type: 'bigint' },
]);

/** The cursor mark of dropped weeks, an SQL row (tx, id); (0, 0) while nothing was dropped. */
const MARK_SQL = `(SELECT r.dropped_tx, r.dropped_id FROM alert_event_retention r)`;

/** The events (alias e) still kept: after the mark (an index condition on each week's (tx, id) index). */
export const KEPT_EVENTS_SQL = EVENT_ORDER.after(MARK_SQL);

/**
 * Refuses a cursor before the mark: the events after it may be gone with their week, and
 * a short or empty page would read as the end of the list. One small statement, only when
 * a cursor is given.
 */
export async function refuseExpiredEventCursors(db: Queryable, cursors: { after?: readonly string[]; before?: readonly string[] }): Promise<void> {
  const given = (['after', 'before'] as const).filter((arg) => cursors[arg]);
  if (given.length === 0) return;
  const [mark] = await db.query<{ tx: string; id: string; kept_since: Date | null }>(
    `SELECT dropped_tx::text AS tx, dropped_id::text AS id, kept_since FROM alert_event_retention`,
  );
  if (!mark) return;
  for (const arg of given) {
    const [tx, id] = cursors[arg]!;
    const before = BigInt(tx) < BigInt(mark.tx) || (BigInt(tx) === BigInt(mark.tx) && BigInt(id) < BigInt(mark.id));
    if (before) throw expiredEventCursor(arg, mark.kept_since);
  }
}

/** CURSOR_EXPIRED, as the CDR list's: the client lists again without a cursor. */
export function expiredEventCursor(arg: 'after' | 'before', keptSince: Date | null) {
  const since = keptSince?.toISOString() ?? null;
  return badInput(
    `The cursor is before the oldest alert event kept${since ? ` (${since})` : ''}: older events are no longer kept (ALERT_EVENT_RETENTION_DAYS). Resync: list again without ${arg}.`,
    arg,
    { reason: 'CURSOR_EXPIRED', keptSince: since },
  );
}

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

/**
 * The newest settled event's key: the stream's position now ((0, 0) before the first
 * event). Never before the mark: a head cursor is always one the lists accept.
 */
export async function newestSettledEvent(db: Queryable): Promise<string[]> {
  const [row] = await db.query<{ tx: string; id: string }>(
    `SELECT x.tx::text AS tx, x.id::text AS id FROM (
       (SELECT e.tx, e.id FROM alert_events e WHERE ${SETTLED_EVENTS_SQL} ORDER BY e.tx DESC, e.id DESC LIMIT 1)
       UNION ALL SELECT r.dropped_tx, r.dropped_id FROM alert_event_retention r
     ) x ORDER BY x.tx DESC, x.id DESC LIMIT 1`,
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
