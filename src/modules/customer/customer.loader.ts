import type DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerEntity } from './customer.entity';
import { CustomerType } from './customer.type';

/** This request's customer-by-id loader (unscoped: loadCustomer applies the caller's scope). */
export function customerLoader(ctx: RequestContext): DataLoader<string, CustomerType | null> {
  return ctx.loader<string, CustomerType | null>('customer.byId', async (ids) => {
    const rows = await ctx.services.db.dataSource.getRepository(CustomerEntity).findBy({ id: In([...ids]) });
    const byId = new Map(rows.map((r) => [r.id, CustomerType.from(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * Batched customer lookup by local id for this request, respecting CUSTOMER scope:
 * a customer the caller may not see loads as null.
 */
export async function loadCustomer(ctx: RequestContext, localId: string): Promise<CustomerType | null> {
  const customer = await customerLoader(ctx).load(localId);
  return customer && ctx.canSeeCustomer(customer.localId) ? customer : null;
}
