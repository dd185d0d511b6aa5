import { Arg, Authorized, Ctx, Extensions, ID, Mutation, Query, Resolver } from 'type-graphql';
import { UNPAGED_LIST_COST } from '../../common/pagination';
import type { RequestContext } from '../../server/context';
import { Role } from '../api-key/role';
import { NotificationTemplateInput } from './notification-template.inputs';
import { NotificationTemplateType } from './notification-template.type';

@Resolver(() => NotificationTemplateType)
export class NotificationTemplateResolver {
  @Authorized(Role.ADMIN, Role.NOC)
  @Extensions({ listSize: { max: UNPAGED_LIST_COST } })
  @Query(() => [NotificationTemplateType])
  notificationTemplates(@Ctx() ctx: RequestContext): Promise<NotificationTemplateType[]> {
    return ctx.services.notificationTemplates.list(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType)
  createNotificationTemplate(@Ctx() ctx: RequestContext, @Arg('input') input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    return ctx.services.notificationTemplates.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType)
  updateNotificationTemplate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: NotificationTemplateInput,
  ): Promise<NotificationTemplateType> {
    return ctx.services.notificationTemplates.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteNotificationTemplate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.notificationTemplates.delete(ctx, id);
  }
}
