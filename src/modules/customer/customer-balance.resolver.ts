import { Arg, Authorized, Ctx, ID, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { DecimalScalar } from '../../platform/common/scalars';
import type { BalanceChangedPayload, CustomerStatusChangedPayload } from '../../platform/pubsub/topics';
import { Topic } from '../../platform/pubsub/topics';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { BalanceChangeType } from '../balance/balance-change.type';
import { notFound } from '../../platform/common/errors';
import type { CustomerLoader } from './customer.loader';
import type { CustomerBalanceService } from './customer-balance.service';
import type { CustomerEventsService } from './customer-events.service';
import { CustomerType } from './customer.type';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../balance/idempotency-keys';

const IDEMPOTENCY_KEY_DOC = `Retry-safe key, unique per customer (1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters): the same key with the same arguments returns the first BalanceChange and changes nothing; with other arguments it is a CONFLICT.`;

type SubscribeData = SubscribeResolverData<unknown, { customerId?: string | null }, RequestContext>;

@Resolver()
export class CustomerBalanceResolver {
  constructor(private readonly customerBalances: CustomerBalanceService) {}

  @Authorized(Role.ADMIN)
  @Mutation(() => BalanceChangeType)
  recordPayment(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('reference', () => String, { nullable: true }) reference?: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_KEY_DOC }) idempotencyKey?: string | null,
  ): Promise<BalanceChangeType> {
    return this.customerBalances.recordPayment(ctx, customerId, amount, reference, idempotencyKey);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BalanceChangeType)
  adjustBalance(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_KEY_DOC }) idempotencyKey?: string | null,
  ): Promise<BalanceChangeType> {
    return this.customerBalances.adjustBalance(ctx, customerId, amount, note, idempotencyKey);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BalanceChangeType, { description: 'Sets balance and accruedCharges to 0.' })
  resetBalance(@Ctx() ctx: RequestContext, @Arg('customerId', () => ID) customerId: string): Promise<BalanceChangeType> {
    return this.customerBalances.resetBalance(ctx, customerId);
  }
}

/**
 * The live customer subscriptions. type-graphql calls a subscription's `subscribe` with
 * the arguments and context only (no resolver instance), so this class is made by a
 * factory closing over its services, called once by the composition root.
 */
export function customerSubscriptionsResolver(customerEvents: CustomerEventsService, customers: CustomerLoader) {
  @Resolver()
  class CustomerSubscriptionsResolver {
    @Authorized(...READ_ROLES)
    @Subscription(() => BalanceChangeType, {
      subscribe: ({ args, context }: SubscribeData) => customerEvents.subscribe(context, Topic.BALANCE_CHANGED, args.customerId),
    })
    balanceChanged(
      @Ctx() ctx: RequestContext,
      @Root() payload: BalanceChangedPayload,
      @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
    ): BalanceChangeType {
      ctx.resetLoaders();
      return BalanceChangeType.from(payload);
    }

    @Authorized(...READ_ROLES)
    @Subscription(() => CustomerType, {
      subscribe: ({ args, context }: SubscribeData) =>
        customerEvents.subscribe(context, Topic.CUSTOMER_STATUS_CHANGED, args.customerId),
    })
    async customerStatusChanged(
      @Ctx() ctx: RequestContext,
      @Root() payload: CustomerStatusChangedPayload,
      @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
    ): Promise<CustomerType> {
      ctx.resetLoaders();
      const customer = await customers.load(ctx, payload.customerId);
      if (!customer) throw notFound('Customer');
      return customer;
    }
  }
  return CustomerSubscriptionsResolver;
}
