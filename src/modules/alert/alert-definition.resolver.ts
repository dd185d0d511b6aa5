import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import { pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { loadCustomer } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { loadCustomerClass } from '../customer-class/customer-class.loader';
import { CustomerClassType } from '../customer-class/customer-class.type';
import { loadNotificationTemplate } from '../notification-template/notification-template.loader';
import { NotificationTemplateType } from '../notification-template/notification-template.type';
import { AlertDefinitionFilter, AlertDefinitionInput } from './alert.inputs';
import { loadStatesOfDefinition, STATES_OF_DEFINITION } from './alert.loader';
import { AlertDefinitionConnection, AlertDefinitionType, AlertStateType, AlertTestResultType } from './alert.types';

@Resolver(() => AlertDefinitionType)
export class AlertDefinitionResolver {
  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertDefinitionType, { nullable: true })
  alertDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertDefinitionType | null> {
    return ctx.services.alertDefinitions.get(ctx, id);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertDefinitionConnection)
  alertDefinitions(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AlertDefinitionFilter, { nullable: true }) filter?: AlertDefinitionFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AlertDefinitionConnection> {
    return ctx.services.alertDefinitions.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertDefinitionType)
  createAlertDefinition(@Ctx() ctx: RequestContext, @Arg('input', () => AlertDefinitionInput) input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    return ctx.services.alertDefinitions.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertDefinitionType)
  updateAlertDefinition(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AlertDefinitionInput) input: AlertDefinitionInput,
  ): Promise<AlertDefinitionType> {
    return ctx.services.alertDefinitions.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteAlertDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.alertDefinitions.delete(ctx, id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertTestResultType, { description: 'Render (and with deliver: true, send) what the alert would send for a customer now.' })
  testAlert(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('deliver', () => Boolean, { nullable: true }) deliver?: boolean | null,
  ): Promise<AlertTestResultType> {
    return ctx.services.alertDefinitions.test(ctx, id, customerId, deliver ?? false);
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<CustomerType | null> | null {
    return d.customerLocalId ? loadCustomer(ctx, d.customerLocalId) : null;
  }

  @FieldResolver(() => CustomerClassType, { nullable: true })
  customerClass(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<CustomerClassType | null> | null {
    return d.customerClassLocalId ? loadCustomerClass(ctx, d.customerClassLocalId) : null;
  }

  @FieldResolver(() => NotificationTemplateType, { nullable: true })
  template(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<NotificationTemplateType | null> | null {
    return d.templateLocalId ? loadNotificationTemplate(ctx, d.templateLocalId) : null;
  }

  @Extensions({ listSize: STATES_OF_DEFINITION })
  @FieldResolver(() => [AlertStateType], {
    description: `Where the rule stands for each customer it covers: the first \`first\` by customer (default ${STATES_OF_DEFINITION.default}, at most ${STATES_OF_DEFINITION.max}).`,
  })
  states(
    @Ctx() ctx: RequestContext,
    @Root() d: AlertDefinitionType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
  ): Promise<AlertStateType[]> {
    return loadStatesOfDefinition(ctx, d.localId, pageSize(first, STATES_OF_DEFINITION));
  }
}

@Resolver(() => AlertTestResultType)
export class AlertTestResultResolver {
  @FieldResolver(() => AlertDefinitionType)
  definition(@Root() r: AlertTestResultType): AlertDefinitionType {
    return r.definition;
  }

  @FieldResolver(() => CustomerType)
  async customer(@Ctx() ctx: RequestContext, @Root() r: AlertTestResultType): Promise<CustomerType> {
    const customer = await loadCustomer(ctx, r.customerLocalId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', r.customerLocalId));
    return customer;
  }
}
