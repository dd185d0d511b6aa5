import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { READ_ROLES, Role } from '../../platform/graphql/role';
import type { CustomerLoader } from '../customer/customer.loader';
import { CustomerType } from '../customer/customer.type';
import { TrunkConnection } from './trunk-connection';
import { TrunkFilter, TrunkInput } from './trunk.inputs';
import type { TrunkService } from './trunk.service';
import { TrunkType } from './trunk.type';

@Resolver(() => TrunkType)
export class TrunkResolver {
  constructor(
    private readonly trunkService: TrunkService,
    private readonly customers: CustomerLoader,
  ) {}

  @Authorized(...READ_ROLES)
  @Query(() => TrunkType, { nullable: true, description: 'NOT_FOUND when unknown or not visible to the caller.' })
  trunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<TrunkType> {
    return this.trunkService.get(ctx, id);
  }

  @Authorized(...READ_ROLES)
  @Query(() => TrunkConnection)
  trunks(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => TrunkFilter, { nullable: true }) filter?: TrunkFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<TrunkConnection> {
    return this.trunkService.list(ctx, filter, first, after);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TrunkType)
  createTrunk(@Ctx() ctx: RequestContext, @Arg('input') input: TrunkInput): Promise<TrunkType> {
    return this.trunkService.create(ctx, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => TrunkType)
  updateTrunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TrunkInput): Promise<TrunkType> {
    return this.trunkService.update(ctx, id, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  deleteTrunk(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return this.trunkService.delete(ctx, id);
  }

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() trunk: TrunkType): Promise<CustomerType> {
    return this.customers.get(ctx, trunk.customerLocalId);
  }
}
