import { Arg, Ctx, Extensions, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import type { Prefetcher } from '../../platform/graphql/prefetch';
import { CustomerType } from '../customer/customer.type';
import { TRUNKS_OF_CUSTOMER, type TrunkLoader } from './trunk.loader';
import { TrunkType } from './trunk.type';

/** Customer.trunks and trunkCount: a customer's trunks are the trunk module's to list. */
@Resolver(() => CustomerType)
export class CustomerTrunksResolver {
  constructor(
    private readonly trunkLoader: TrunkLoader,
    prefetch: Prefetcher,
  ) {
    // A page of customers loads its trunks ahead (prefetch.ts), by the same load as trunks() below.
    prefetch.field<CustomerType>('Customer', 'trunks', (ctx, customer, args) => this.trunksOf(ctx, customer, args.first as number | null | undefined));
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
    return this.trunksOf(ctx, customer, first);
  }

  private trunksOf(ctx: RequestContext, customer: CustomerType, first: number | null | undefined): Promise<TrunkType[]> {
    return this.trunkLoader.ofCustomer(ctx, customer.localId, pageSize(first, TRUNKS_OF_CUSTOMER));
  }

  @FieldResolver(() => Int)
  trunkCount(@Ctx() ctx: RequestContext, @Root() customer: CustomerType): Promise<number> {
    return this.trunkLoader.countOfCustomer(ctx, customer.localId);
  }
}
