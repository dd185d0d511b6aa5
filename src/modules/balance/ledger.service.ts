/**
 * LedgerService: the balance ledger as readers see it: the lists (newest first), entries
 * by id, and the live feed behind ledgerEntryAdded. Every reader shows settled entries
 * only and pages in one order (ledger-order.ts), so any cursor a client was given, by a
 * list, a feed or BalanceChange.ledgerEntry, resumes the feed with nothing lost and
 * nothing twice.
 */
import { forbidden, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { PageArgs } from '../../platform/common/keyset';
import { pageSize, toPage, type Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import { defineFeed } from '../../platform/graphql/feeds';
import { Role } from '../../platform/graphql/role';
import type { Logger } from '../../platform/logger';
import { RESUBSCRIBED, type EventBus } from '../../platform/pubsub/event-bus';
import { BALANCE_CHANGED, type BalanceChangedPayload } from './balance.topics';
import type { BalanceChangeReason } from './balance-change.type';
import { LEDGER_COLUMNS, LedgerEntryType, type LedgerFilter, type LedgerRow } from './ledger-entry.type';
import { awaitSettled, HORIZON_SQL, LEDGER_ORDER, NEWEST_FIRST, raceTimer, SETTLED_SQL, TIMER } from './ledger-order';
import { cursorFeed } from '../../platform/pubsub/cursor-feed';

/** Rows per catch-up read of the feed. */
const FEED_PAGE = 500;
/** While entries wait to settle, the feed looks again after this long, doubling up to the cap. */
const SETTLE_POLL_MS = { first: 5, max: 200 };

/** The arguments of ledgerEntryAdded. */
export interface LedgerFeedArgs {
  customerId?: string | null;
  after?: string | null;
}

export const LEDGER_FEED = defineFeed<LedgerFeedArgs>('ledgerEntryAdded');

/** A filter resolved to local ids. */
interface LedgerQuery {
  customerId: string | null;
  reasons: BalanceChangeReason[] | null;
  from: Date | null;
  to: Date | null;
}

type FeedRow = LedgerRow & { settled: boolean };
type PagedRow = LedgerRow & Record<`keyset_${number}`, string>;

export class LedgerService {
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly logger?: Logger,
  ) {}

  /** ledgerEntries: newest first; a CUSTOMER key's own entries only. */
  async list(ctx: RequestContext, filter: LedgerFilter | null | undefined, args: PageArgs): Promise<Page<LedgerEntryType>> {
    const page = NEWEST_FIRST.request(args);
    const where = this.where(this.resolve(ctx, filter));
    return NEWEST_FIRST.list(this.db, { select: LEDGER_COLUMNS, from: 'FROM balance_ledger l', where, ...page, map: LedgerEntryType.from });
  }

  /**
   * Customer.ledger: one customer's entries, newest first. The first page of many
   * customers (a customers list selecting ledger) is read in two statements for all of
   * them; a later page is the list filtered by customer (same cursors).
   */
  async ofCustomer(ctx: RequestContext, customerLocalId: string, first?: number | null, after?: string | null): Promise<Page<LedgerEntryType>> {
    if (after) return this.listOf(customerLocalId, first, after);
    const limit = pageSize(first);
    const [rows, totals] = await Promise.all([
      ctx
        .loader<string, PagedRow[]>(`ledger.firstPage:${limit}`, async (ids) => {
          const found = await this.db.query<PagedRow>(
            `SELECT p.* FROM unnest($1::uuid[]) AS c(id)
               CROSS JOIN LATERAL (
                 SELECT ${LEDGER_COLUMNS}, ${NEWEST_FIRST.select} FROM balance_ledger l
                  WHERE l.customer_id = c.id AND ${SETTLED_SQL} ORDER BY ${NEWEST_FIRST.orderBy} LIMIT $2
               ) p`,
            [[...ids], limit + 1],
          );
          return ids.map((id) => found.filter((r) => r.customer_id === id).sort(newestFirst));
        })
        .load(customerLocalId),
      ctx
        .loader<string, number>('ledger.count', async (ids) => {
          const counts = await this.db.query<{ customer_id: string; n: string }>(
            `SELECT l.customer_id, count(*) AS n FROM balance_ledger l WHERE l.customer_id = ANY($1::uuid[]) AND ${SETTLED_SQL} GROUP BY l.customer_id`,
            [[...ids]],
          );
          const byId = new Map(counts.map((c) => [c.customer_id, Number(c.n)]));
          return ids.map((id) => byId.get(id) ?? 0);
        })
        .load(customerLocalId),
    ]);
    const keys = new Map(rows.map((r) => [String(r.id), NEWEST_FIRST.keyOf(r)]));
    return toPage(rows.map(LedgerEntryType.from), limit, totals, (e) => keys.get(e.localId)!);
  }

  private listOf(customerLocalId: string, first: number | null | undefined, after: string): Promise<Page<LedgerEntryType>> {
    const page = NEWEST_FIRST.request({ first, after });
    const where = this.where({ customerId: customerLocalId, reasons: null, from: null, to: null });
    return NEWEST_FIRST.list(this.db, { select: LEDGER_COLUMNS, from: 'FROM balance_ledger l', where, ...page, map: LedgerEntryType.from });
  }

  /**
   * Entries by local id, in the order asked (null where unknown or not visible). Waits
   * for the entries to settle first (BalanceChange.ledgerEntry of a batch that just
   * committed), so the cursors it hands out are safe to resume from.
   */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<(LedgerEntryType | null)[]> {
    const rows = await this.db.query<FeedRow>(`SELECT ${LEDGER_COLUMNS}, ${SETTLED_SQL} AS settled FROM balance_ledger l WHERE l.id = ANY($1::bigint[])`, [ids]);
    const unsettled = rows.filter((r) => !r.settled).map((r) => BigInt(r.tx));
    if (unsettled.length) await awaitSettled(this.db, unsettled.reduce((a, b) => (a > b ? a : b)).toString(), this.logger);
    const byId = new Map(rows.filter((r) => ctx.canSeeCustomer(r.customer_id)).map((r) => [String(r.id), LedgerEntryType.from(r)]));
    return ids.map((id) => byId.get(String(id)) ?? null);
  }

  /** One entry by local id, batched per request. */
  load(ctx: RequestContext, localId: string): Promise<LedgerEntryType | null> {
    return ctx.loader<string, LedgerEntryType | null>('ledger.byId', (ids) => this.byIds(ctx, ids)).load(localId);
  }

  /**
   * LEDGER_FEED: with after, every settled entry after that cursor, oldest first, then
   * live; without, live from the newest settled entry at subscription. Redis only wakes
   * the reader: each wake-up reads the settled entries after the last one sent, so a
   * wake-up that arrives late, twice or never (an outage: RESUBSCRIBED) loses nothing.
   * Entries that committed but have not settled yet are read again shortly, until they do.
   */
  async feed(ctx: RequestContext, args: LedgerFeedArgs): Promise<AsyncIterableIterator<LedgerEntryType>> {
    if (ctx.principal.role === Role.INGEST) throw forbidden('The INGEST role may not do this');
    let customerId = ctx.customerScope ?? null;
    if (args.customerId) {
      const local = fromGlobalId('Customer', args.customerId);
      const exists = ctx.canSeeCustomer(local) && (await this.db.query(`SELECT 1 FROM customers WHERE id = $1`, [local])).length > 0;
      if (!exists) throw notFound('Customer', args.customerId);
      customerId = local;
    }
    // The start is read BEFORE the live stream opens: what settles in between is after it.
    const start = LEDGER_ORDER.decode(args.after) ?? (await this.newestSettled());
    const live = await this.events.cursorStream(BALANCE_CHANGED);
    const gen = this.run({ customerId, reasons: null, from: null, to: null }, start, live);
    return cursorFeed(gen, live);
  }

  private async newestSettled(): Promise<string[]> {
    const [row] = await this.db.query<{ tx: string; id: string }>(
      `SELECT l.tx::text AS tx, l.id::text AS id FROM balance_ledger l WHERE ${SETTLED_SQL} ORDER BY ${NEWEST_FIRST.orderBy} LIMIT 1`,
    );
    return row ? [row.tx, row.id] : ['0', '0'];
  }

  private async *run(
    q: LedgerQuery,
    start: string[],
    live: AsyncIterableIterator<BalanceChangedPayload | typeof RESUBSCRIBED>,
  ): AsyncGenerator<LedgerEntryType, undefined> {
    let last = start;
    let pending = false;
    const db = this.db;
    const where = this.where(q, false);
    // Entries after `last` in order, each marked settled or not. Settled ones all come
    // before unsettled ones (their tx is below the horizon, the others' at or above it),
    // so the settled prefix is sent and the rest is read again once it settles.
    const catchUp = async function* (): AsyncGenerator<LedgerEntryType> {
      for (;;) {
        const page = where.clone();
        LEDGER_ORDER.addAfter(page, last);
        const rows = await db.query<FeedRow>(
          `SELECT ${LEDGER_COLUMNS}, l.tx < horizon.xmin AS settled
             FROM balance_ledger l, (SELECT ${HORIZON_SQL} AS xmin) horizon
            WHERE ${page.sql} ORDER BY ${LEDGER_ORDER.orderBy} LIMIT ${page.param(FEED_PAGE)}`,
          page.params,
        );
        pending = false;
        for (const r of rows) {
          if (!r.settled) {
            pending = true;
            return;
          }
          last = [r.tx, String(r.id)];
          yield LedgerEntryType.from(r);
        }
        if (rows.length < FEED_PAGE) return;
      }
    };
    let wake: Promise<IteratorResult<BalanceChangedPayload | typeof RESUBSCRIBED>> | undefined;
    let poll = 0;
    try {
      for (;;) {
        yield* catchUp();
        poll = !pending ? 0 : poll ? Math.min(poll * 2, SETTLE_POLL_MS.max) : SETTLE_POLL_MS.first;
        // Wait for a wake-up, or (while entries wait to settle) for the next look; a
        // wake-up still pending when the timer wins is kept for the next wait.
        for (;;) {
          wake ??= live.next();
          const woke = pending ? await raceTimer(wake, poll) : await wake;
          if (woke === TIMER) break;
          wake = undefined;
          if (woke.done) return undefined;
          const n = woke.value;
          // After a Redis outage the wake-ups of its entries may be lost: read regardless.
          if (n === RESUBSCRIBED || q.customerId === null || n.customerId === q.customerId) break;
        }
      }
    } finally {
      await live.return?.();
    }
  }

  /** Local ids of the filter; CUSTOMER keys are confined to their own customer (another's id is NOT_FOUND). */
  private resolve(ctx: RequestContext, filter: LedgerFilter | null | undefined): LedgerQuery {
    let customerId = filter?.customerId ? fromGlobalId('Customer', filter.customerId) : null;
    const scope = ctx.customerScope;
    if (scope !== undefined) {
      if (customerId && customerId !== scope) throw notFound('Customer', filter!.customerId!);
      customerId = scope;
    }
    return { customerId, reasons: filter?.reasons?.length ? filter.reasons : null, from: filter?.from ?? null, to: filter?.to ?? null };
  }

  /** The filter's conditions, and (for the lists) settled entries only; the feed marks settledness itself. */
  private where(q: LedgerQuery, settledOnly = true): SqlWhere {
    const where = new SqlWhere();
    if (q.customerId) where.add((p) => `l.customer_id = ${p}::uuid`, q.customerId);
    if (q.reasons) where.add((p) => `l.reason = ANY(${p}::text[])`, q.reasons);
    if (q.from) where.add((p) => `l.occurred_at >= ${p}::timestamptz`, q.from.toISOString());
    if (q.to) where.add((p) => `l.occurred_at < ${p}::timestamptz`, q.to.toISOString());
    if (settledOnly) where.raw(SETTLED_SQL);
    return where;
  }
}

/** The lists' order over rows read back (tx and id as text, compared as the integers they are). */
function newestFirst(a: LedgerRow, b: LedgerRow): number {
  const [ta, tb, ia, ib] = [BigInt(a.tx), BigInt(b.tx), BigInt(a.id), BigInt(b.id)];
  return ta !== tb ? (ta > tb ? -1 : 1) : ia > ib ? -1 : ia < ib ? 1 : 0;
}
