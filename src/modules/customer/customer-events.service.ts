/**
 * Live customer events for subscriptions. A CUSTOMER key only ever receives its own
 * customer's events: without customerId it is narrowed to its customer, and another
 * customer's id answers NOT_FOUND at subscribe time (as queries do), so it never
 * silently waits on events it could not see.
 */
import { notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import type { EventBus } from '../../platform/pubsub/event-bus';
import { filterIterator } from '../../platform/pubsub/filter-iterator';
import type { Topic, TopicPayloads } from '../../platform/pubsub/topics';
import type { RequestContext } from '../../platform/graphql/context';
import type { CustomerLoader } from './customer.loader';

type CustomerTopic = Topic.BALANCE_CHANGED | Topic.CUSTOMER_STATUS_CHANGED;

export class CustomerEventsService {
  constructor(
    private readonly events: EventBus,
    private readonly customers: CustomerLoader,
  ) {}

  async subscribe<T extends CustomerTopic>(ctx: RequestContext, topic: T, customerId?: string | null): Promise<AsyncIterableIterator<TopicPayloads[T]>> {
    let only = ctx.customerScope;
    if (customerId) {
      const local = fromGlobalId('Customer', customerId);
      if (!(await this.customers.load(ctx, local))) throw notFound('Customer', customerId);
      only = local;
    }
    const stream = await this.events.stream(topic);
    return only === undefined ? stream : filterIterator(stream, (p) => p.customerId === only);
  }
}
