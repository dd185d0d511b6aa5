import type DataLoader from 'dataloader';
import { notFound } from '../../platform/common/errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { ListBounds } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { TRUNK_COLUMNS, TrunkType, type TrunkRow } from './trunk.type';
import { allEach, oneEach } from '../../platform/graphql/batch';
import { preparedSql } from '../../platform/db/prepared-sql';

/**
 * Named (prepared once per connection, prepared-sql.ts): a dashboard asks it on every page,
 * and its plan, an index probe per key, is the same for 5 keys or 500.
 */
const TRUNKS_OF_CUSTOMERS_SQL = preparedSql(
  'trunks.of-customers',
  `SELECT ${TRUNK_COLUMNS} FROM unnest($1::uuid[]) AS k(id)
     CROSS JOIN LATERAL (SELECT * FROM trunks t WHERE t.customer_id = k.id ORDER BY t.name, t.id LIMIT $2) t
    ORDER BY t.name, t.id`,
);

/** Customer.trunks: the first `first` by name; the query cost counts them at `default` or `max`. */
export const TRUNKS_OF_CUSTOMER: ListBounds = { default: 50, max: 100 };

/** Batched trunk lookups for one request. */
export class TrunkLoader {
  constructor(private readonly db: Database) {}

  /** This request's trunk-by-id loader (unscoped: load applies the caller's scope). */
  byId(ctx: RequestContext): DataLoader<string, TrunkType | null> {
    return ctx.loader<string, TrunkType | null>('trunk.byId', async (ids) => {
      const rows = await this.db.query<TrunkRow>(`SELECT ${TRUNK_COLUMNS} FROM trunks t WHERE t.id = ANY($1::uuid[])`, [ids]);
      return oneEach(ids, rows, (r) => r.id, TrunkType.from, null);
    });
  }

  /** By local id; trunks of customers the caller may not see load as null. */
  async load(ctx: RequestContext, localId: string): Promise<TrunkType | null> {
    const trunk = await this.byId(ctx).load(localId);
    return trunk && ctx.canSeeCustomer(trunk.customerLocalId) ? trunk : null;
  }

  /** By local id, NOT_FOUND when unknown or not visible (for non-null fields). */
  async get(ctx: RequestContext, localId: string): Promise<TrunkType> {
    const trunk = await this.load(ctx, localId);
    if (!trunk) throw notFound('Trunk', toGlobalId('Trunk', localId));
    return trunk;
  }

  /**
   * The first `limit` trunks of each customer, one statement per request and limit whatever
   * the number of customers: per customer, at most `limit` rows from the index
   * trunks_customer_name_idx (customer_id, name, id). A LATERAL per key, so the work follows
   * the page, not the table: `customer_id = ANY($1)` over 500 keys made the planner scan all
   * 30,000 trunks.
   */
  ofCustomer(ctx: RequestContext, customerLocalId: string, limit: number): Promise<TrunkType[]> {
    return ctx
      .loader<string, TrunkType[]>(`trunk.byCustomer.${limit}`, async (customerIds) => {
        const rows = await this.db.query<TrunkRow>(TRUNKS_OF_CUSTOMERS_SQL, [customerIds, limit]);
        return allEach(customerIds, rows, (r) => r.customer_id, (r) => {
          const trunk = TrunkType.from(r);
          // host.trunk on the same page then needs no statement of its own.
          this.byId(ctx).prime(trunk.localId, trunk);
          return trunk;
        });
      })
      .load(customerLocalId);
  }

  /** Number of trunks of each customer, batched (no rows fetched). */
  countOfCustomer(ctx: RequestContext, customerLocalId: string): Promise<number> {
    return ctx
      .loader<string, number>('trunk.countByCustomer', async (customerIds) => {
        const rows = await this.db.query<{ id: string; n: number }>(
          `SELECT customer_id AS id, count(*)::int AS n FROM trunks WHERE customer_id = ANY($1::uuid[]) GROUP BY customer_id`,
          [[...customerIds]],
        );
        return oneEach(customerIds, rows, (r) => r.id, (r) => r.n, 0);
      })
      .load(customerLocalId);
  }
}
