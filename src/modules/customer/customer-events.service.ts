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
import { loadCustomer } from './customer.loader';
import type { Topic } from '../../platform/pubsub/topic';

export class CustomerEventsService {
  constructor(private readonly events: EventBus) {}

  async subscribe<P extends { customerId: string }>(ctx: RequestContext, topic: Topic<P>, customerId?: string | null): Promise<AsyncIterableIterator<P>> {
    let only = ctx.customerScope;
    if (customerId) {
      const local = fromGlobalId('Customer', customerId);
      if (!(await loadCustomer(ctx, local))) throw notFound('Customer', customerId);
      only = local;
    }
    return this.events.stream(topic, only === undefined ? undefined : (p) => p.customerId === only);
  }
}
