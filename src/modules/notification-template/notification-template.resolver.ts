import { Arg, Authorized, Ctx, Extensions, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { NotificationKind } from './notification-kind';
import { NotificationMessageInput, NotificationTemplateInput } from './notification-template.inputs';
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
  @Mutation(() => NotificationTemplateType, {
    description: 'Replaces the name and every message: a kind left out of input.messages has no message any more. setNotificationMessage edits one kind.',
  })
  updateNotificationTemplate(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('input') input: NotificationTemplateInput,
  ): Promise<NotificationTemplateType> {
    return this.templateService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType, { description: "Adds or replaces one kind's message of a template, leaving its other messages as they are." })
  setNotificationMessage(
    @Ctx() ctx: RequestContext,
    @Arg('templateId', () => ID) templateId: string,
    @Arg('message') message: NotificationMessageInput,
  ): Promise<NotificationTemplateType> {
    return this.templateService.setMessage(ctx, templateId, message);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationTemplateType, { description: "Removes one kind's message from a template (a template without one is returned unchanged)." })
  removeNotificationMessage(
    @Ctx() ctx: RequestContext,
    @Arg('templateId', () => ID) templateId: string,
    @Arg('kind', () => NotificationKind) kind: NotificationKind,
  ): Promise<NotificationTemplateType> {
    return this.templateService.removeMessage(ctx, templateId, kind);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteNotificationTemplate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.templateService.delete(ctx, id);
  }
}
