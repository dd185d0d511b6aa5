import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { AlertEventType } from '../alert/alert.types';
import type { CustomerLoader } from '../customer/customer.loader';
import type { AlertEventService } from '../alert/alert-event.service';
import { CustomerType } from '../customer/customer.type';
import { NotificationKind } from '../notification-template/notification-kind';
import { NotificationFilter } from './notification.inputs';
import type { NotificationService } from './notification.service';
import { NotificationConnection, NotificationType } from './notification.type';

@Resolver(() => NotificationType)
export class NotificationResolver {
  constructor(
    private readonly notificationService: NotificationService,
    private readonly alertEvents: AlertEventService,
    private readonly customers: CustomerLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => NotificationConnection, { description: 'Newest first; last/before page from the oldest end.' })
  notifications(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => NotificationFilter, { nullable: true }) filter?: NotificationFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('last', () => Int, { nullable: true }) last?: number | null,
    @Arg('before', () => String, { nullable: true }) before?: string | null,
  ): Promise<NotificationConnection> {
    return this.notificationService.list(ctx, filter ?? {}, { first, after, last, before });
  }

  @Authorized(Role.ADMIN)
  @Query(() => String, {
    description:
      'The Standard Webhooks secret (whsec_...) that signs every webhook sent to this URL. Each receiving endpoint has its own, ' +
      'derived from the server secret and the URL (normalised, without fragment): give it to that receiver to verify webhook-signature.',
  })
  webhookSigningSecret(@Ctx() ctx: RequestContext, @Arg('url') url: string): string {
    return this.notificationService.webhookSigningSecret(ctx, url);
  }

  @Authorized(Role.ADMIN)
  // One notification per address of the customer (billing, main).
  @Extensions({ listSize: { max: 2 } })
  @Mutation(() => [NotificationType], { description: 'Send one notification of a kind now (low balance alert, welcome letter buttons).' })
  sendNotification(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('kind', () => NotificationKind) kind: NotificationKind,
  ): Promise<NotificationType[]> {
    return this.notificationService.send(ctx, customerId, kind);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => NotificationType, { description: 'Queue a FAILED notification again, with a fresh set of attempts.' })
  retryNotification(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<NotificationType> {
    return this.notificationService.retry(ctx, id);
  }

  @FieldResolver(() => AlertEventType, { nullable: true })
  alertEvent(@Ctx() ctx: RequestContext, @Root() n: NotificationType): Promise<AlertEventType | null> | null {
    if (!n.alertEventLocalId) return null;
    return ctx
      .loader<string, AlertEventType | null>('alertEvent.byId', (ids) => this.alertEvents.byIds(ctx, ids))
      .load(n.alertEventLocalId);
  }

  @FieldResolver(() => CustomerType, { nullable: true })
  customer(@Ctx() ctx: RequestContext, @Root() n: NotificationType): Promise<CustomerType | null> | null {
    return n.customerLocalId ? this.customers.load(ctx, n.customerLocalId) : null;
  }
}
