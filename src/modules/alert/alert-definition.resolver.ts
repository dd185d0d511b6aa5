import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import type { CustomerClassLoader } from '../customer-class/customer-class.loader';
import { CustomerClassType } from '../customer-class/customer-class.type';
import type { NotificationTemplateLoader } from '../notification-template/notification-template.loader';
import { NotificationTemplateType } from '../notification-template/notification-template.type';
import { AlertDefinitionFilter, AlertDefinitionInput } from './alert.inputs';
import type { AlertDefinitionService } from './alert-definition.service';
import { STATES_OF_DEFINITION, type AlertLoader } from './alert.loader';
import { AlertDefinitionConnection, AlertDefinitionType, AlertStateType, AlertTestResultType } from './alert.types';

@Resolver(() => AlertDefinitionType)
export class AlertDefinitionResolver {
  constructor(
    private readonly definitionService: AlertDefinitionService,
    private readonly alerts: AlertLoader,
    private readonly customers: CustomerLoader,
    private readonly classes: CustomerClassLoader,
    private readonly templates: NotificationTemplateLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertDefinitionType, { nullable: true })
  alertDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AlertDefinitionType | null> {
    return this.definitionService.get(ctx, id);
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => AlertDefinitionConnection)
  alertDefinitions(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AlertDefinitionFilter, { nullable: true }) filter?: AlertDefinitionFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AlertDefinitionConnection> {
    return this.definitionService.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertDefinitionType)
  createAlertDefinition(@Ctx() ctx: RequestContext, @Arg('input', () => AlertDefinitionInput) input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    return this.definitionService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertDefinitionType)
  updateAlertDefinition(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AlertDefinitionInput) input: AlertDefinitionInput,
  ): Promise<AlertDefinitionType> {
    return this.definitionService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteAlertDefinition(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.definitionService.delete(ctx, id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AlertTestResultType, { description: 'Render (and with deliver: true, send) what the alert would send for a customer now.' })
  testAlert(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('deliver', () => Boolean, { nullable: true }) deliver?: boolean | null,
  ): Promise<AlertTestResultType> {
    return this.definitionService.test(ctx, id, customerId, deliver ?? false);
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<CustomerType | null> | null {
    return d.customerLocalId ? this.customers.load(ctx, d.customerLocalId) : null;
  }

  @FieldResolver(() => CustomerClassType, { nullable: true })
  customerClass(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<CustomerClassType | null> | null {
    return d.customerClassLocalId ? this.classes.load(ctx, d.customerClassLocalId) : null;
  }

  @FieldResolver(() => NotificationTemplateType, { nullable: true })
  template(@Ctx() ctx: RequestContext, @Root() d: AlertDefinitionType): Promise<NotificationTemplateType | null> | null {
    return d.templateLocalId ? this.templates.load(ctx, d.templateLocalId) : null;
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
    return this.alerts.statesOfDefinition(ctx, d.localId, pageSize(first, STATES_OF_DEFINITION));
  }
}

@Resolver(() => AlertTestResultType)
export class AlertTestResultResolver {
  constructor(private readonly customers: CustomerLoader) {}

  @FieldResolver(() => AlertDefinitionType)
  definition(@Root() r: AlertTestResultType): AlertDefinitionType {
    return r.definition;
  }

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() r: AlertTestResultType): Promise<CustomerType> {
    return this.customers.get(ctx, r.customerLocalId);
  }
}
