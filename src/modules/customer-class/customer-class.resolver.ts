import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { CustomerConnection } from '../customer/customer-connection';
import { loadNotificationTemplate } from '../notification-template/notification-template.loader';
import { NotificationTemplateType } from '../notification-template/notification-template.type';
import { loadFirstCustomersOfClass } from './class-customers.loader';
import { CustomerClassInput } from './customer-class.inputs';
import { loadCustomerClass, loadCustomerCount } from './customer-class.loader';
import { MAX_CUSTOMER_CLASSES } from './customer-class.service';
import { CustomerClassType } from './customer-class.type';

/** Classes are account configuration: ADMIN and NOC list them; a CUSTOMER key reaches only its own, through its customer. */
@Resolver(() => CustomerClassType)
export class CustomerClassResolver {
  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => CustomerClassType, { nullable: true })
  async customerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<CustomerClassType> {
    const found = await loadCustomerClass(ctx, fromGlobalId('CustomerClass', id));
    if (!found) throw notFound('CustomerClass', id);
    return found;
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Extensions({ listSize: { max: MAX_CUSTOMER_CLASSES } })
  @Query(() => [CustomerClassType], { description: `Every customer class, by name (at most ${MAX_CUSTOMER_CLASSES} can exist).` })
  customerClasses(@Ctx() ctx: RequestContext): Promise<CustomerClassType[]> {
    return ctx.services.customerClasses.list(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerClassType)
  createCustomerClass(@Ctx() ctx: RequestContext, @Arg('input') input: CustomerClassInput): Promise<CustomerClassType> {
    return ctx.services.customerClasses.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerClassType)
  updateCustomerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: CustomerClassInput): Promise<CustomerClassType> {
    return ctx.services.customerClasses.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteCustomerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.customerClasses.delete(ctx, id);
  }

  @FieldResolver(() => NotificationTemplateType, { nullable: true })
  notificationTemplate(@Ctx() ctx: RequestContext, @Root() cls: CustomerClassType): Promise<NotificationTemplateType | null> | null {
    return cls.notificationTemplateLocalId ? loadNotificationTemplate(ctx, cls.notificationTemplateLocalId) : null;
  }

  @FieldResolver(() => Int)
  customerCount(@Ctx() ctx: RequestContext, @Root() cls: CustomerClassType): Promise<number> {
    return loadCustomerCount(ctx, cls.localId);
  }

  @FieldResolver(() => CustomerConnection)
  /** Batched across classes for the first page; ordered by name like the customers list. */
  customers(
    @Ctx() ctx: RequestContext,
    @Root() cls: CustomerClassType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CustomerConnection> {
    return after
      ? ctx.services.customerQueries.list(ctx, { filter: { customerClassId: cls.id }, first, after })
      : loadFirstCustomersOfClass(ctx, cls.localId, first);
  }
}
