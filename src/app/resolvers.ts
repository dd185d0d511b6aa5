/**
 * Every resolver of the API with the services it is constructed with, and what node(id)
 * loads per type. type-graphql asks `container` for a resolver's instance; the
 * instances are made here, once per app, by plain constructors.
 */
import type { ContainerType, NonEmptyArray } from 'type-graphql';
import { Role } from '../platform/graphql/role';
import { NodeResolver, type NodeFetchers } from '../platform/graphql/node.resolver';
import { CoercedArgsCall } from '../platform/graphql/coerced-args';
import { Prefetcher } from '../platform/graphql/prefetch';
import { route, type FeedRoute } from '../platform/graphql/feeds';
import { ALERT_EVENTS_FEED, ALERT_TRIGGERED_FEED } from '../modules/alert/alert-event.service';
import { BALANCE_CHANGED_FEED, CUSTOMER_STATUS_FEED } from '../modules/customer/customer-events.service';
import { LEDGER_FEED } from '../modules/balance/ledger.service';
import { BalanceChangeLedgerResolver, LedgerResolver, LedgerSubscriptionsResolver } from '../modules/balance/ledger.resolver';
import { CustomerLedgerResolver, LedgerEntryCustomerResolver } from '../modules/customer/customer-ledger.resolver';
import { AlertDefinitionResolver, AlertTestResultResolver } from '../modules/alert/alert-definition.resolver';
import {
  AlertEventResolver,
  AlertEventSubscriptionsResolver,
  AlertStateResolver,
  CdrBatchAlertEventsResolver,
  CustomerAlertStatesResolver,
} from '../modules/alert/alert-event.resolver';
import { AlertEventIncidentResolver, AlertIncidentResolver } from '../modules/alert/alert-incident.resolver';
import { ApiKeyResolver, LedgerEntryActorResolver, PrincipalResolver } from '../modules/api-key/api-key.resolver';
import { CustomerCallStatsResolver } from '../modules/cdr/call-stats.resolver';
import { CdrIngestResolver, CdrResolver } from '../modules/cdr/cdr.resolver';
import { BalanceChangeCustomerResolver } from '../modules/customer/balance-change-customer.resolver';
import { ClassCustomersResolver } from '../modules/customer/class-customers.resolver';
import { CustomerBalanceResolver, CustomerSubscriptionsResolver } from '../modules/customer/customer-balance.resolver';
import { CustomerFieldsResolver } from '../modules/customer/customer-fields.resolver';
import { CustomerResolver } from '../modules/customer/customer.resolver';
import { CustomerClassResolver } from '../modules/customer-class/customer-class.resolver';
import { HostResolver } from '../modules/host/host.resolver';
import { TrunkHostsResolver } from '../modules/host/trunk-hosts.resolver';
import { NotificationResolver } from '../modules/notification/notification.resolver';
import { NotificationTemplateResolver } from '../modules/notification-template/notification-template.resolver';
import { SettingsResolver } from '../modules/settings/settings.resolver';
import { CustomerTrunksResolver } from '../modules/trunk/customer-trunks.resolver';
import { TrunkResolver } from '../modules/trunk/trunk.resolver';
import type { Services } from './services';

/** A resolver class (type-graphql's own type for them is Function). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ResolverClass = Function;

export interface AppResolvers {
  classes: NonEmptyArray<ResolverClass>;
  container: ContainerType;
  /** The subscriptions' feeds, by the services that open them (see platform/graphql/feeds.ts). */
  feeds: FeedRoute[];
  /** Nested fields list pages load ahead; installed on the built schema (prefetch.ts). */
  prefetch: Prefetcher;
}

/** node(id) per type; account configuration (templates, classes, rules) is not reachable by CUSTOMER keys this way. */
function nodeFetchers(s: Services): NodeFetchers {
  const { loaders } = s;
  const notForCustomers =
    <T>(fetch: (ctx: Parameters<NonNullable<NodeFetchers['Customer']>>[0], id: string) => Promise<T | null>) =>
    (ctx: Parameters<NonNullable<NodeFetchers['Customer']>>[0], id: string) =>
      ctx.principal.role === Role.CUSTOMER ? Promise.resolve(null) : fetch(ctx, id);
  return {
    Customer: (ctx, id) => loaders.customers.load(ctx, id),
    CustomerClass: notForCustomers((ctx, id) => loaders.classes.load(ctx, id)),
    NotificationTemplate: notForCustomers((ctx, id) => loaders.templates.load(ctx, id)),
    ApiKey: (ctx, id) => s.apiKeys.findById(ctx, id),
    Trunk: (ctx, id) => loaders.trunks.load(ctx, id),
    Host: (ctx, id) => loaders.hosts.load(ctx, id),
    Cdr: (ctx, id) => s.cdrs.findById(ctx, id),
    AlertDefinition: notForCustomers((ctx, id) => loaders.alerts.definition(ctx, id)),
    AlertEvent: async (ctx, id) => (await s.alertEvents.byIds(ctx, [id]))[0],
    AlertIncident: async (ctx, id) => (await s.alertIncidents.byIds(ctx, [id]))[0],
    Notification: (ctx, id) => s.notifications.findById(ctx, id),
    LedgerEntry: (ctx, id) => s.ledger.load(ctx, id),
  };
}

