import { Arg, Authorized, Ctx, ID, Mutation, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { DecimalScalar } from '../../platform/common/scalars';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { BalanceChangeType } from '../balance/balance-change.type';
import { notFound } from '../../platform/common/errors';
import { loadCustomer } from './customer.loader';
import { CustomerType } from './customer.type';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../balance/idempotency-keys';
import { BALANCE_CHANGED, type BalanceChangedPayload } from '../balance/balance.topics';
import { CUSTOMER_STATUS_CHANGED, type CustomerStatusChangedPayload } from './customer.topics';

const IDEMPOTENCY_KEY_DOC = `Retry-safe key, unique per customer (1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters): the same key with the same arguments returns the first BalanceChange and changes nothing; with other arguments it is a CONFLICT.`;

type SubscribeData = SubscribeResolverData<unknown, { customerId?: string | null }, RequestContext>;

@Resolver()
export class CustomerBalanceResolver {
  @Authorized(Role.ADMIN)
  @Mutation(() => BalanceChangeType)
  recordPayment(
    @Ctx() ctx: RequestContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('reference', () => String, { nullable: true }) reference?: string | null,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_KEY_DOC }) idempotencyKey?: string | null,
  ): Promise<BalanceChangeType> {
    return ctx.services.customerBalances.recordPayment(ctx, customerId, amount, reference, idempotencyKey);
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
    return ctx.services.customerBalances.adjustBalance(ctx, customerId, amount, note, idempotencyKey);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => BalanceChangeType, { description: 'Sets balance and accruedCharges to 0.' })
  resetBalance(@Ctx() ctx: RequestContext, @Arg('customerId', () => ID) customerId: string): Promise<BalanceChangeType> {
    return ctx.services.customerBalances.resetBalance(ctx, customerId);
  }

  @Authorized(...READ_ROLES)
  @Subscription(() => BalanceChangeType, {
    subscribe: ({ args, context }: SubscribeData) => context.services.customerEvents.subscribe(context, BALANCE_CHANGED, args.customerId),
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
      context.services.customerEvents.subscribe(context, CUSTOMER_STATUS_CHANGED, args.customerId),
  })
  async customerStatusChanged(
    @Ctx() ctx: RequestContext,
    @Root() payload: CustomerStatusChangedPayload,
    @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
  ): Promise<CustomerType> {
    ctx.resetLoaders();
    const customer = await loadCustomer(ctx, payload.customerId);
    if (!customer) throw notFound('Customer');
    return customer;
  }
}
