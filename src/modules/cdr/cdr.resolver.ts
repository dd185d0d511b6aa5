import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { WithCoercedArgs } from '../../platform/graphql/coerced-args';
import type { RequestContext } from '../../platform/graphql/context';
import { Role } from '../../platform/graphql/role';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import type { TrunkLoader } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { CdrFilter, CdrInput } from './cdr.inputs';
import type { CdrService } from './cdr.service';
import { CdrBatchResult, CdrConnection, CdrType } from './cdr.type';

@Resolver(() => CdrType)
export class CdrResolver {
  constructor(
    private readonly cdrService: CdrService,
    private readonly customers: CustomerLoader,
    private readonly trunks: TrunkLoader,
  ) {}

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => CdrConnection, {
    description: 'Newest call first (startedAt, then id, descending); last/before page from the oldest end. A CUSTOMER key sees its own CDRs only.',
  })
  async cdrs(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => CdrFilter, { nullable: true }) filter?: CdrFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('last', () => Int, { nullable: true }) last?: number | null,
    @Arg('before', () => String, { nullable: true }) before?: string | null,
  ): Promise<CdrConnection> {
    return this.cdrService.list(ctx, filter, { first, after, last, before });
  }

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() cdr: CdrType): Promise<CustomerType> {
    return this.customers.get(ctx, cdr.customerLocalId);
  }

  @FieldResolver(() => TrunkType, { nullable: true })
  trunk(@Ctx() ctx: RequestContext, @Root() cdr: CdrType): Promise<TrunkType | null> | null {
    return cdr.trunkLocalId ? this.trunks.load(ctx, cdr.trunkLocalId) : null;
  }
}

/**
 * submitCdrs: up to 10,000 records per call, so type-graphql's per-record copy into
 * CdrInput instances is skipped (WithCoercedArgs).
 */
@Resolver()
export class CdrIngestResolver {
  constructor(private readonly cdrService: CdrService) {}

  @Authorized(Role.ADMIN, Role.INGEST)
  @Mutation(() => CdrBatchResult)
  @WithCoercedArgs('cdrs')
  submitCdrs(@Ctx() ctx: RequestContext, @Arg('cdrs', () => [CdrInput]) cdrs: CdrInput[]): Promise<CdrBatchResult> {
    return this.cdrService.submit(ctx, cdrs);
  }
}
