import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../server/context';
import { loadCustomerClass } from '../customer-class/customer-class.loader';
import { CustomerClassType } from '../customer-class/customer-class.type';
import { loadTrunkCount, loadTrunksOfCustomer } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { CustomerType } from './customer.type';

/** Nested fields of Customer, each batched per request (no N+1 on lists). */
@Resolver(() => CustomerType)
export class CustomerFieldsResolver {
  @FieldResolver(() => CustomerClassType, { nullable: true })
  customerClass(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<CustomerClassType | null> | null {
    return customer.customerClassLocalId ? loadCustomerClass(ctx, customer.customerClassLocalId) : null;
  }

  @FieldResolver(() => [TrunkType])
  trunks(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<TrunkType[]> {
    return loadTrunksOfCustomer(ctx, customer.localId);
  }

  @FieldResolver(() => Int)
  trunkCount(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<number> {
    return loadTrunkCount(ctx, customer.localId);
  }
}
