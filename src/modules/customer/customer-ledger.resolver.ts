import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../platform/graphql/context';
import { LedgerEntryConnection, LedgerEntryType } from '../balance/ledger-entry.type';
import type { LedgerService } from '../balance/ledger.service';
import type { CustomerLoader } from './customer.loader';
import { CustomerType } from './customer.type';

/** LedgerEntry.customer: the ledger knows customer ids, the customer module their rows. */
@Resolver(() => LedgerEntryType)
export class LedgerEntryCustomerResolver {
  constructor(private readonly customers: CustomerLoader) {}

  @FieldResolver(() => CustomerType)
  customer(@Ctx() ctx: RequestContext, @Root() entry: LedgerEntryType): Promise<CustomerType> {
    return this.customers.get(ctx, entry.customerLocalId);
  }
}

/** Customer.ledger: the customer's entries, newest first (the first page batched across a list of customers). */
@Resolver(() => CustomerType)
export class CustomerLedgerResolver {
  constructor(private readonly entries: LedgerService) {}

  @FieldResolver(() => LedgerEntryConnection, { description: "This customer's ledger, newest first." })
  ledger(
    @Ctx() ctx: RequestContext,
    @Root() customer: CustomerType,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<LedgerEntryConnection> {
    return this.entries.ofCustomer(ctx, customer.localId, first, after);
  }
}
