import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { loadCustomer } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { loadTrunk } from '../trunk/trunk.loader';
import { TrunkType } from '../trunk/trunk.type';
import { HostConnection } from './host-connection';
import { HostFilter, HostInput } from './host.inputs';
import { HostType } from './host.type';

@Resolver(() => HostType)
export class HostResolver {
  @Authorized(...READ_ROLES)
  @Query(() => HostType, { nullable: true, description: 'NOT_FOUND when unknown or not visible to the caller.' })
  host(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<HostType> {
    return ctx.services.hostQueries.get(ctx, id);
  }

  @Authorized(...READ_ROLES)
  @Query(() => HostConnection)
  hosts(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => HostFilter, { nullable: true }) filter?: HostFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<HostConnection> {
    return ctx.services.hostQueries.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostType)
  createHost(@Ctx() ctx: RequestContext, @Arg('input') input: HostInput): Promise<HostType> {
    return ctx.services.hosts.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => HostType)
  updateHost(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: HostInput): Promise<HostType> {
    return ctx.services.hosts.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteHost(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.hosts.delete(ctx, id);
  }

  @FieldResolver(() => TrunkType)
  async trunk(@Ctx() ctx: RequestContext, @Root() host: HostType): Promise<TrunkType> {
    const trunk = await loadTrunk(ctx, host.trunkLocalId);
    if (!trunk) throw notFound('Trunk', toGlobalId('Trunk', host.trunkLocalId));
    return trunk;
  }

  @FieldResolver(() => CustomerType)
  async customer(@Ctx() ctx: RequestContext, @Root() host: HostType): Promise<CustomerType> {
    const customer = await loadCustomer(ctx, host.customerLocalId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', host.customerLocalId));
    return customer;
  }
}
