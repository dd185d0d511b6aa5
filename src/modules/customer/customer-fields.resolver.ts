import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import type { CustomerClassLoader } from '../customer-class/customer-class.loader';
import { CustomerClassType } from '../customer-class/customer-class.type';
import { CustomerType } from './customer.type';

/** Nested fields of Customer, each batched per request (no N+1 on lists); trunks come from the trunk module. */
@Resolver(() => CustomerType)
export class CustomerFieldsResolver {
  constructor(private readonly classes: CustomerClassLoader) {}

  @FieldResolver(() => CustomerClassType, { nullable: true })
  customerClass(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<CustomerClassType | null> | null {
    return customer.customerClassLocalId ? this.classes.load(ctx, customer.customerClassLocalId) : null;
  }
}
