import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Authorized,
  Ctx,
  Extensions,
  FieldResolver,
  ID,
  Info,
  Int,
  Query,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { pageSize } from "../../platform/common/pagination";
import type { RequestContext } from "../../platform/graphql/context";
import { fromFeed } from "../../platform/graphql/feeds";
import {
  selectedNodes,
  type Prefetcher,
} from "../../platform/graphql/prefetch";
import { plainColumns } from "../../platform/graphql/plain-selection";
import { Role } from "../../platform/graphql/role";
import { CdrBatchResult } from "../cdr/cdr.type";
import type { CustomerLoader } from "../customer/customer.loader";
import { CustomerType } from "../customer/customer.type";
import { AlertEventFilter } from "./alert.inputs";
import type { CdrBatchAlerts } from "./alert-event";
import {
  ALERT_EVENTS_FEED,
  ALERT_TRIGGERED_FEED,
  CUSTOMER_PLAIN_FIELDS,
  DEFINITION_PLAIN_FIELDS,
  type AlertEventService,
  type EventRelations,
} from "./alert-event.service";
import { STATES_OF_CUSTOMER, type AlertLoader } from "./alert.loader";
import {
  AlertDefinitionType,
  AlertEventConnection,
  AlertEventType,
  AlertStateType,
} from "./alert.types";

@Resolver(() => AlertEventType)
export class AlertEventResolver {
  constructor(
    private readonly eventService: AlertEventService,
    private readonly alerts: AlertLoader,
    private readonly customers: CustomerLoader,
    private readonly prefetch: Prefetcher,
  ) {
    // A page of events loads its rules and customers ahead (prefetch.ts), by the same loads as the field resolvers below.
    prefetch.field<AlertEventType>("AlertEvent", "definition", (ctx, e) =>
      this.definitionOf(ctx, e),
    );
    prefetch.field<AlertEventType>("AlertEvent", "customer", (ctx, e) =>
      this.customerOf(ctx, e),
    );
  }

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => AlertEventConnection, {
    description:
      "Oldest first (cursor order); last/before page from the newest end: alertEvents(last: 5) is the newest five.",
  })
  async alertEvents(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg("filter", () => AlertEventFilter, { nullable: true })
    filter?: AlertEventFilter | null,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("last", () => Int, { nullable: true }) last?: number | null,
    @Arg("before", () => String, { nullable: true }) before?: string | null,
  ): Promise<AlertEventConnection> {
    // Selected customers and rules are read by the page's statement and primed into this
    // request's loaders, so the field resolvers (through prefetch) send no statement of their own.
    // When the operation reads only plain fields of them, only those columns are read.
    const related: EventRelations = {};
    const customerNodes = selectedNodes(info, ["nodes", "customer"]);
    if (customerNodes) {
      related.customer = {
        prime: (c) => this.customers.byId(ctx).prime(c.localId, c),
        columns: plainColumns(
          info,
          customerNodes,
          "Customer",
          CUSTOMER_PLAIN_FIELDS,
        ),
      };
    }
    const definitionNodes = selectedNodes(info, ["nodes", "definition"]);
    if (definitionNodes) {
      related.definition = {
        prime: (d) => this.alerts.definitions(ctx).prime(d.localId, d),
        columns: plainColumns(
          info,
          definitionNodes,
          "AlertDefinition",
          DEFINITION_PLAIN_FIELDS,
        ),
      };
    }
    const page = await this.eventService.list(
      ctx,
      filter,
      { first, after, last, before },
      related,
    );
    await this.prefetch.rows(ctx, info, ["nodes"], page.nodes);
    return page;
  }

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => String, {
    description:
      "Where the alert-event stream stands now: the newest event's cursor (a cursor before the first event when there is none). A screen that loads its state and then subscribes with alertEvents(after: this) misses nothing that commits in between.",
  })
  alertEventsHead(): Promise<string> {
    return this.eventService.headCursor();
  }

  @FieldResolver(() => AlertDefinitionType)
  definition(
    @Ctx() ctx: RequestContext,
    @Root() e: AlertEventType,
  ): Promise<AlertDefinitionType> {
    return this.definitionOf(ctx, e);
  }

  @FieldResolver(() => CustomerType)
  customer(
    @Ctx() ctx: RequestContext,
    @Root() e: AlertEventType,
  ): Promise<CustomerType> {
    return this.customerOf(ctx, e);
  }

  /** The event's rule: as its page read it (only the selected fields), or by the loader. */
  private definitionOf(
    ctx: RequestContext,
    e: AlertEventType,
  ): Promise<AlertDefinitionType> {
    return e.joinedDefinition
      ? Promise.resolve(e.joinedDefinition)
      : this.alerts.getDefinition(ctx, e.definitionLocalId);
  }

  /** The event's customer: as its page read it (only the selected fields) when the caller may see it, or by the loader (which refuses it otherwise, as before). */
  private customerOf(
    ctx: RequestContext,
    e: AlertEventType,
  ): Promise<CustomerType> {
    const joined = e.joinedCustomer;
    return joined && ctx.canSeeCustomer(joined.localId)
      ? Promise.resolve(joined)
      : this.customers.get(ctx, e.customerLocalId);
  }
}

