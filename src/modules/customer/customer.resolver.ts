import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Extensions, Field, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import type { Prefetcher } from '../../platform/graphql/prefetch';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { CustomerConnection } from './customer-connection';
import { CustomerStatus } from './customer.enums';
import { CreateCustomerInput, CustomerFilter, CustomerOrder, UpdateCustomerInput } from './customer.inputs';
import { CustomerType } from './customer.type';
import type { CustomerQueryService } from './customer-query.service';
import type { CustomerService } from './customer.service';

@ArgsType()
class CustomersArgs {
  @Field(() => CustomerFilter, { nullable: true })
  filter?: CustomerFilter | null;

  @Field(() => CustomerOrder, { nullable: true })
  orderBy?: CustomerOrder | null;

  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@Resolver(() => CustomerType)
export class CustomerResolver {
  constructor(
    private readonly customerService: CustomerService,
    private readonly customerQueries: CustomerQueryService,
    private readonly prefetch: Prefetcher,
  ) {}

  @Authorized(...READ_ROLES)
  @Query(() => CustomerType, { nullable: true, description: 'NOT_FOUND when unknown or not visible to the caller.' })
  customer(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<CustomerType> {
    return this.customerQueries.get(ctx, id);
  }

  @Authorized(...READ_ROLES)
  @Query(() => CustomerConnection)
  async customers(@Ctx() ctx: RequestContext, @Args() args: CustomersArgs, @Info() info: GraphQLResolveInfo): Promise<CustomerConnection> {
    const page = await this.customerQueries.list(ctx, args);
    // The page's trunks and their hosts, when selected, load now, for every customer at once (prefetch.ts).
    await this.prefetch.rows(ctx, info, ['nodes'], page.nodes);
    return page;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerType)
  createCustomer(@Ctx() ctx: RequestContext, @Arg('input') input: CreateCustomerInput): Promise<CustomerType> {
    return this.customerService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => CustomerType)
  updateCustomer(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: UpdateCustomerInput): Promise<CustomerType> {
    return this.customerService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteCustomer(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.customerService.delete(ctx, id);
  }

  @Authorized(Role.ADMIN)
  @Extensions({ listSize: { max: MAX_PAGE_SIZE } })
  @Mutation(() => [CustomerType], { description: `Activate or deactivate many customers at once (the list's buttons): at most ${MAX_PAGE_SIZE} ids, a page of the list.` })
  setCustomerStatus(
    @Ctx() ctx: RequestContext,
    @Arg('ids', () => [ID]) ids: string[],
    @Arg('status', () => CustomerStatus) status: CustomerStatus,
  ): Promise<CustomerType[]> {
    return this.customerService.setStatus(ctx, ids, status);
  }
}
