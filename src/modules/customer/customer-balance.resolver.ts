import { Arg, Authorized, Ctx, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { DecimalScalar } from '../../platform/common/scalars';
import type { RequestContext } from '../../platform/graphql/context';
import { fromFeed } from '../../platform/graphql/feeds';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { BalanceChangeType } from '../balance/balance-change.type';
import { notFound } from '../../platform/common/errors';
import type { CustomerLoader } from './customer.loader';
import type { CustomerBalanceService } from './customer-balance.service';
import { BALANCE_CHANGED_FEED, CUSTOMER_STATUS_FEED } from './customer-events.service';
import { CustomerType } from './customer.type';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from '../balance/idempotency-keys';
import type { BalanceChangedPayload } from '../balance/balance.topics';
import type { CustomerStatusChangedPayload } from './customer.topics';

const IDEMPOTENCY_KEY_DOC = `Retry-safe key, unique per customer (1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters): the same key with the same arguments returns the first BalanceChange and changes nothing; with other arguments it is a CONFLICT.`;

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

/** The live customer subscriptions (feeds opened by CustomerEventsService, routed in src/app). */
@Resolver()
export class CustomerSubscriptionsResolver {
  constructor(private readonly customers: CustomerLoader) {}

  @Authorized(...READ_ROLES)
  @Subscription(() => BalanceChangeType, { ...fromFeed(BALANCE_CHANGED_FEED) })
  balanceChanged(
    @Root() payload: BalanceChangedPayload,
    @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
  ): BalanceChangeType {
    return BalanceChangeType.from(payload);
  }

  @Authorized(...READ_ROLES)
  @Subscription(() => CustomerType, { ...fromFeed(CUSTOMER_STATUS_FEED) })
  async customerStatusChanged(
    @Ctx() ctx: RequestContext,
    @Root() payload: CustomerStatusChangedPayload,
    @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
  ): Promise<CustomerType> {
    const customer = await this.customers.load(ctx, payload.customerId);
    if (!customer) throw notFound('Customer');
    return customer;
  }
}
