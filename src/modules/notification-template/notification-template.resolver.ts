import { Arg, Authorized, Ctx, Extensions, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { NotificationTemplateInput } from './notification-template.inputs';
import { MAX_NOTIFICATION_TEMPLATES, NotificationTemplateService } from './notification-template.service';
import { NotificationTemplateType } from './notification-template.type';

@Resolver(() => NotificationTemplateType)
export class NotificationTemplateResolver {
  constructor(
    private readonly templateService: NotificationTemplateService,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC)
  @Extensions({ listSize: { max: MAX_NOTIFICATION_TEMPLATES } })
  @Query(() => [NotificationTemplateType], { description: `Every notification template, by name (at most ${MAX_NOTIFICATION_TEMPLATES} can exist).` })
  notificationTemplates(@Ctx() ctx: RequestContext): Promise<NotificationTemplateType[]> {
    return this.templateService.list(ctx);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType)
  createNotificationTemplate(@Ctx() ctx: RequestContext, @Arg('input') input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    return this.templateService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType)
  updateNotificationTemplate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: NotificationTemplateInput,
  ): Promise<NotificationTemplateType> {
    return this.templateService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteNotificationTemplate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.templateService.delete(ctx, id);
  }
}
