/**
 * AlertEventService: the stored event log (list, load) and the live feed behind the
 * alertTriggered / alertEvents subscriptions. Postgres is the truth and Redis the
 * wake-up: the feed always reads the settled rows after the last one yielded, in one
 * order (alert-event-order.ts), so a subscriber that resumes with a cursor gets every
 * event once, in order, with no gap.
 */
import { forbidden, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { PageArgs } from '../../platform/common/keyset';
import type { Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import { RESUBSCRIBED, type EventBus } from '../../platform/pubsub/event-bus';
import type { RequestContext } from '../../platform/graphql/context';
import { defineFeed } from '../../platform/graphql/feeds';
import { Role } from '../../platform/graphql/role';
import { AlertEventKind, RULE_EVENT_KINDS } from './alert.enums';
import type { AlertEventFilter } from './alert.inputs';
import { EVENT_COLUMNS, type AlertEventRow } from './alert.rows';
import { AlertEventType } from './alert.types';
import type { CreatedAlertEvent } from './alert-event';
import { alertEventCursor, awaitEventsSettled, decodeEventCursor, EVENT_ORDER, newestSettledEvent, readEventsAfter, SETTLED_EVENTS_SQL } from './alert-event-order';
import { raceTimer, TIMER } from '../balance/ledger-order';
import { ALERT_EVENT, type AlertEventPayload } from './alert.topics';
import { oneEach } from '../../platform/graphql/batch';
import { cursorFeed } from '../../platform/pubsub/cursor-feed';

const FEED_PAGE = 500;
/** While events wait to settle, the feed looks again after this long, doubling up to the cap. */
const SETTLE_POLL_MS = { first: 5, max: 200 };

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
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
  ) {}

  async list(ctx: RequestContext, filter: AlertEventFilter | null | undefined, args: PageArgs): Promise<Page<AlertEventType>> {
    const page = { ...EVENT_ORDER.request({ first: args.first, last: args.last }), after: decodeEventCursor(args.after), before: decodeEventCursor(args.before, 'before') };
    const where = this.where(this.resolve(ctx, filter, 'list'));
    where.raw(SETTLED_EVENTS_SQL);
    return EVENT_ORDER.list(this.db, { select: EVENT_COLUMNS, from: 'FROM alert_events e', where, ...page, map: AlertEventType.from });
  }

  /** The newest event's cursor (the stream's start when empty): the same for every role, it tells nothing of other customers' events but their number. */
  async headCursor(): Promise<string> {
    const [tx, id] = await newestSettledEvent(this.db);
    return alertEventCursor(tx, id);
  }

  /**
   * Events a mutation just wrote (committed), those the caller may see; answers once they
   * have settled, so their cursors are safe to resume from (usually at once).
   */
  async written(ctx: RequestContext, events: readonly CreatedAlertEvent[]): Promise<AlertEventType[]> {
    const visible = events.filter((e) => ctx.canSeeCustomer(e.customerId));
    await awaitEventsSettled(
      this.db,
      visible.map((e) => e.tx),
    );
    return visible.map((e) => AlertEventType.of(e));
  }

  /**
   * Events by local id, in the order asked (null where unknown or not visible). Waits for
   * them to settle first, so the cursors it hands out are safe to resume from.
   */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<(AlertEventType | null)[]> {
    const rows = await this.db.query<AlertEventRow & { settled: boolean }>(
      `SELECT ${EVENT_COLUMNS}, ${SETTLED_EVENTS_SQL} AS settled FROM alert_events e WHERE e.id = ANY($1::bigint[])`,
      [ids],
    );
    await awaitEventsSettled(
      this.db,
      rows.filter((r) => !r.settled).map((r) => r.tx),
    );
    const visible = rows.filter((r) => ctx.canSeeCustomer(r.customer_id));
    return oneEach(ids.map(String), visible, (r) => String(r.id), AlertEventType.from, null);
  }

  /**
   * The live feed: opens the live stream, then reads stored events after the cursor (or
   * after the newest settled one at subscription, without a cursor), then for each
   * notification reads every matching settled row after the last one yielded. Rows are
   * read by cursor, so a notification that arrives late, twice, or out of order changes
   * nothing; events committed but not yet settled are read again shortly, until they are.
   */
  /** ALERT_TRIGGERED_FEED: TRIGGERED and REPEATED events. */
  triggeredFeed(ctx: RequestContext, args: TriggeredFeedArgs): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(ctx, { customerId: args.customerId, customerClassId: args.customerClassId }, args.after, [AlertEventKind.TRIGGERED, AlertEventKind.REPEATED]);
  }

  /** ALERT_EVENTS_FEED: every kind. */
  eventsFeed(ctx: RequestContext, args: EventsFeedArgs): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(ctx, args.filter, args.after);
  }

  private async feed(ctx: RequestContext, filter: AlertEventFilter | null | undefined, after: string | null | undefined, kinds?: AlertEventKind[]): Promise<AsyncIterableIterator<AlertEventType>> {
    if (ctx.principal.role === Role.INGEST) throw forbidden('The INGEST role may not do this');
    const q = this.resolve(ctx, filter, 'feed');
    if (kinds) q.kinds = q.kinds ? q.kinds.filter((k) => kinds.includes(k)) : kinds;
    // Without a cursor the feed starts at the newest event, read BEFORE the live stream
    // opens: whatever commits in between is then found by the first catch-up read.
    const start = decodeEventCursor(after) ?? (await newestSettledEvent(this.db));
    const live = await this.events.cursorStream(ALERT_EVENT);
    const gen = this.run(q, start, live);
    return cursorFeed(gen, live);
  }

  private async *run(
    q: EventQuery,
    start: string[],
    live: AsyncIterableIterator<AlertEventPayload | typeof RESUBSCRIBED>,
  ): AsyncGenerator<AlertEventType, undefined> {
    let last = start;
    let pending = false;
    const where = this.where(q);
    const db = this.db;
    const catchUp = async function* (): AsyncGenerator<AlertEventType> {
      for (;;) {
        const read = await readEventsAfter(db, where, last, FEED_PAGE);
        pending = read.pending;
        for (const r of read.rows) {
          last = [r.tx, String(r.id)];
          yield AlertEventType.from(r);
        }
        if (!read.more) return;
      }
    };
    let wake: Promise<IteratorResult<AlertEventPayload | typeof RESUBSCRIBED>> | undefined;
    let poll = 0;
    try {
      for (;;) {
        yield* catchUp();
        poll = !pending ? 0 : poll ? Math.min(poll * 2, SETTLE_POLL_MS.max) : SETTLE_POLL_MS.first;
        // Wait for a wake-up, or (while events wait to settle) for the next look; a
        // wake-up still pending when the timer wins is kept for the next wait.
        for (;;) {
          wake ??= live.next();
          const woke = pending ? await raceTimer(wake, poll) : await wake;
          if (woke === TIMER) break;
          wake = undefined;
          if (woke.done) return undefined;
          // After a Redis outage the wake-ups of its events may be lost: read regardless.
          if (woke.value === RESUBSCRIBED || mayMatch(q, woke.value)) break;
        }
      }
    } finally {
      await live.return?.();
    }
    return undefined;
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

/** A cheap pre-check of a notification against the filter (the SQL read is the real check). */
function mayMatch(q: EventQuery, n: AlertEventPayload): boolean {
  if (q.customerIds && !q.customerIds.includes(n.customerId)) return false;
  if (q.definitionId && q.definitionId !== n.definitionId) return false;
  if (q.kinds && !q.kinds.includes(n.kind as AlertEventKind)) return false;
  return true;
}
