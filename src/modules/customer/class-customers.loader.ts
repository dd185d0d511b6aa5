/**
 * First pages of customers for many classes at once (customerClasses { customers(first) }):
 * one window-function statement for the ids of every class's page, then the customers
 * through the batched by-id loader, the totals through the batched customer count. Later
 * pages (with after) go through CustomerQueryService.list; the cursors are the same.
 */
import { lazy } from '../../platform/common/lazy';
import { pageSize, toPage, type CursorKey, type Page } from '../../platform/common/pagination';
import type { RequestContext } from '../../platform/graphql/context';
import type { Database } from '../../platform/db/database';
import type { CustomerClassLoader } from '../customer-class/customer-class.loader';
import { customerKeyset } from './customer-query.service';
import type { CustomerLoader } from './customer.loader';
import type { CustomerType } from './customer.type';
import { allEach } from '../../platform/graphql/batch';

interface PageRow {
  class_id: string;
  id: string;
}

/** The customers list's default order (NAME ASC, id), so a later page continues from these cursors. */
const BY_NAME = customerKeyset();

export class ClassCustomersLoader {
  constructor(
    private readonly db: Database,
    private readonly customers: CustomerLoader,
    private readonly classes: CustomerClassLoader,
  ) {}

  async firstPage(ctx: RequestContext, classLocalId: string, first?: number | null): Promise<Page<CustomerType>> {
    const limit = pageSize(first);
    const rows = await ctx
      .loader<string, PageRow[]>(`customerClass.firstCustomers:${limit}`, async (classIds) => {
        const found = await this.db.query<PageRow>(
          `SELECT * FROM (
             SELECT c.customer_class_id AS class_id, c.id, ${BY_NAME.select},
                    row_number() OVER (PARTITION BY c.customer_class_id ORDER BY ${BY_NAME.orderBy}) AS rn
               FROM customers c
              WHERE c.customer_class_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR c.id = $2::uuid)
           ) s WHERE rn <= $3 ORDER BY class_id, rn`,
          [[...classIds], ctx.customerScope ?? null, limit + 1],
        );
        return allEach(classIds, found, (r) => r.class_id, (r) => r);
      })
      .load(classLocalId);
    // Lazy: the count is read (batched across classes) only when totalCount is selected.
    const total = lazy(() => this.classes.customerCount(ctx, classLocalId));
    const customers = await this.customers.byId(ctx).loadMany(rows.map((r) => r.id));
    const keys = new Map<string, CursorKey>(rows.map((r) => [r.id, BY_NAME.keyOf(r)]));
    const nodes = customers.filter((c): c is CustomerType => c !== null && !(c instanceof Error));
    return toPage(nodes, limit, total, (n) => keys.get(n.localId)!);
  }
}
