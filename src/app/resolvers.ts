/**
 * Every resolver of the API with the services it is constructed with, and what node(id)
 * loads per type. type-graphql asks `container` for a resolver's instance; the
 * instances are made here, once per app, by plain constructors.
 */
import type { ContainerType, NonEmptyArray } from 'type-graphql';
import { Role } from '../platform/graphql/role';
import { NodeResolver, type NodeFetchers } from '../platform/graphql/node.resolver';
import { AlertDefinitionResolver, AlertTestResultResolver } from '../modules/alert/alert-definition.resolver';
import {
  AlertEventResolver,
  alertEventSubscriptionsResolver,
  AlertStateResolver,
  CdrBatchAlertEventsResolver,
  CustomerAlertStatesResolver,
} from '../modules/alert/alert-event.resolver';
import { ApiKeyResolver, PrincipalResolver } from '../modules/api-key/api-key.resolver';
import { cdrIngestResolver, CdrResolver } from '../modules/cdr/cdr.resolver';
import { BalanceChangeCustomerResolver } from '../modules/customer/balance-change-customer.resolver';
import { ClassCustomersResolver } from '../modules/customer/class-customers.resolver';
import { CustomerBalanceResolver, customerSubscriptionsResolver } from '../modules/customer/customer-balance.resolver';
import { CustomerFieldsResolver } from '../modules/customer/customer-fields.resolver';
import { CustomerResolver } from '../modules/customer/customer.resolver';
import { CustomerClassResolver } from '../modules/customer-class/customer-class.resolver';
import { HostResolver } from '../modules/host/host.resolver';
import { TrunkHostsResolver } from '../modules/host/trunk-hosts.resolver';
import { NotificationResolver } from '../modules/notification/notification.resolver';
import { NotificationTemplateResolver } from '../modules/notification-template/notification-template.resolver';
import { CustomerTrunksResolver } from '../modules/trunk/customer-trunks.resolver';
import { TrunkResolver } from '../modules/trunk/trunk.resolver';
import type { Services } from './services';

/** A resolver class (type-graphql's own type for them is Function). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ResolverClass = Function;

export interface AppResolvers {
  classes: NonEmptyArray<ResolverClass>;
  container: ContainerType;
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
    Notification: (ctx, id) => s.notifications.findById(ctx, id),
  };
}

export function createResolvers(s: Services): AppResolvers {
  const { customers, classes, templates, trunks, hosts, alerts, classCustomers } = s.loaders;
  const instances = [
    new NodeResolver(nodeFetchers(s)),
    new ApiKeyResolver(s.apiKeys, customers),
    new PrincipalResolver(s.apiKeys, customers),
    new NotificationTemplateResolver(s.notificationTemplates),
    new CustomerClassResolver(s.customerClasses, classes, templates),
    new CustomerResolver(s.customers, s.customerQueries),
    new CustomerFieldsResolver(classes),
    new ClassCustomersResolver(s.customerQueries, classCustomers),
    new CustomerBalanceResolver(s.customerBalances),
    new BalanceChangeCustomerResolver(customers),
    new TrunkResolver(s.trunks, customers),
    new CustomerTrunksResolver(trunks),
    new HostResolver(s.hosts, s.hostQueries, trunks, customers),
    new TrunkHostsResolver(hosts),
    new CdrResolver(s.cdrs, customers, trunks),
    new AlertDefinitionResolver(s.alertDefinitions, alerts, customers, classes, templates),
    new AlertTestResultResolver(customers),
    new AlertEventResolver(s.alertEvents, alerts, customers),
    new AlertStateResolver(alerts, customers),
    new CustomerAlertStatesResolver(alerts),
    new CdrBatchAlertEventsResolver(),
    new NotificationResolver(s.notifications, s.alertEvents, customers),
  ];
  // type-graphql calls these methods without an instance (a subscription's subscribe, a
  // WithCoercedArgs method), so their classes close over their services.
  const factoryMade = [
    cdrIngestResolver(s.cdrs),
    alertEventSubscriptionsResolver(s.alertEvents),
    customerSubscriptionsResolver(s.customerEvents, customers),
  ];
  const byClass = new Map<unknown, unknown>(instances.map((r) => [r.constructor, r]));
  return {
    classes: [...instances.map((r) => r.constructor), ...factoryMade] as NonEmptyArray<ResolverClass>,
    container: {
      get: (cls: unknown) => {
        const found = byClass.get(cls);
        if (found) return found;
        // The factory-made classes take no constructor arguments.
        const made = new (cls as new () => unknown)();
        byClass.set(cls, made);
        return made;
      },
    },
  };
}
