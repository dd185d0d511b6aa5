import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import type { NotificationTemplateLoader } from '../notification-template/notification-template.loader';
import { NotificationTemplateType } from '../notification-template/notification-template.type';
import { CustomerClassInput } from './customer-class.inputs';
import type { CustomerClassLoader } from './customer-class.loader';
import { MAX_CUSTOMER_CLASSES, type CustomerClassService } from './customer-class.service';
import { CustomerClassType } from './customer-class.type';

/** Classes are account configuration: ADMIN and NOC list them; a CUSTOMER key reaches only its own, through its customer. */
@Resolver(() => CustomerClassType)
export class CustomerClassResolver {
  constructor(
    private readonly classService: CustomerClassService,
    private readonly classes: CustomerClassLoader,
    private readonly templates: NotificationTemplateLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Query(() => CustomerClassType, { nullable: true })
  async customerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<CustomerClassType> {
    const found = await this.classes.load(ctx, fromGlobalId('CustomerClass', id));
    if (!found) throw notFound('CustomerClass', id);
    return found;
  }

  @Authorized(Role.ADMIN, Role.NOC)
  @Extensions({ listSize: { max: MAX_CUSTOMER_CLASSES } })
  @Query(() => [CustomerClassType], { description: `Every customer class, by name (at most ${MAX_CUSTOMER_CLASSES} can exist).` })
  customerClasses(@Ctx() ctx: RequestContext): Promise<CustomerClassType[]> {
    return this.classService.list(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerClassType)
  createCustomerClass(@Ctx() ctx: RequestContext, @Arg('input') input: CustomerClassInput): Promise<CustomerClassType> {
    return this.classService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerClassType)
  updateCustomerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: CustomerClassInput): Promise<CustomerClassType> {
    return this.classService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteCustomerClass(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.classService.delete(ctx, id);
  }

  @FieldResolver(() => NotificationTemplateType, {
    nullable: true,
    description: "What the class's customers are told, per enabled kind. Null: its customers receive no notifications (PortaBilling's rule).",
  })
  notificationTemplate(@Ctx() ctx: RequestContext, @Root() cls: CustomerClassType): Promise<NotificationTemplateType | null> | null {
    return cls.notificationTemplateLocalId ? this.templates.load(ctx, cls.notificationTemplateLocalId) : null;
  }

  @FieldResolver(() => Int)
  customerCount(@Ctx() ctx: RequestContext, @Root() cls: CustomerClassType): Promise<number> {
    return this.classes.customerCount(ctx, cls.localId);
  }
}
