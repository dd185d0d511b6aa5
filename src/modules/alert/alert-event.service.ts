/**
 * AlertEventService: the stored event log (list, load) and the live feed behind the
 * alertTriggered / alertEvents subscriptions. Postgres is the truth and Redis the
 * wake-up: the feed always reads the settled rows after the last one yielded, in one
 * order (alert-event-order.ts), so a subscriber that resumes with a cursor gets every
 * event once, in order, with no gap.
 */
import { forbidden, notFound } from "../../platform/common/errors";
import { fromGlobalId } from "../../platform/common/global-id";
import { LOG_COUNT, type PageArgs } from "../../platform/common/keyset";
import type { Page } from "../../platform/common/pagination";
import type { Database } from "../../platform/db/database";
import { SqlWhere } from "../../platform/db/sql";
import type { EventBus } from "../../platform/pubsub/event-bus";
import {
  SharedFeed,
  type FeedLog,
  type SharedFeedOptions,
} from "../../platform/pubsub/shared-feed";
import type { Logger } from "../../platform/logger";
import type { RequestContext } from "../../platform/graphql/context";
import { defineFeed } from "../../platform/graphql/feeds";
import { Role } from "../../platform/graphql/role";
import { AlertEventKind, RULE_EVENT_KINDS } from "./alert.enums";
import type { AlertEventFilter } from "./alert.inputs";
import {
  DEFINITION_COLUMNS,
  EVENT_COLUMNS,
  type AlertDefinitionRow,
  type AlertEventRow,
} from "./alert.rows";
import { AlertDefinitionType, AlertEventType } from "./alert.types";
import {
  joinedColumns,
  type JoinedColumns,
} from "../../platform/db/joined-columns";
import { toGlobalId } from "../../platform/common/global-id";
import {
  CUSTOMER_COLUMNS,
  CustomerType,
  type CustomerRow,
} from "../customer/customer.type";
import type { CreatedAlertEvent } from "./alert-event";
import {
  alertEventCursor,
  awaitEventsSettled,
  decodeEventCursor,
  EVENT_ORDER,
  KEPT_EVENTS_SQL,
  newestSettledEvent,
  refuseExpiredEventCursors,
  SETTLED_EVENTS_SQL,
} from "./alert-event-order";
import { HORIZON_SQL } from "../balance/ledger-order";
import { ALERT_EVENT, type AlertEventPayload } from "./alert.topics";
import { oneEach } from "../../platform/graphql/batch";

/** The shared reader's pages, and how many events a subscriber catching up may have held for it. */
const FEED_OPTIONS: SharedFeedOptions = {
  pageSize: 500,
  maxHeld: 10_000,
  waitingPollMs: { first: 5, max: 200 },
  retryMs: 1_000,
};

type FeedRow = AlertEventRow & { customer_class_id: string | null };

/** A feed position: an event's (tx, id) in EVENT_ORDER. */
type Position = readonly [bigint, bigint];
const toPosition = (key: readonly string[]): Position => [
  BigInt(key[0]),
  BigInt(key[1]),
];
const fromPosition = (p: Position): string[] => [
  p[0].toString(),
  p[1].toString(),
];
const comparePositions = (a: Position, b: Position): number =>
  a[0] !== b[0]
    ? a[0] < b[0]
      ? -1
      : 1
    : a[1] < b[1]
      ? -1
      : a[1] > b[1]
        ? 1
        : 0;

/** A feed's event: the customer's class is read with it, for the customerClassId filter. */
function feedEvent(r: FeedRow): AlertEventType {
  const e = AlertEventType.from(r);
  e.customerClassLocalId = r.customer_class_id;
  return e;
}

/** The event log as the shared reader reads it: settled events in (tx, id) order (alert-event-order.ts). */
function alertEventLog(
  db: Database,
): FeedLog<AlertEventType, Position, AlertEventPayload> {
  return {
    topic: ALERT_EVENT,
    head: async () => toPosition(await newestSettledEvent(db)),
    // Settled events all come before unsettled ones (their tx is below the horizon, the
    // others' at or above it): the settled prefix is handed out, the rest read again later.
    readAfter: async (after, limit) => {
      const page = new SqlWhere();
      EVENT_ORDER.addAfter(page, fromPosition(after));
      const rows = await db.query<FeedRow & { settled: boolean }>(
        `SELECT ${EVENT_COLUMNS}, c.customer_class_id, e.tx < horizon.xmin AS settled
           FROM alert_events e LEFT JOIN customers c ON c.id = e.customer_id, (SELECT ${HORIZON_SQL} AS xmin) horizon
          WHERE ${page.sql} ORDER BY ${EVENT_ORDER.orderBy} LIMIT ${page.param(limit)}`,
        page.params,
      );
      const settled = rows.findIndex((r) => !r.settled);
      const ready = settled === -1 ? rows : rows.slice(0, settled);
      return { rows: ready.map(feedEvent), waiting: settled !== -1 };
    },
    positionOf: (e) => [BigInt(e.tx), BigInt(e.localId)],
    compare: comparePositions,
  };
}

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

