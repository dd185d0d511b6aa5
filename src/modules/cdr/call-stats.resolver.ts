import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerType } from '../customer/customer.type';
import { DEFAULT_CALL_STATS_MINUTES, MAX_CALL_STATS_MINUTES, type CallStatsLoader } from './call-stats.loader';
import { CallStatsType } from './call-stats.type';

/** Customer.callStats: the CDR module knows the calls, the customer module the customers. */
@Resolver(() => CustomerType)
export class CustomerCallStatsResolver {
  constructor(private readonly stats: CallStatsLoader) {}

  @FieldResolver(() => CallStatsType, {
    description:
      'Calls, ASR, ACD, spend and billable seconds over the last `minutes` minutes, as the windowed alert rules see them.',
  })
  callStats(
    @Ctx() ctx: RequestContext,
    @Root() customer: CustomerType,
    @Arg('minutes', () => Int, {
      nullable: true,
      defaultValue: DEFAULT_CALL_STATS_MINUTES,
      description: `The window, 1 to ${MAX_CALL_STATS_MINUTES} minutes (BAD_USER_INPUT otherwise); null: ${DEFAULT_CALL_STATS_MINUTES}.`,
    })
    minutes?: number | null,
  ): Promise<CallStatsType> {
    return this.stats.of(ctx, customer.localId, minutes);
  }
}
