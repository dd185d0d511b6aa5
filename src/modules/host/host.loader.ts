import type { ListBounds } from '../../platform/common/pagination';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { HOST_COLUMNS, HostType, type HostRow } from './host.type';
import { allEach, oneEach } from '../../platform/graphql/batch';
import { preparedSql } from '../../platform/db/prepared-sql';

/** Named (prepared-sql.ts): asked on every dashboard page; an index probe per key, whatever the number of keys. */
const HOSTS_OF_TRUNKS_SQL = preparedSql(
  'hosts.of-trunks',
  `SELECT ${HOST_COLUMNS} FROM unnest($1::uuid[]) AS k(id)
     CROSS JOIN LATERAL (SELECT * FROM hosts h WHERE h.trunk_id = k.id ORDER BY h.ip, h.port NULLS FIRST, h.id LIMIT $2) h
    ORDER BY h.ip, h.port NULLS FIRST, h.id`,
);

/** Trunk.hosts: the first `first` by address; the query cost counts them at `default` or `max`. */
export const HOSTS_OF_TRUNK: ListBounds = { default: 20, max: 100 };

/** Batched host lookups for one request. */
export class HostLoader {
  constructor(private readonly db: Database) {}

  /** By local id; hosts of customers the caller may not see load as null. */
  async load(ctx: RequestContext, localId: string): Promise<HostType | null> {
    const host = await ctx
      .loader<string, HostType | null>('host.byId', async (ids) => {
        const rows = await this.db.query<HostRow>(
          `SELECT ${HOST_COLUMNS} FROM hosts h WHERE h.id = ANY($1::uuid[])`,
          [[...ids]],
        );
        return oneEach(ids, rows, (r) => r.id, HostType.from, null);
      })
      .load(localId);
    return host && ctx.canSeeCustomer(host.customerLocalId) ? host : null;
  }

  /**
   * The first `limit` hosts of each trunk, one statement per request and limit whatever
   * the number of trunks: per trunk, at most `limit` rows read in order from the index
   * hosts_trunk_address_idx (trunk_id, ip, port, id), a LATERAL per key (`trunk_id = ANY($1)`
   * over 1,500 keys made the planner scan every host: 12.8 vs 5.6 ms). Hosts carry their
   * trunk's customer (migration 1732406401230), so trunks is not read at all (it was joined,
   * and scanned whole).
   */
  ofTrunk(ctx: RequestContext, trunkLocalId: string, limit: number): Promise<HostType[]> {
    return ctx
      .loader<string, HostType[]>(`host.byTrunk.${limit}`, async (trunkIds) => {
        const rows = await this.db.query<HostRow>(HOSTS_OF_TRUNKS_SQL, [trunkIds, limit]);
        return allEach(trunkIds, rows, (r) => r.trunk_id, HostType.from);
      })
      .load(trunkLocalId);
  }
}
