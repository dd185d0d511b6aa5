/**
 * Host reads. The ip filter is the softswitch's "search by IP": equal addresses, blocks
 * containing the address, and hosts inside a given block, as `h.ip >>= $ OR h.ip <<= $`,
 * both operators served by the GiST inet_ops index hosts_ip_gist.
 */
import { notFound, sqlState } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset } from '../../platform/common/keyset';
import { containsPattern } from '../../platform/common/like';
import { pageSize, type Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import type { HostFilter } from './host.inputs';
import type { HostLoader } from './host.loader';
import { HOST_COLUMNS, HostType } from './host.type';
import { hostAddress, hostBitsError, INVALID_TEXT_STATE } from './ip-address';

/** The WHERE of a host filter (over hostsFrom(f)). */
function hostWhere(ctx: RequestContext, f: HostFilter | null | undefined): SqlWhere {
  const conds = new SqlWhere();
  const add = conds.add.bind(conds);
  if (ctx.customerScope) add((p) => `h.customer_id = ${p}::uuid`, ctx.customerScope);
  if (f?.ip) add((p) => `(h.ip >>= ${p}::cidr OR h.ip <<= ${p}::cidr)`, hostAddress(f.ip));
  if (f?.customerId) add((p) => `h.customer_id = ${p}::uuid`, fromGlobalId('Customer', f.customerId));
  if (f?.customerName) add((p) => `c.name ILIKE ${p}`, containsPattern(f.customerName));
  if (f?.trunkName) add((p) => `t.name ILIKE ${p}`, containsPattern(f.trunkName));
  if (f?.status) add((p) => `c.status = ANY(${p}::text[])`, f.status);
  return conds;
}

/**
 * hosts, joined to trunks and customers only when the filter reads them: hosts carry their
 * trunk's customer (migration 1732406401230), so the customer filter and scope need no join.
 */
function hostsFrom(f: HostFilter | null | undefined): string {
  const trunk = f?.trunkName ? ' JOIN trunks t ON t.id = h.trunk_id' : '';
  const customer = f?.customerName || f?.status ? ' JOIN customers c ON c.id = h.customer_id' : '';
  return `FROM hosts h${trunk}${customer}`;
}

/** By address, then id; the cursor holds the address as text(cidr) writes it. */
const BY_ADDRESS = new Keyset([
  { sql: 'h.ip', type: 'cidr', text: 'text(h.ip)' },
  { sql: 'h.id', type: 'uuid' },
]);

export class HostQueryService {
  constructor(
    private readonly db: Database,
    private readonly hosts: HostLoader,
  ) {}

  async get(ctx: RequestContext, id: string): Promise<HostType> {
    const host = await this.hosts.load(ctx, fromGlobalId('Host', id));
    if (!host) throw notFound('Host', id);
    return host;
  }

  /** Ordered by address, then id (keyset); totalCount honours the filter. */
  async list(ctx: RequestContext, filter: HostFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<HostType>> {
    const limit = pageSize(first);
    const cursor = BY_ADDRESS.decode(after);
    const where = hostWhere(ctx, filter);
    try {
      return await BY_ADDRESS.list(this.db, { select: HOST_COLUMNS, from: hostsFrom(filter), where, limit, after: cursor, map: HostType.from });
    } catch (err) {
      if (filter?.ip && sqlState(err) === INVALID_TEXT_STATE) throw hostBitsError(filter.ip);
      throw err;
    }
  }
}
