/**
 * The ledger's order: one cursor for every list and feed of ledger entries, lossless
 * without a lock on the writers (docs/ledger.md has the reasoning at length).
 *
 * Every row records `tx`, the id of the transaction that wrote it (pg_current_xact_id(),
 * the top-level xid8, as bigint), and entries are ordered by (tx, id). An identity id
 * alone would not do: ids are taken at INSERT and become visible at COMMIT, so a reader
 * could see id 8, resume "after 8" and never see 7 committed a moment later. The alert
 * events solve that with an advisory lock held from insert to commit, which makes every
 * writer wait for the one before it; the CDR path must not.
 *
 * Instead a reader shows only SETTLED entries: those whose transaction is older than the
 * oldest transaction still running (pg_snapshot_xmin of the statement's own snapshot).
 * Why nothing is lost, for a reader that has shown every settled entry up to key k:
 *  - an entry shown was settled in some snapshot S: tx < xmin(S);
 *  - every transaction below xmin(S) had ended when S was taken, so each of their rows is
 *    visible in S (committed) or never will be (rolled back); a transaction running at S,
 *    or starting later, has an id >= xmin(S);
 *  - so every entry that becomes visible after S has tx >= xmin(S) > k's tx: it comes
 *    after k in the order, and the next read (from k) finds it once it settles.
 * Entries of one transaction share tx and follow each other by id. The price: an entry
 * appears once every transaction that took its id before the entry's has ended, which is
 * the length of the concurrent writes (milliseconds for a CDR batch). A transaction left
 * open holds the ledger's readers back (not its writers) until it ends: set
 * idle_in_transaction_session_timeout on the database (docs/ledger.md).
 */
import { Keyset } from '../../platform/common/keyset';
import type { Logger } from '../../platform/logger';
import type { Queryable } from '../../platform/db/sql';

/** The oldest transaction still running, as seen by the statement's snapshot (pg_current_snapshot is the active one). */
export const HORIZON_SQL = `pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;

/** The entries (alias l) a reader may show: their transaction ended before every running one began. */
export const SETTLED_SQL = `l.tx < ${HORIZON_SQL}`;

/** The ledger's order; a cursor holds (tx, id) of an entry, both bigint text. */
export const LEDGER_ORDER = new Keyset([
  { sql: 'l.tx', type: 'bigint' },
  { sql: 'l.id', type: 'bigint' },
]);

/** Newest first: the lists. Their cursors are the feed's (same key, same encoding). */
export const NEWEST_FIRST = new Keyset(LEDGER_ORDER.columns, 'DESC');

/** How long a balance mutation waits for its entry to settle before answering anyway (and logging it). */
const SETTLE_WAIT_MS = 5_000;

/**
 * Waits until the transaction `tx` is settled, so that the cursor of an entry it wrote is
 * safe to hand out (and the entry is in the lists). Usually true at the first look: it
 * waits only while a transaction that took its id earlier is still running.
 */
export async function awaitSettled(db: Queryable, tx: string, logger?: Logger, timeoutMs = SETTLE_WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    const [{ settled }] = await db.query<{ settled: boolean }>(`SELECT $1::bigint < ${HORIZON_SQL} AS settled`, [tx]);
    if (settled) return true;
    if (Date.now() >= deadline) {
      logger?.warn('rows not settled: an older transaction is still running', { tx, waitedMs: timeoutMs });
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
