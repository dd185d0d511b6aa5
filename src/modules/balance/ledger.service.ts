/**
 * LedgerService: the balance ledger as readers see it: the lists (newest first), entries
 * by id, and the live feed behind ledgerEntryAdded. Every reader shows settled entries
 * only and pages in one order (ledger-order.ts), so any cursor a client was given, by a
 * list, a feed or BalanceChange.ledgerEntry, resumes the feed with nothing lost and
 * nothing twice.
 */
import { forbidden, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { LOG_COUNT, type PageArgs } from '../../platform/common/keyset';
import { lazy } from '../../platform/common/lazy';
import { pageSize, toPage, type Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import { defineFeed } from '../../platform/graphql/feeds';
import { Role } from '../../platform/graphql/role';
import type { Logger } from '../../platform/logger';
import type { EventBus } from '../../platform/pubsub/event-bus';
import { SharedFeed, type FeedLog, type SharedFeedOptions } from '../../platform/pubsub/shared-feed';
import { BALANCE_CHANGED, type BalanceChangedPayload } from './balance.topics';
import type { BalanceChangeReason } from './balance-change.type';
import { LEDGER_COLUMNS, LedgerEntryType, type LedgerFilter, type LedgerRow } from './ledger-entry.type';
import { awaitSettled, HORIZON_SQL, LEDGER_ORDER, NEWEST_FIRST, SETTLED_SQL } from './ledger-order';

/**
 * The shared reader's pages and held rows; while entries wait to settle, it looks again
 * after waitingPollMs.first, doubling up to the max.
 */
const FEED_OPTIONS: SharedFeedOptions = { pageSize: 500, maxHeld: 10_000, waitingPollMs: { first: 5, max: 200 }, retryMs: 1_000 };

/** A feed position: an entry's (tx, id). */
type Position = readonly [bigint, bigint];
const toPosition = (key: readonly string[]): Position => [BigInt(key[0]), BigInt(key[1])];
const fromPosition = (p: Position): string[] => [p[0].toString(), p[1].toString()];
const comparePositions = (a: Position, b: Position): number => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** The ledger as the shared reader reads it: settled entries in (tx, id) order (ledger-order.ts). */
function ledgerLog(db: Database): FeedLog<LedgerEntryType, Position, BalanceChangedPayload> {
  return {
    topic: BALANCE_CHANGED,
    head: async () => {
      const [row] = await db.query<{ tx: string; id: string }>(
        `SELECT l.tx::text AS tx, l.id::text AS id FROM balance_ledger l WHERE ${SETTLED_SQL} ORDER BY ${NEWEST_FIRST.orderBy} LIMIT 1`,
      );
      return row ? toPosition([row.tx, row.id]) : [0n, 0n];
    },
    // Settled entries all come before unsettled ones (their tx is below the horizon, the
    // others' at or above it): the settled prefix is handed out, the rest read again later.
    readAfter: async (after, limit) => {
      const page = new SqlWhere();
      LEDGER_ORDER.addAfter(page, fromPosition(after));
      const rows = await db.query<FeedRow>(
        `SELECT ${LEDGER_COLUMNS}, l.tx < horizon.xmin AS settled
           FROM balance_ledger l, (SELECT ${HORIZON_SQL} AS xmin) horizon
          WHERE ${page.sql} ORDER BY ${LEDGER_ORDER.orderBy} LIMIT ${page.param(limit)}`,
        page.params,
      );
      const settled = rows.findIndex((r) => !r.settled);
      const ready = settled === -1 ? rows : rows.slice(0, settled);
      return { rows: ready.map(LedgerEntryType.from), waiting: settled !== -1 };
    },
    positionOf: (e) => [BigInt(e.tx), BigInt(e.localId)],
    compare: comparePositions,
  };
}

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
  private readonly shared: SharedFeed<LedgerEntryType, Position, BalanceChangedPayload>;

  constructor(
    private readonly db: Database,
    events: EventBus,
    private readonly logger?: Logger,
  ) {
    this.shared = new SharedFeed(events, ledgerLog(db), FEED_OPTIONS, logger);
  }

  /** ledgerEntries: newest first; a CUSTOMER key's own entries only. */
  async list(ctx: RequestContext, filter: LedgerFilter | null | undefined, args: PageArgs): Promise<Page<LedgerEntryType>> {
    const page = NEWEST_FIRST.request(args);
    const where = this.where(this.resolve(ctx, filter));
    return NEWEST_FIRST.list(this.db, { select: LEDGER_COLUMNS, from: 'FROM balance_ledger l', where, ...page, map: LedgerEntryType.from, count: LOG_COUNT });
  }

  /**
   * Customer.ledger: one customer's entries, newest first. The first page of many
   * customers (a customers list selecting ledger) is read in one statement for all of
   * them (and one for their counts when totalCount is selected); a later page is the list filtered by customer (same cursors).
   */
  async ofCustomer(ctx: RequestContext, customerLocalId: string, first?: number | null, after?: string | null): Promise<Page<LedgerEntryType>> {
    if (after) return this.listOf(customerLocalId, first, after);
    const limit = pageSize(first);
    // Lazy: the count is read only when totalCount is selected, still one statement for every customer of the page.
    const totals = lazy(() =>
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
    );
    const rows = await ctx
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
      .load(customerLocalId);
    const keys = new Map(rows.map((r) => [String(r.id), NEWEST_FIRST.keyOf(r)]));
    return toPage(rows.map(LedgerEntryType.from), limit, totals, (e) => keys.get(e.localId)!);
  }

  private listOf(customerLocalId: string, first: number | null | undefined, after: string): Promise<Page<LedgerEntryType>> {
    const page = NEWEST_FIRST.request({ first, after });
    const where = this.where({ customerId: customerLocalId, reasons: null, from: null, to: null });
    return NEWEST_FIRST.list(this.db, { select: LEDGER_COLUMNS, from: 'FROM balance_ledger l', where, ...page, map: LedgerEntryType.from, count: LOG_COUNT });
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
   * live; without, live from the newest settled entry at subscription. One shared reader
   * per instance (SharedFeed) reads each settled entry once and hands it to every
   * subscriber whose scope matches; Redis only wakes it, and entries that committed but
   * have not settled yet are read again shortly, until they do. A subscriber resuming from
   * an older cursor reads its own entries in pages until it joins the reader.
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
    const after = LEDGER_ORDER.decode(args.after);
    const where = this.where({ customerId, reasons: null, from: null, to: null }, false);
    const db = this.db;
    return this.shared.follow(after ? toPosition(after) : null, {
      matches: (e) => ctx.canSeeCustomer(e.customerLocalId) && (customerId === null || e.customerLocalId === customerId),
      // Entries up to the reader's position are settled, so this read needs no horizon.
      readOwn: async (from, limit) => {
        const page = where.clone();
        LEDGER_ORDER.addAfter(page, fromPosition(from));
        const rows = await db.query<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM balance_ledger l WHERE ${page.sql} ORDER BY ${LEDGER_ORDER.orderBy} LIMIT ${page.param(limit)}`, page.params);
        return rows.map(LedgerEntryType.from);
      },
    });
  }

  /** Live subscribers of the feed on this instance. */
  get feedFollowers(): number {
    return this.shared.followerCount;
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