export const ALERT_TRIGGERED_FEED =
  defineFeed<TriggeredFeedArgs>("alertTriggered");
export const ALERT_EVENTS_FEED = defineFeed<EventsFeedArgs>("alertEvents");

/** An event's customer and rule, read in the page's own statement (see list). */
const JOINED_CUSTOMER = joinedColumns<CustomerRow>(CUSTOMER_COLUMNS);
const JOINED_DEFINITION = joinedColumns<AlertDefinitionRow>(DEFINITION_COLUMNS);

/**
 * A relation of a page of events read with the page: the whole row, handed to `prime` (the
 * request's loader), or, when the operation reads only some plain fields of it
 * (`columns`, plain-selection.ts), just those columns, kept on each event for its field
 * resolver alone (a partial object must never reach a loader other fields read from).
 */
export interface EventRelation<T> {
  prime(row: T): void;
  columns?: readonly string[];
}

/** Receivers of the rows a page of events refers to, read with the page; each relation is joined only when asked for. */
export interface EventRelations {
  customer?: EventRelation<CustomerType>;
  definition?: EventRelation<AlertDefinitionType>;
}

/** Customer fields whose value is their column as read (CustomerType.from copies them as they are), for narrow joins. */
export const CUSTOMER_PLAIN_FIELDS = {
  id: "id",
  name: "name",
  company: "company",
  type: "type",
  status: "status",
  balance: "balance",
  creditLimit: "credit_limit",
  accruedCharges: "accrued_charges",
  mainEmail: "main_email",
  nocEmail: "noc_email",
  billingEmail: "billing_email",
  ratesEmail: "rates_email",
  phone: "phone",
  taxId: "tax_id",
  address: "address",
  timeZone: "time_zone",
  notificationsEnabled: "notifications_enabled",
  createdAt: "created_at",
  updatedAt: "updated_at",
} as const;

/** Rule fields whose value is their column as read (AlertDefinitionType.from copies them as they are), for narrow joins. */
export const DEFINITION_PLAIN_FIELDS = {
  id: "id",
  title: "title",
  enabled: "enabled",
  accountType: "account_type",
  area: "area",
  operator: "operator",
  samplePeriod: "sample_period",
  minCalls: "min_calls",
  penalty: "penalty",
  repeatInterval: "repeat_interval",
  notifyCustomer: "notify_customer",
  builtin: "builtin",
  createdAt: "created_at",
  updatedAt: "updated_at",
  deletedAt: "deleted_at",
} as const;

/** One joined relation of the page statement: its select list and how a row of the page becomes its object. */
interface JoinedRelation<T> {
  sql: string;
  read(row: Record<string, unknown>): T | null;
}

/** The whole row (CUSTOMER_COLUMNS, read by `from`), or only `columns` of PLAIN_FIELDS copied onto a bare object. */
function joinedRelation<R, T extends { id: string; localId: string }>(
  alias: string,
  whole: JoinedColumns<R>,
  from: (r: R) => T,
  make: () => T,
  type: "Customer" | "AlertDefinition",
  plain: Readonly<Record<string, string>>,
  columns: readonly string[] | undefined,
): JoinedRelation<T> {
  if (!columns)
    return {
      sql: whole.sql,
      read: (row) => {
        const r = whole.read(row);
        return r && from(r);
      },
    };
  const fields = Object.entries(plain).filter(
    ([field, column]) => field !== "id" && columns.includes(column),
  );
  const idKey = `${alias}.id`;
  return {
    sql: [
      `${alias}.id AS "${idKey}"`,
      ...fields.map(
        ([, column]) => `${alias}.${column} AS "${alias}.${column}"`,
      ),
    ].join(", "),
    read(row) {
      const id = row[idKey] as string | null;
      if (id === null || id === undefined) return null;
      const t = make();
      t.id = toGlobalId(type, id);
      t.localId = id;
      for (const [field, column] of fields)
        (t as Record<string, unknown>)[field] = row[`${alias}.${column}`];
      return t;
    },
  };
}

export class AlertEventService {
  private readonly shared: SharedFeed<
    AlertEventType,
    Position,
    AlertEventPayload
  >;

  constructor(
    private readonly db: Database,
    events: EventBus,
    logger?: Logger,
  ) {
    this.shared = new SharedFeed(
      events,
      alertEventLog(db),
      FEED_OPTIONS,
      logger,
    );
  }

