import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { BalanceChangeType } from '../balance/balance-change.type';
import type { CustomerLoader } from './customer.loader';
import { CustomerType } from './customer.type';

/** BalanceChange.customer: the ledger knows customer ids, the customer module their rows. */
@Resolver(() => BalanceChangeType)
export class BalanceChangeCustomerResolver {
  constructor(private readonly customers: CustomerLoader) {}

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() change: BalanceChangeType): Promise<CustomerType> {
    return this.customers.get(ctx, change.customerLocalId);
  }
}
