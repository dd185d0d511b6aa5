import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import type { TrunkLoader } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { HostConnection } from './host-connection';
import { HostFilter, HostInput } from './host.inputs';
import type { HostQueryService } from './host-query.service';
import type { HostService } from './host.service';
import { HostType } from './host.type';

@Resolver(() => HostType)
export class HostResolver {
  constructor(
    private readonly hostService: HostService,
    private readonly hostQueries: HostQueryService,
    private readonly trunks: TrunkLoader,
    private readonly customers: CustomerLoader,
  ) {}

  @Authorized(...READ_ROLES)
  @Query(() => HostType, { nullable: true, description: 'NOT_FOUND when unknown or not visible to the caller.' })
  host(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<HostType> {
    return this.hostQueries.get(ctx, id);
  }

  @Authorized(...READ_ROLES)
  @Query(() => HostConnection)
  hosts(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => HostFilter, { nullable: true }) filter?: HostFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<HostConnection> {
    return this.hostQueries.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostType)
  createHost(@Ctx() ctx: RequestContext, @Arg('input') input: HostInput): Promise<HostType> {
    return this.hostService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostType)
  updateHost(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: HostInput): Promise<HostType> {
    return this.hostService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteHost(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.hostService.delete(ctx, id);
  }

  @FieldResolver(() => TrunkType)
  trunk(@Ctx() ctx: RequestContext, @Root() host: HostType): Promise<TrunkType> {
    return this.trunks.get(ctx, host.trunkLocalId);
  }

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() host: HostType): Promise<CustomerType> {
    return this.customers.get(ctx, host.customerLocalId);
  }
}
