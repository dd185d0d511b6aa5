import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import { WithCoercedArgs } from '../../platform/graphql/coerced-args';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import { loadCustomer } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { loadTrunk } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { CdrFilter, CdrInput } from './cdr.inputs';
import { CdrBatchResult, CdrConnection, CdrType } from './cdr.type';

@Resolver(() => CdrType)
export class CdrResolver {
  @Authorized(Role.ADMIN, Role.INGEST)
  @Mutation(() => CdrBatchResult)
  // Up to 10,000 records per call: type-graphql's per-record copy into CdrInput instances is skipped.
  @WithCoercedArgs('cdrs')
  submitCdrs(@Ctx() ctx: RequestContext, @Arg('cdrs', () => [CdrInput]) cdrs: CdrInput[]): Promise<CdrBatchResult> {
    return ctx.services.cdrs.submit(ctx, cdrs);
  }

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => CdrConnection, { description: 'Newest call first (startedAt, then id, descending). A CUSTOMER key sees its own CDRs only.' })
  async cdrs(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => CdrFilter, { nullable: true }) filter?: CdrFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CdrConnection> {
    return ctx.services.cdrs.list(ctx, filter, first, after);
  }

  @FieldResolver(() => CustomerType)
  async customer(@Ctx() ctx: RequestContext, @Root() cdr: CdrType): Promise<CustomerType> {
    const customer = await loadCustomer(ctx, cdr.customerLocalId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', cdr.customerLocalId));
    return customer;
  }

  @FieldResolver(() => TrunkType, { nullable: true })
  trunk(@Ctx() ctx: RequestContext, @Root() cdr: CdrType): Promise<TrunkType | null> | null {
    return cdr.trunkLocalId ? loadTrunk(ctx, cdr.trunkLocalId) : null;
  }
}
