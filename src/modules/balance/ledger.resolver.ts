import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { fromFeed } from '../../platform/graphql/feeds';
import { Role } from '../../platform/graphql/role';
import { notFound } from '../../platform/common/errors';
import { BalanceChangeType } from './balance-change.type';
import { LedgerEntryConnection, LedgerEntryType, LedgerFilter } from './ledger-entry.type';
import { LEDGER_FEED, type LedgerService } from './ledger.service';

@Resolver(() => LedgerEntryType)
export class LedgerResolver {
  constructor(private readonly ledger: LedgerService) {}

  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Query(() => LedgerEntryConnection, {
    description: 'Newest first. CUSTOMER keys see their own entries only. last/before page from the oldest end.',
  })
  ledgerEntries(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => LedgerFilter, { nullable: true }) filter?: LedgerFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('last', () => Int, { nullable: true }) last?: number | null,
    @Arg('before', () => String, { nullable: true }) before?: string | null,
  ): Promise<LedgerEntryConnection> {
    return this.ledger.list(ctx, filter, { first, after, last, before });
  }
}

/** BalanceChange.ledgerEntry: the stored entry of a change (its cursor resumes ledgerEntryAdded). */
@Resolver(() => BalanceChangeType)
export class BalanceChangeLedgerResolver {
  constructor(private readonly ledger: LedgerService) {}

  @FieldResolver(() => LedgerEntryType, { description: 'The stored entry of this change (its cursor resumes ledgerEntryAdded).' })
  async ledgerEntry(@Ctx() ctx: RequestContext, @Root() change: BalanceChangeType): Promise<LedgerEntryType> {
    const entry = await this.ledger.load(ctx, change.ledgerLocalId);
    if (!entry) throw notFound('LedgerEntry');
    return entry;
  }
}

/** The live ledger feed (opened by LedgerService, routed in src/app). */
@Resolver(() => LedgerEntryType)
export class LedgerSubscriptionsResolver {
  @Authorized(Role.ADMIN, Role.NOC, Role.CUSTOMER)
  @Subscription(() => LedgerEntryType, {
    description: 'Every ledger entry, live. With after: first every stored entry after that cursor (oldest first), then live, none twice.',
    ...fromFeed(LEDGER_FEED),
  })
  ledgerEntryAdded(
    @Root() entry: LedgerEntryType,
    @Arg('customerId', () => ID, { nullable: true }) _customerId?: string | null,
    @Arg('after', () => String, { nullable: true }) _after?: string | null,
  ): LedgerEntryType {
    return entry;
  }
}
