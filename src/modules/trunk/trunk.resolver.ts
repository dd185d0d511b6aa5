import { Arg, Authorized, Ctx, Extensions, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { notFound } from '../../platform/common/errors';
import { pageSize } from '../../platform/common/pagination';
import { toGlobalId } from '../../platform/common/global-id';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import { loadCustomer } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { HOSTS_OF_TRUNK, loadHostsOfTrunk } from '../host/host.loader';
import { HostType } from '../host/host.type';
import { TrunkConnection } from './trunk-connection';
import { TrunkFilter, TrunkInput } from './trunk.inputs';
import { TrunkType } from './trunk.type';

@Resolver(() => TrunkType)
export class TrunkResolver {
  @Authorized(...READ_ROLES)
  @Query(() => TrunkType, { nullable: true, description: 'NOT_FOUND when unknown or not visible to the caller.' })
  trunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<TrunkType> {
    return ctx.services.trunks.get(ctx, id);
  }

  @Authorized(...READ_ROLES)
  @Query(() => TrunkConnection)
  trunks(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => TrunkFilter, { nullable: true }) filter?: TrunkFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<TrunkConnection> {
    return ctx.services.trunks.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TrunkType)
  createTrunk(@Ctx() ctx: RequestContext, @Arg('input') input: TrunkInput): Promise<TrunkType> {
    return ctx.services.trunks.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TrunkType)
  updateTrunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TrunkInput): Promise<TrunkType> {
    return ctx.services.trunks.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteTrunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.trunks.delete(ctx, id);
  }

  @FieldResolver(() => CustomerType)
  async customer(@Ctx() ctx: RequestContext, @Root() trunk: TrunkType): Promise<CustomerType> {
    const customer = await loadCustomer(ctx, trunk.customerLocalId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', trunk.customerLocalId));
    return customer;
  }

  @Extensions({ listSize: HOSTS_OF_TRUNK })
  @FieldResolver(() => [HostType], {
    description: `The first \`first\` hosts by address (default ${HOSTS_OF_TRUNK.default}, at most ${HOSTS_OF_TRUNK.max}); hosts(filter: { customerId, trunkName }) pages through every one.`,
  })
  hosts(
    @Ctx() ctx: RequestContext,
    @Root() trunk: TrunkType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
  ): Promise<HostType[]> {
    return loadHostsOfTrunk(ctx, trunk.localId, pageSize(first, HOSTS_OF_TRUNK));
  }
}
