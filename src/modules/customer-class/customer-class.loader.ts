import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { CLASS_COLUMNS, CustomerClassType, type CustomerClassRow } from './customer-class.type';
import { oneEach } from '../../platform/graphql/batch';

/** Batched class lookups for one request. */
export class CustomerClassLoader {
  constructor(private readonly db: Database) {}

  /** By local id. */
  load(ctx: RequestContext, localId: string): Promise<CustomerClassType | null> {
    return ctx
      .loader<string, CustomerClassType | null>('customerClass.byId', async (ids) => {
        const rows = await this.db.query<CustomerClassRow>(`SELECT ${CLASS_COLUMNS} FROM customer_classes WHERE id = ANY($1::uuid[])`, [ids]);
        return oneEach(ids, rows, (r) => r.id, CustomerClassType.from, null);
      })
      .load(localId);
  }

  /**
   * Customers per class; a CUSTOMER key counts only its own customer (the class is
   * reachable to it through its customer, the other customers are not).
   */
  customerCount(ctx: RequestContext, classLocalId: string): Promise<number> {
    return ctx
      .loader<string, number>('customerClass.customerCount', async (ids) => {
        const rows = await this.db.query<{ id: string; n: number }>(
          `SELECT customer_class_id AS id, count(*)::int AS n FROM customers
            WHERE customer_class_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR id = $2::uuid)
            GROUP BY customer_class_id`,
          [[...ids], ctx.customerScope ?? null],
        );
        return oneEach(ids, rows, (r) => r.id, (r) => r.n, 0);
      })
      .load(classLocalId);
  }
}
