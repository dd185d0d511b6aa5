/**
 * Host reads. The ip filter is the softswitch's "search by IP": equal addresses, blocks
 * containing the address, and hosts inside a given block, as `h.ip >>= $ OR h.ip <<= $`,
 * both operators served by the GiST inet_ops index hosts_ip_gist.
 */
import { SqlWhere } from '../../platform/common/sql-where';
import { notFound, sqlState } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { containsPattern } from '../../platform/common/like';
import { decodeCursor, pageSize, toPage, type Page } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import type { HostFilter } from './host.inputs';
import type { HostLoader } from './host.loader';
import { HOST_COLUMNS, HostType, type HostRow } from './host.type';
import { checkIpSyntax, hostBitsError, INVALID_TEXT_STATE } from './ip-address';

/** WHERE clause and parameters of a host filter (hosts h JOIN trunks t JOIN customers c). */
export function hostWhere(ctx: RequestContext, f: HostFilter | null | undefined): { where: string; params: unknown[] } {
  const conds = new SqlWhere();
  const add = conds.add.bind(conds);
  if (ctx.customerScope) add((p) => `t.customer_id = ${p}::uuid`, ctx.customerScope);
  if (f?.ip) add((p) => `(h.ip >>= ${p}::cidr OR h.ip <<= ${p}::cidr)`, checkIpSyntax(f.ip));
  if (f?.customerId) add((p) => `t.customer_id = ${p}::uuid`, fromGlobalId('Customer', f.customerId));
  if (f?.customerName) add((p) => `c.name ILIKE ${p}`, containsPattern(f.customerName));
  if (f?.trunkName) add((p) => `t.name ILIKE ${p}`, containsPattern(f.trunkName));
  if (f?.status) add((p) => `c.status = ANY(${p}::text[])`, f.status);
  return { where: conds.sql, params: conds.params };
}

const FROM = `FROM hosts h JOIN trunks t ON t.id = h.trunk_id JOIN customers c ON c.id = t.customer_id`;

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
    const cursor = decodeCursor(after, ['cidr', 'uuid']);
    const { where, params } = hostWhere(ctx, filter);
    try {
      const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n ${FROM} WHERE ${where}`, params);
      if (limit === 0) return toPage([], 0, n, () => []);
      const pageParams = [...params, limit + 1];
      let keyset = '';
      if (cursor) {
        pageParams.push(cursor[0], cursor[1]);
        keyset = ` AND (h.ip, h.id) > ($${pageParams.length - 1}::cidr, $${pageParams.length}::uuid)`;
      }
      const rows = await this.db.query<HostRow & { sort_ip: string }>(
        `SELECT ${HOST_COLUMNS}, text(h.ip) AS sort_ip ${FROM} WHERE ${where}${keyset} ORDER BY h.ip, h.id LIMIT $${params.length + 1}`,
        pageParams,
      );
      const sortIp = new Map(rows.map((r) => [r.id, r.sort_ip]));
      return toPage(rows.map(HostType.fromRow), limit, n, (h) => [sortIp.get(h.localId) ?? null, h.localId]);
    } catch (err) {
      if (filter?.ip && sqlState(err) === INVALID_TEXT_STATE) throw hostBitsError(filter.ip);
      throw err;
    }
  }
}
