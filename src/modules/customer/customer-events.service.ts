/**
 * Live customer events for subscriptions. A CUSTOMER key only ever receives its own
 * customer's events: without customerId it is narrowed to its customer, and another
 * customer's id answers NOT_FOUND at subscribe time (as queries do), so it never
 * silently waits on events it could not see.
 */
import { notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { RequestContext } from '../../platform/graphql/context';
import { BALANCE_CHANGED, type BalanceChangedPayload } from '../balance/balance.topics';
import type { CustomerLoader } from './customer.loader';
import { CUSTOMER_STATUS_CHANGED, type CustomerStatusChangedPayload } from './customer.topics';
import type { Topic } from '../../platform/pubsub/topic';
import { defineFeed } from '../../platform/graphql/feeds';

/** The arguments of balanceChanged and customerStatusChanged. */
export interface CustomerFeedArgs {
  customerId?: string | null;
}

export const BALANCE_CHANGED_FEED = defineFeed<CustomerFeedArgs>('balanceChanged');
export const CUSTOMER_STATUS_FEED = defineFeed<CustomerFeedArgs>('customerStatusChanged');

export class CustomerEventsService {
  constructor(
    private readonly events: EventBus,
    private readonly customers: CustomerLoader,
  ) {}

  /** BALANCE_CHANGED_FEED */
  balanceChanges(ctx: RequestContext, args: CustomerFeedArgs): Promise<AsyncIterableIterator<BalanceChangedPayload>> {
    return this.subscribe(ctx, BALANCE_CHANGED, args.customerId);
  }

  /** CUSTOMER_STATUS_FEED */
  statusChanges(ctx: RequestContext, args: CustomerFeedArgs): Promise<AsyncIterableIterator<CustomerStatusChangedPayload>> {
    return this.subscribe(ctx, CUSTOMER_STATUS_CHANGED, args.customerId);
  }

  private async subscribe<P extends { customerId: string }>(ctx: RequestContext, topic: Topic<P>, customerId?: string | null): Promise<AsyncIterableIterator<P>> {
    let only = ctx.customerScope;
    if (customerId) {
      const local = fromGlobalId('Customer', customerId);
      if (!(await this.customers.load(ctx, local))) throw notFound('Customer', customerId);
      only = local;
    }
    return this.events.stream(topic, only === undefined ? undefined : (p) => p.customerId === only);
  }
}
