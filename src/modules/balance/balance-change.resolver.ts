import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { RequestContext } from '../../platform/graphql/context';
import { loadCustomer } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { BalanceChangeType } from './balance-change.type';

@Resolver(() => BalanceChangeType)
export class BalanceChangeResolver {
  @FieldResolver(() => CustomerType)
  async customer(@Ctx() ctx: RequestContext, @Root() change: BalanceChangeType): Promise<CustomerType> {
    const customer = await loadCustomer(ctx, change.customerLocalId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', change.customerLocalId));
    return customer;
  }
}
