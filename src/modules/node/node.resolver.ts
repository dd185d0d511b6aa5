import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { tryFromGlobalId, typeOfGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { READ_ROLES } from '../../platform/graphql/role';
import type { RequestContext } from '../../platform/graphql/context';

@Resolver()
export class NodeResolver {
  @Authorized(...READ_ROLES)
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when unknown or not visible to the caller.' })
  async node(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<unknown | null> {
    const type = typeOfGlobalId(id);
    const local = type && tryFromGlobalId(type, id);
    const fetch = type && ctx.services.nodes[type];
    return local && fetch ? fetch(ctx, local) : null;
  }
}
