import type DataLoader from 'dataloader';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { Database } from '../../platform/db/database';
import type { Queryable } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import { CUSTOMER_COLUMNS, CustomerType, type CustomerRow } from './customer.type';
import { oneEach } from '../../platform/graphql/batch';
import { preparedSql } from '../../platform/db/prepared-sql';

/** Named (prepared-sql.ts): every nested customer (events', trunks', hosts') is read by it; a primary-key probe per id. */
const CUSTOMERS_BY_ID_SQL = preparedSql('customers.by-id', `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE c.id = ANY($1::uuid[])`);

/** Customers by local id, in no particular order (unknown ids are left out); unscoped. */
export async function selectCustomers(db: Queryable, ids: readonly string[]): Promise<CustomerType[]> {
  const rows = await db.query<CustomerRow>(CUSTOMERS_BY_ID_SQL, [ids]);
  return rows.map(CustomerType.from);
}

/** Batched customer lookups for one request. */
export class CustomerLoader {
  constructor(private readonly db: Database) {}

  /** This request's customer-by-id loader (unscoped: load applies the caller's scope). */
  byId(ctx: RequestContext): DataLoader<string, CustomerType | null> {
    return ctx.loader<string, CustomerType | null>('customer.byId', async (ids) => {
      return oneEach(ids, await selectCustomers(this.db, ids), (c) => c.localId, (c) => c, null);
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
