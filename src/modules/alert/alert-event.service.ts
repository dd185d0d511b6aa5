/**
 * AlertEventService: the stored event log (list, load) and the live feed behind the
 * alertTriggered / alertEvents subscriptions. Postgres is the truth and Redis the
 * wake-up: the feed always reads rows with id > last yielded, so a subscriber that
 * resumes with a cursor gets every event once, in order, with no gap.
 */
import { forbidden, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset, LOG_COUNT, type PageArgs } from '../../platform/common/keyset';
import type { Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { EventBus } from '../../platform/pubsub/event-bus';
import { SharedFeed, type FeedLog, type SharedFeedOptions } from '../../platform/pubsub/shared-feed';
import type { Logger } from '../../platform/logger';
import type { RequestContext } from '../../platform/graphql/context';
import { defineFeed } from '../../platform/graphql/feeds';
import { Role } from '../../platform/graphql/role';
import { AlertEventKind, RULE_EVENT_KINDS } from './alert.enums';
import type { AlertEventFilter } from './alert.inputs';
import { EVENT_COLUMNS, type AlertEventRow } from './alert.rows';
import { alertEventCursor, AlertEventType } from './alert.types';
import { ALERT_EVENT, type AlertEventPayload } from './alert.topics';
import { oneEach } from '../../platform/graphql/batch';

/** The shared reader's pages, and how many events a subscriber catching up may have held for it. */
const FEED_OPTIONS: SharedFeedOptions = { pageSize: 500, maxHeld: 10_000, waitingPollMs: { first: 5, max: 200 }, retryMs: 1_000 };

type FeedRow = AlertEventRow & { customer_class_id: string | null };

/** A feed's event: the customer's class is read with it, for the customerClassId filter. */
function feedEvent(r: FeedRow): AlertEventType {
  const e = AlertEventType.from(r);
  e.customerClassLocalId = r.customer_class_id;
  return e;
}

/** The event log as the shared reader reads it: every event in id order (the event lock makes ids commit in order). */
function alertEventLog(db: Database): FeedLog<AlertEventType, bigint, AlertEventPayload> {
  return {
    topic: ALERT_EVENT,
    head: async () => BigInt((await db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM alert_events`))[0].id),
    readAfter: async (after, limit) => {
      const rows = await db.query<FeedRow>(
        `SELECT ${EVENT_COLUMNS}, c.customer_class_id FROM alert_events e LEFT JOIN customers c ON c.id = e.customer_id
          WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
        [after.toString(), limit],
      );
      return { rows: rows.map(feedEvent), waiting: false };
    },
    positionOf: (e) => BigInt(e.localId),
    compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    mayBeAfter: (n, pos) => BigInt(n.eventId) > pos,
  };
}

/** Oldest first: the list and the live feed page by id alike, and an event's cursor is its id. */
const BY_ID = new Keyset([{ sql: 'e.id', type: 'bigint' }]);

/** A filter resolved to local ids, applied in SQL and (cheaply) to live notifications. */
interface EventQuery {
  customerIds: string[] | null;
  customerClassId: string | null;
  definitionId: string | null;
  kinds: AlertEventKind[] | null;
  since: Date | null;
}

/** The arguments of alertTriggered and alertEvents. */
export interface TriggeredFeedArgs {
  customerId?: string | null;
  customerClassId?: string | null;
  after?: string | null;
}
export interface EventsFeedArgs {
  filter?: AlertEventFilter | null;
  after?: string | null;
}

export const ALERT_TRIGGERED_FEED = defineFeed<TriggeredFeedArgs>('alertTriggered');
export const ALERT_EVENTS_FEED = defineFeed<EventsFeedArgs>('alertEvents');

export class AlertEventService {
  private readonly shared: SharedFeed<AlertEventType, bigint, AlertEventPayload>;

  constructor(
    private readonly db: Database,
    events: EventBus,
    logger?: Logger,
  ) {
    this.shared = new SharedFeed(events, alertEventLog(db), FEED_OPTIONS, logger);
  }

  async list(ctx: RequestContext, filter: AlertEventFilter | null | undefined, args: PageArgs): Promise<Page<AlertEventType>> {
    const page = BY_ID.request(args);
    const where = this.where(this.resolve(ctx, filter, 'list'));
    return BY_ID.list(this.db, { select: EVENT_COLUMNS, from: 'FROM alert_events e', where, ...page, map: AlertEventType.from, count: LOG_COUNT });
  }

  /** The newest event's cursor (the stream's start when empty): the same for every role, it tells nothing of other customers' events but their number. */
  async headCursor(): Promise<string> {
    const [row] = await this.db.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM alert_events`);
    return alertEventCursor(row.id);
  }

  /** Events by local id, in the order asked (null where unknown or not visible). */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<(AlertEventType | null)[]> {
    const rows = await this.db.query<AlertEventRow>(`SELECT ${EVENT_COLUMNS} FROM alert_events e WHERE e.id = ANY($1::bigint[])`, [ids]);
    const visible = rows.filter((r) => ctx.canSeeCustomer(r.customer_id));
    return oneEach(ids.map(String), visible, (r) => String(r.id), AlertEventType.from, null);
  }

  /**
   * The live feeds: one shared reader per instance (SharedFeed) reads each new event once
   * and hands it to every subscriber whose filter and scope match, re-checked per event.
   * With after, a subscriber first reads its own stored events after that cursor in pages
   * until it joins the reader; without, it starts at the newest event. Events are in id
   * order, so a wake-up that arrives late, twice, or never (RESUBSCRIBED) changes nothing.
   */
  /** ALERT_TRIGGERED_FEED: TRIGGERED and REPEATED events. */
  triggeredFeed(ctx: RequestContext, args: TriggeredFeedArgs): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(ctx, { customerId: args.customerId, customerClassId: args.customerClassId }, args.after, [AlertEventKind.TRIGGERED, AlertEventKind.REPEATED]);
  }

  /** ALERT_EVENTS_FEED: every kind. */
  eventsFeed(ctx: RequestContext, args: EventsFeedArgs): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(ctx, args.filter, args.after);
  }

  /** Live subscribers of the feeds on this instance. */
  get feedFollowers(): number {
    return this.shared.followerCount;
  }

  private async feed(ctx: RequestContext, filter: AlertEventFilter | null | undefined, after: string | null | undefined, kinds?: AlertEventKind[]): Promise<AsyncIterableIterator<AlertEventType>> {
    if (ctx.principal.role === Role.INGEST) throw forbidden('The INGEST role may not do this');
    const q = this.resolve(ctx, filter, 'feed');
    if (kinds) q.kinds = q.kinds ? q.kinds.filter((k) => kinds.includes(k)) : kinds;
    const { sql, params } = this.where(q);
    const db = this.db;
    return this.shared.follow(after ? BigInt(this.afterId(after)) : null, {
      matches: (e) => ctx.canSeeCustomer(e.customerLocalId) && eventMatches(q, e),
      readOwn: async (from, limit) => {
        const rows = await db.query<FeedRow>(
          `SELECT ${EVENT_COLUMNS}, c.customer_class_id FROM alert_events e LEFT JOIN customers c ON c.id = e.customer_id
            WHERE ${sql} AND e.id > $${params.length + 1} ORDER BY e.id LIMIT ${limit}`,
          [...params, from.toString()],
        );
        return rows.map(feedEvent);
      },
    });
  }

  /** Local ids of the filter; CUSTOMER keys are confined to their own customer. */
  private resolve(ctx: RequestContext, filter: AlertEventFilter | null | undefined, mode: 'list' | 'feed'): EventQuery {
    let customerIds: string[] | null = filter?.customerId ? [fromGlobalId('Customer', filter.customerId)] : null;
    const scope = ctx.customerScope;
    if (scope !== undefined) {
      if (customerIds && customerIds[0] !== scope) {
        // Lists answer NOT_FOUND for another customer's id; a feed simply never carries it.
        if (mode === 'list') throw notFound('Customer', filter!.customerId!);
        customerIds = [];
      } else {
        customerIds = [scope];
      }
    }
    return {
      customerIds,
      customerClassId: filter?.customerClassId ? fromGlobalId('CustomerClass', filter.customerClassId) : null,
      definitionId: filter?.definitionId ? fromGlobalId('AlertDefinition', filter.definitionId) : null,
      kinds: eventKinds(ctx, filter?.kinds),
      since: filter?.since ?? null,
    };
  }

  private where(q: EventQuery): SqlWhere {
    const where = new SqlWhere();
    const add = where.add.bind(where);
    if (q.customerIds) add((p) => `e.customer_id = ANY(${p}::uuid[])`, q.customerIds);
    if (q.customerClassId) add((p) => `EXISTS (SELECT 1 FROM customers c WHERE c.id = e.customer_id AND c.customer_class_id = ${p})`, q.customerClassId);
    if (q.definitionId) add((p) => `e.definition_id = ${p}`, q.definitionId);
    if (q.kinds) add((p) => `e.kind = ANY(${p}::text[])`, q.kinds);
    if (q.since) add((p) => `e.occurred_at >= ${p}`, q.since);
    return where;
  }

  private afterId(after: string | null | undefined): string {
    return BY_ID.decode(after)?.[0] ?? '0';
  }
}

/**
 * The kinds a list or feed carries: operator kinds only when the filter names them, so a
 * client generated before they existed keeps receiving exactly the kinds it knows; never
 * for CUSTOMER keys (operators' actions and notes are staff-only).
 */
function eventKinds(ctx: RequestContext, asked: AlertEventKind[] | null | undefined): AlertEventKind[] {
  const kinds = asked?.length ? asked : RULE_EVENT_KINDS;
  return ctx.principal.role === Role.CUSTOMER ? kinds.filter((k) => RULE_EVENT_KINDS.includes(k)) : [...kinds];
}

/** The feed's filter (the lists' SQL conditions) applied to one event read by the shared reader. */
function eventMatches(q: EventQuery, e: AlertEventType): boolean {
  if (q.customerIds && !q.customerIds.includes(e.customerLocalId)) return false;
  if (q.customerClassId && q.customerClassId !== e.customerClassLocalId) return false;
  if (q.definitionId && q.definitionId !== e.definitionLocalId) return false;
  if (q.kinds && !q.kinds.includes(e.kind)) return false;
  if (q.since && e.occurredAt < q.since) return false;
  return true;
}
