import { Arg, Ctx, Extensions, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import { loadCustomerClass } from '../customer-class/customer-class.loader';
import { CustomerClassType } from '../customer-class/customer-class.type';
import { loadTrunkCount, loadTrunksOfCustomer, TRUNKS_OF_CUSTOMER } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { CustomerType } from './customer.type';

/** Nested fields of Customer, each batched per request (no N+1 on lists). */
@Resolver(() => CustomerType)
export class CustomerFieldsResolver {
  @FieldResolver(() => CustomerClassType, { nullable: true })
  customerClass(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<CustomerClassType | null> | null {
    return customer.customerClassLocalId ? loadCustomerClass(ctx, customer.customerClassLocalId) : null;
  }

  @Extensions({ listSize: TRUNKS_OF_CUSTOMER })
  @FieldResolver(() => [TrunkType], {
    description: `The first \`first\` trunks by name (default ${TRUNKS_OF_CUSTOMER.default}, at most ${TRUNKS_OF_CUSTOMER.max}); trunkCount counts them all and trunks(filter: { customerId }) pages through every one.`,
  })
  trunks(
    @Ctx() ctx: RequestContext,
    @Root() customer: CustomerType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
  ): Promise<TrunkType[]> {
    return loadTrunksOfCustomer(ctx, customer.localId, pageSize(first, TRUNKS_OF_CUSTOMER));
  }

  @FieldResolver(() => Int)
  trunkCount(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<number> {
    return loadTrunkCount(ctx, customer.localId);
  }
}
