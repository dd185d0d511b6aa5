import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { tryFromGlobalId, typeOfGlobalId, type NodeType } from '../common/global-id';
import { Node } from '../common/node';
import type { RequestContext } from './context';
import { READ_ROLES } from './role';

/** How node(id) loads one type by local id (null: unknown or not visible to the caller). */
export type NodeFetcher = (ctx: RequestContext, localId: string) => Promise<unknown | null>;
export type NodeFetchers = Partial<Record<NodeType, NodeFetcher>>;

@Resolver()
export class NodeResolver {
  /** The fetchers are the modules', listed by the composition root. */
  constructor(private readonly fetchers: NodeFetchers) {}

  @Authorized(...READ_ROLES)
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when unknown or not visible to the caller.' })
  async node(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<unknown | null> {
    const type = typeOfGlobalId(id);
    const local = type && tryFromGlobalId(type, id);
    const fetch = type && this.fetchers[type];
    return local && fetch ? fetch(ctx, local) : null;
  }
}