export function createResolvers(s: Services): AppResolvers {
  const { customers, classes, templates, trunks, hosts, alerts, classCustomers } = s.loaders;
  const prefetch = new Prefetcher();
  const instances = [
    new NodeResolver(nodeFetchers(s)),
    new ApiKeyResolver(s.apiKeys, customers),
    new PrincipalResolver(s.apiKeys, customers),
    new SettingsResolver(s.settings),
    new NotificationTemplateResolver(s.notificationTemplates),
    new CustomerClassResolver(s.customerClasses, classes, templates),
    new CustomerResolver(s.customers, s.customerQueries, prefetch),
    new CustomerFieldsResolver(classes),
    new ClassCustomersResolver(s.customerQueries, classCustomers),
    new CustomerBalanceResolver(s.customerBalances),
    new BalanceChangeCustomerResolver(customers),
    new LedgerResolver(s.ledger),
    new BalanceChangeLedgerResolver(s.ledger),
    new LedgerEntryCustomerResolver(customers),
    new CustomerLedgerResolver(s.ledger),
    new LedgerEntryActorResolver(s.apiKeys),
    new TrunkResolver(s.trunks, customers),
    new CustomerTrunksResolver(trunks, prefetch),
    new HostResolver(s.hosts, s.hostQueries, trunks, customers),
    new TrunkHostsResolver(hosts, prefetch),
    new CdrResolver(s.cdrs, customers, trunks),
    new CustomerCallStatsResolver(s.loaders.callStats),
    new AlertDefinitionResolver(s.alertDefinitions, alerts, customers, classes, templates),
    new AlertTestResultResolver(customers),
    new AlertEventResolver(s.alertEvents, alerts, customers, prefetch),
    new AlertIncidentResolver(s.alertIncidents, alerts, customers),
    new AlertEventIncidentResolver(s.alertIncidents),
    new AlertStateResolver(alerts, customers),
    new CustomerAlertStatesResolver(alerts),
    new CdrBatchAlertEventsResolver(s.alertEvents),
    new NotificationResolver(s.notifications, s.alertEvents, customers),
    new CdrIngestResolver(s.cdrs),
    new AlertEventSubscriptionsResolver(),
    new CustomerSubscriptionsResolver(customers),
    new LedgerSubscriptionsResolver(),
  ];
  const byClass = new Map<unknown, object>(instances.map((r) => [r.constructor, r]));
  const instanceOf = (cls: ResolverClass): object => {
    const found = byClass.get(cls);
    if (!found) throw new Error(`no instance of ${cls.name}: list it in src/app/resolvers.ts`);
    return found;
  };
  return {
    prefetch,
    classes: instances.map((r) => r.constructor) as NonEmptyArray<ResolverClass>,
    container: {
      get: (cls: ResolverClass) => {
        // WithCoercedArgs's middlewares call their resolver's method on its instance.
        if (cls.prototype instanceof CoercedArgsCall) return new (cls as new (of: typeof instanceOf) => CoercedArgsCall)(instanceOf);
        return instanceOf(cls);
      },
    },
    feeds: [
      route(ALERT_TRIGGERED_FEED, (ctx, args) => s.alertEvents.triggeredFeed(ctx, args)),
      route(ALERT_EVENTS_FEED, (ctx, args) => s.alertEvents.eventsFeed(ctx, args)),
      route(BALANCE_CHANGED_FEED, (ctx, args) => s.customerEvents.balanceChanges(ctx, args)),
      route(CUSTOMER_STATUS_FEED, (ctx, args) => s.customerEvents.statusChanges(ctx, args)),
      route(LEDGER_FEED, (ctx, args) => s.ledger.feed(ctx, args)),
    ],
  };
}
