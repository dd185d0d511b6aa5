import type DataLoader from 'dataloader';
import { In } from 'typeorm';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerEntity } from './customer.entity';
import { CustomerType } from './customer.type';

/** Batched customer lookups for one request. */
export class CustomerLoader {
  constructor(private readonly db: Database) {}

  /** This request's customer-by-id loader (unscoped: load applies the caller's scope). */
  byId(ctx: RequestContext): DataLoader<string, CustomerType | null> {
    return ctx.loader<string, CustomerType | null>('customer.byId', async (ids) => {
      const rows = await this.db.dataSource.getRepository(CustomerEntity).findBy({ id: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.id, CustomerType.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** By local id, respecting CUSTOMER scope: a customer the caller may not see loads as null. */
  async load(ctx: RequestContext, localId: string): Promise<CustomerType | null> {
    const customer = await this.byId(ctx).load(localId);
    return customer && ctx.canSeeCustomer(customer.localId) ? customer : null;
  }

  /** By local id, NOT_FOUND when unknown or not visible (for non-null fields). */
  async get(ctx: RequestContext, localId: string): Promise<CustomerType> {
    const customer = await this.load(ctx, localId);
    if (!customer) throw notFound('Customer', toGlobalId('Customer', localId));
    return customer;
  }
}