@Resolver(() => AlertStateType)
export class AlertStateResolver {
  constructor(
    private readonly alerts: AlertLoader,
    private readonly customers: CustomerLoader,
  ) {}

  @FieldResolver(() => AlertDefinitionType)
  definition(
    @Ctx() ctx: RequestContext,
    @Root() s: AlertStateType,
  ): Promise<AlertDefinitionType> {
    return this.alerts.getDefinition(ctx, s.definitionLocalId);
  }

  @FieldResolver(() => CustomerType)
  customer(
    @Ctx() ctx: RequestContext,
    @Root() s: AlertStateType,
  ): Promise<CustomerType> {
    return this.customers.get(ctx, s.customerLocalId);
  }
}

@Resolver(() => CustomerType)
export class CustomerAlertStatesResolver {
  constructor(private readonly alerts: AlertLoader) {}

  @Extensions({ listSize: STATES_OF_CUSTOMER })
  @FieldResolver(() => [AlertStateType], {
    description: `Where each alert rule covering the customer stands: the first \`first\` by rule (default ${STATES_OF_CUSTOMER.default}, at most ${STATES_OF_CUSTOMER.max}).`,
  })
  alertStates(
    @Ctx() ctx: RequestContext,
    @Root() c: CustomerType,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
  ): Promise<AlertStateType[]> {
    return this.alerts.statesOfCustomer(
      ctx,
      c.localId,
      pageSize(first, STATES_OF_CUSTOMER),
    );
  }
}

@Resolver(() => CdrBatchResult)
export class CdrBatchAlertEventsResolver {
  constructor(private readonly eventService: AlertEventService) {}

  @Extensions({ listSize: "cdrBatch" })
  @FieldResolver(() => [AlertEventType], {
    description: "Alert events this batch caused, in cursor order.",
  })
  alertEvents(
    @Ctx() ctx: RequestContext,
    @Root() r: CdrBatchResult<CdrBatchAlerts>,
  ): Promise<AlertEventType[]> {
    return this.eventService.written(ctx, r.outcome?.alertEvents ?? []);
  }
}

/** The live alert event feeds (opened by AlertEventService, routed in src/app). */
@Resolver(() => AlertEventType)
export class AlertEventSubscriptionsResolver {
  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Subscription(() => AlertEventType, {
    description:
      "TRIGGERED and REPEATED events, live. With after: first every stored event after that cursor, then live, none twice.",
    ...fromFeed(ALERT_TRIGGERED_FEED),
  })
  alertTriggered(
    @Root() event: AlertEventType,
    @Arg("customerId", () => ID, { nullable: true })
    _customerId?: string | null,
    @Arg("customerClassId", () => ID, { nullable: true })
    _customerClassId?: string | null,
    @Arg("after", () => String, { nullable: true }) _after?: string | null,
  ): AlertEventType {
    return event;
  }

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Subscription(() => AlertEventType, {
    name: "alertEvents",
    description: "Every alert event kind, live, with the same after semantics.",
    ...fromFeed(ALERT_EVENTS_FEED),
  })
  alertEventsFeed(
    @Root() event: AlertEventType,
    @Arg("filter", () => AlertEventFilter, { nullable: true })
    _filter?: AlertEventFilter | null,
    @Arg("after", () => String, { nullable: true }) _after?: string | null,
  ): AlertEventType {
    return event;
  }
}
