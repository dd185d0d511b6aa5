/**
 * Customer reads: one customer by id, and the filtered, sorted, keyset-paginated list
 * (one statement for the page, one for totalCount). CUSTOMER keys only ever see their
 * own customer; another id answers NOT_FOUND exactly like an unknown one.
 */
import type { SelectQueryBuilder } from 'typeorm';
import { notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { containsPattern } from '../../platform/common/like';
import { decodeCursor, pageSize, toPage, type Page } from '../../platform/common/pagination';
import { SortDirection } from '../../platform/common/sort-direction';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { CustomerSortField } from './customer-sort';
import { CustomerEntity } from './customer.entity';
import type { CustomerFilter, CustomerOrder } from './customer.inputs';
import type { CustomerLoader } from './customer.loader';
import { CustomerType } from './customer.type';

/** Sort expression and its SQL type (to check and cast the cursor's text key back) per sort field. */
const SORT: Record<CustomerSortField, { expr: string; type: 'text' | 'numeric' | 'timestamptz' }> = {
  [CustomerSortField.NAME]: { expr: 'lower(c.name)', type: 'text' },
  [CustomerSortField.COMPANY]: { expr: "coalesce(lower(c.company), '')", type: 'text' },
  [CustomerSortField.BALANCE]: { expr: 'c.balance', type: 'numeric' },
  [CustomerSortField.CREATED_AT]: { expr: 'c.created_at', type: 'timestamptz' },
};

const DEFAULT_ORDER = { field: CustomerSortField.NAME, direction: SortDirection.ASC };

export interface CustomerListOptions {
  filter?: CustomerFilter | null;
  orderBy?: CustomerOrder | null;
  first?: number | null;
  after?: string | null;
}

export class CustomerQueryService {
  constructor(
    private readonly db: Database,
    private readonly customers: CustomerLoader,
  ) {}

  /** The customer, or NOT_FOUND when it does not exist or the caller may not see it. */
  async get(ctx: RequestContext, id: string): Promise<CustomerType> {
    const customer = await this.customers.load(ctx, fromGlobalId('Customer', id));
    if (!customer) throw notFound('Customer', id);
    return customer;
  }

  async list(ctx: RequestContext, opts: CustomerListOptions): Promise<Page<CustomerType>> {
    const limit = pageSize(opts.first);
    const order = opts.orderBy ?? DEFAULT_ORDER;
    const sort = SORT[order.field];
    // The cursor names its sort field: a position in one order means nothing in another.
    const after = decodeCursor(opts.after, [{ oneOf: [order.field] }, sort.type, 'uuid']);
    const qb = this.filtered(ctx, opts.filter);
    const total = await qb.clone().getCount();
    if (limit === 0) return toPage([], 0, total, () => []);
    const cmp = order.direction === SortDirection.ASC ? '>' : '<';
    if (after) qb.andWhere(`(${sort.expr}, c.id) ${cmp} (CAST(:afterKey AS ${sort.type}), CAST(:afterId AS uuid))`, { afterKey: after[1], afterId: after[2] });
    const { entities, raw } = await qb
      .addSelect(`${sort.expr}::text`, 'sort_key')
      .orderBy(sort.expr, order.direction)
      .addOrderBy('c.id', order.direction)
      .limit(limit + 1)
      .getRawAndEntities<{ c_id: string; sort_key: string }>();
    const keys = new Map(raw.map((r) => [r.c_id, r.sort_key]));
    const nodes = entities.map(CustomerType.from);
    // Nested trunk.customer / host.customer on this page then need no statement of their own.
    for (const n of nodes) this.customers.byId(ctx).prime(n.localId, n);
    return toPage(nodes, limit, total, (n) => [order.field, keys.get(n.localId) ?? null, n.localId]);
  }

  private filtered(ctx: RequestContext, f: CustomerFilter | null | undefined): SelectQueryBuilder<CustomerEntity> {
    const qb = this.db.dataSource.getRepository(CustomerEntity).createQueryBuilder('c').where('true');
    if (ctx.customerScope) qb.andWhere('c.id = :scope', { scope: ctx.customerScope });
    if (!f) return qb;
    if (f.search) {
      qb.andWhere(
        `(c.name ILIKE :search OR c.company ILIKE :search OR c.main_email ILIKE :search OR c.noc_email ILIKE :search
          OR c.billing_email ILIKE :search OR c.rates_email ILIKE :search OR c.tax_id ILIKE :search)`,
        { search: containsPattern(f.search) },
      );
    }
    if (f.name) qb.andWhere('c.name ILIKE :name', { name: containsPattern(f.name) });
    if (f.company) qb.andWhere('c.company ILIKE :company', { company: containsPattern(f.company) });
    if (f.status) qb.andWhere('c.status = ANY(:status)', { status: f.status });
    if (f.terms) qb.andWhere('c.terms = ANY(:terms)', { terms: f.terms });
    if (f.type) qb.andWhere('c.type = ANY(:types)', { types: f.type });
    if (f.customerClassId) qb.andWhere('c.customer_class_id = :classId', { classId: fromGlobalId('CustomerClass', f.customerClassId) });
    if (f.balanceBelow != null) qb.andWhere('c.balance < CAST(:below AS numeric)', { below: f.balanceBelow });
    if (f.balanceAbove != null) qb.andWhere('c.balance > CAST(:above AS numeric)', { above: f.balanceAbove });
    return qb;
  }
}