  /**
   * A page of events. With `related`, the events' customers and rules are read by the same
   * statement (joined on their primary keys) and handed over, unscoped, as a loader reads
   * them: a page with its customers and rules is one statement instead of three.
   */
  async list(
    ctx: RequestContext,
    filter: AlertEventFilter | null | undefined,
    args: PageArgs,
    related: EventRelations = {},
  ): Promise<Page<AlertEventType>> {
    const page = {
      ...EVENT_ORDER.request({ first: args.first, last: args.last }),
      after: decodeEventCursor(args.after),
      before: decodeEventCursor(args.before, "before"),
    };
    const where = this.where(this.resolve(ctx, filter, "list"));
    await refuseExpiredEventCursors(this.db, page);
    where.raw(SETTLED_EVENTS_SQL);
    where.raw(KEPT_EVENTS_SQL);
    const { customer, definition } = related;
    if (!customer && !definition) {
      return EVENT_ORDER.list(this.db, {
        select: EVENT_COLUMNS,
        from: "FROM alert_events e",
        where,
        ...page,
        map: AlertEventType.from,
        count: LOG_COUNT,
      });
    }
    const c =
      customer &&
      joinedRelation(
        "c",
        JOINED_CUSTOMER,
        CustomerType.from,
        () => new CustomerType(),
        "Customer",
        CUSTOMER_PLAIN_FIELDS,
        customer.columns,
      );
    const d =
      definition &&
      joinedRelation(
        "d",
        JOINED_DEFINITION,
        AlertDefinitionType.from,
        () => new AlertDefinitionType(),
        "AlertDefinition",
        DEFINITION_PLAIN_FIELDS,
        definition.columns,
      );
    const select = [EVENT_COLUMNS, c?.sql, d?.sql].filter(Boolean).join(", ");
    const join = [
      c && "LEFT JOIN customers c ON c.id = e.customer_id",
      d && "LEFT JOIN alert_definitions d ON d.id = e.definition_id",
    ]
      .filter(Boolean)
      .join(" ");
    // Each customer and rule once, however many of the page's events refer to it.
    const customers = new Map<string, CustomerType | null>();
    const rules = new Map<string, AlertDefinitionType | null>();
    const map = (row: AlertEventRow & Record<string, unknown>) => {
      const event = AlertEventType.from(row);
      if (c) {
        let found = customers.get(row.customer_id);
        if (found === undefined) {
          customers.set(row.customer_id, (found = c.read(row)));
          if (found && !customer!.columns) customer!.prime(found);
        }
        if (found && customer!.columns) event.joinedCustomer = found;
      }
      if (d) {
        let found = rules.get(row.definition_id);
        if (found === undefined) {
          rules.set(row.definition_id, (found = d.read(row)));
          if (found && !definition!.columns) definition!.prime(found);
        }
        if (found && definition!.columns) event.joinedDefinition = found;
      }
      return event;
    };
    return EVENT_ORDER.list(this.db, {
      select,
      from: "FROM alert_events e",
      join,
      where,
      ...page,
      map,
      count: LOG_COUNT,
    });
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
  async written(
    ctx: RequestContext,
    events: readonly CreatedAlertEvent[],
  ): Promise<AlertEventType[]> {
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
  async byIds(
    ctx: RequestContext,
    ids: readonly string[],
  ): Promise<(AlertEventType | null)[]> {
    const rows = await this.db.query<AlertEventRow & { settled: boolean }>(
      `SELECT ${EVENT_COLUMNS}, ${SETTLED_EVENTS_SQL} AS settled FROM alert_events e WHERE e.id = ANY($1::bigint[])`,
      [ids],
    );
    await awaitEventsSettled(
      this.db,
      rows.filter((r) => !r.settled).map((r) => r.tx),
    );
    const visible = rows.filter((r) => ctx.canSeeCustomer(r.customer_id));
    return oneEach(
      ids.map(String),
      visible,
      (r) => String(r.id),
      AlertEventType.from,
      null,
    );
  }

  /**
   * The live feeds: one shared reader per instance (SharedFeed) reads each new settled
   * event once and hands it to every subscriber whose filter and scope match, re-checked
   * per event. With after, a subscriber first reads its own stored events after that
   * cursor in pages until it joins the reader; without, it starts at the newest settled
   * event. Events are read by cursor, so a wake-up that arrives late, twice, or never
   * (RESUBSCRIBED) changes nothing; committed events not yet settled are read again shortly.
   */
  /** ALERT_TRIGGERED_FEED: TRIGGERED and REPEATED events. */
  triggeredFeed(
    ctx: RequestContext,
    args: TriggeredFeedArgs,
  ): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(
      ctx,
      { customerId: args.customerId, customerClassId: args.customerClassId },
      args.after,
      [AlertEventKind.TRIGGERED, AlertEventKind.REPEATED],
    );
  }

  /** ALERT_EVENTS_FEED: every kind. */
  eventsFeed(
    ctx: RequestContext,
    args: EventsFeedArgs,
  ): Promise<AsyncIterableIterator<AlertEventType>> {
    return this.feed(ctx, args.filter, args.after);
  }

  /** Live subscribers of the feeds on this instance. */
  get feedFollowers(): number {
    return this.shared.followerCount;
  }

  private async feed(
    ctx: RequestContext,
    filter: AlertEventFilter | null | undefined,
    after: string | null | undefined,
    kinds?: AlertEventKind[],
  ): Promise<AsyncIterableIterator<AlertEventType>> {
    if (ctx.principal.role === Role.INGEST)
      throw forbidden("The INGEST role may not do this");
    const q = this.resolve(ctx, filter, "feed");
    if (kinds)
      q.kinds = q.kinds ? q.kinds.filter((k) => kinds.includes(k)) : kinds;
    const where = this.where(q);
    const start = decodeEventCursor(after);
    const db = this.db;
    // Refused at once (a GraphQL error of the subscribe) when retention dropped what follows the cursor.
    if (start) await refuseExpiredEventCursors(db, { after: start });
    return this.shared.follow(start ? toPosition(start) : null, {
      matches: (e) =>
        ctx.canSeeCustomer(e.customerLocalId) && eventMatches(q, e),
      // Events up to the reader's position are settled, so this read needs no horizon.
      readOwn: async (from, limit) => {
        // A catch-up weeks behind may see its next events dropped meanwhile: it ends with CURSOR_EXPIRED rather than skip them.
        await refuseExpiredEventCursors(db, { after: fromPosition(from) });
        const page = where.clone();
        EVENT_ORDER.addAfter(page, fromPosition(from));
        const rows = await db.query<FeedRow>(
          `SELECT ${EVENT_COLUMNS}, c.customer_class_id FROM alert_events e LEFT JOIN customers c ON c.id = e.customer_id
            WHERE ${page.sql} ORDER BY ${EVENT_ORDER.orderBy} LIMIT ${page.param(limit)}`,
          page.params,
        );
        return rows.map(feedEvent);
      },
    });
  }

  /** Local ids of the filter; CUSTOMER keys are confined to their own customer. */
  private resolve(
    ctx: RequestContext,
    filter: AlertEventFilter | null | undefined,
    mode: "list" | "feed",
  ): EventQuery {
    let customerIds: string[] | null = filter?.customerId
      ? [fromGlobalId("Customer", filter.customerId)]
      : null;
    const scope = ctx.customerScope;
    if (scope !== undefined) {
      if (customerIds && customerIds[0] !== scope) {
        // Lists answer NOT_FOUND for another customer's id; a feed simply never carries it.
        if (mode === "list") throw notFound("Customer", filter!.customerId!);
        customerIds = [];
      } else {
        customerIds = [scope];
      }
    }
    return {
      customerIds,
      customerClassId: filter?.customerClassId
        ? fromGlobalId("CustomerClass", filter.customerClassId)
        : null,
      definitionId: filter?.definitionId
        ? fromGlobalId("AlertDefinition", filter.definitionId)
        : null,
      kinds: eventKinds(ctx, filter?.kinds),
      since: filter?.since ?? null,
    };
  }

  private where(q: EventQuery): SqlWhere {
    const where = new SqlWhere();
    const add = where.add.bind(where);
    if (q.customerIds)
      add((p) => `e.customer_id = ANY(${p}::uuid[])`, q.customerIds);
    if (q.customerClassId)
      add(
        (p) =>
          `EXISTS (SELECT 1 FROM customers c WHERE c.id = e.customer_id AND c.customer_class_id = ${p})`,
        q.customerClassId,
      );
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
function eventKinds(
  ctx: RequestContext,
  asked: AlertEventKind[] | null | undefined,
): AlertEventKind[] {
  const kinds = asked?.length ? asked : RULE_EVENT_KINDS;
  return ctx.principal.role === Role.CUSTOMER
    ? kinds.filter((k) => RULE_EVENT_KINDS.includes(k))
    : [...kinds];
}

/** The feed's filter (the lists' SQL conditions) applied to one event read by the shared reader. */
function eventMatches(q: EventQuery, e: AlertEventType): boolean {
  if (q.customerIds && !q.customerIds.includes(e.customerLocalId)) return false;
  if (q.customerClassId && q.customerClassId !== e.customerClassLocalId)
    return false;
  if (q.definitionId && q.definitionId !== e.definitionLocalId) return false;
  if (q.kinds && !q.kinds.includes(e.kind)) return false;
  if (q.since && e.occurredAt < q.since) return false;
  return true;
}
