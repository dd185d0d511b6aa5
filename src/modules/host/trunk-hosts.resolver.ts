import { Arg, Ctx, Extensions, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import type { Prefetcher } from '../../platform/graphql/prefetch';
import { TrunkType } from '../trunk/trunk.type';
import { HOSTS_OF_TRUNK, type HostLoader } from './host.loader';
import { HostType } from './host.type';

/** Trunk.hosts: a trunk's hosts are the host module's to list. */
@Resolver(() => TrunkType)
export class TrunkHostsResolver {
  constructor(
    private readonly hostLoader: HostLoader,
    prefetch: Prefetcher,
  ) {
    // A page's trunks load their hosts ahead (prefetch.ts), by the same load as hosts() below.
    prefetch.field<TrunkType>('Trunk', 'hosts', (ctx, trunk, args) => this.hostsOf(ctx, trunk, args.first as number | null | undefined));
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
    return this.hostsOf(ctx, trunk, first);
  }

  private hostsOf(ctx: RequestContext, trunk: TrunkType, first: number | null | undefined): Promise<HostType[]> {
    return this.hostLoader.ofTrunk(ctx, trunk.localId, pageSize(first, HOSTS_OF_TRUNK));
  }
}
