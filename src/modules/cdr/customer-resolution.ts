/**
 * Finds each record's customer (and trunk) with at most two set-based queries, one
 * per name-based way of naming a customer, over the distinct names in the batch.
 * A customerId is taken as given: the insert only keeps rows whose customer exists
 * (one round trip less on the hot path), and the caller reports the rest unknown.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { ValidCdr } from './cdr-validation';

export interface Resolved {
  customerId: string;
  trunkId: string | null;
}

/**
 * Trunk names are unique (trunks_name_key). A disabled trunk still resolves: the
 * record is a call that happened, and disabling a trunk stops traffic, not billing.
 */
const TRUNKS_SQL = `SELECT name, id, customer_id FROM trunks WHERE name = ANY($1::text[]) AND direction = 'INGRESS'`;

/**
 * For every distinct source address (IPv4-mapped IPv6 already unmapped by validation), the
 * enabled host of an ingress trunk whose block covers it, most specific first: a /32 beats
 * the /24 around it, which may belong to another customer (nested blocks of different
 * lengths are allowed). Equal blocks of enabled ingress hosts have one customer (exclusion
 * constraint hosts_one_address_owner), so the customer is never a tie; between that
 * customer's own equal hosts (another port or trunk), the lowest host id picks the trunk,
 * stably. As for trunks, the trunk's enabled flag does not count. Reads the hosts' copy of
 * their trunk's customer and direction (kept exact by a cascading foreign key), which the
 * constraint's partial GiST index serves.
 */
const HOSTS_SQL = `
SELECT DISTINCT ON (s.src) s.src AS ip, h.trunk_id, h.customer_id
  FROM unnest($1::text[]) AS s(src)
  JOIN hosts h ON h.enabled AND h.trunk_direction = 'INGRESS' AND h.ip >>= s.src::inet
 ORDER BY s.src, masklen(h.ip) DESC, h.id`;

/** Resolved[i] for rows[i] (customerIds still unchecked), or undefined when no customer matches. */
export async function resolveCustomers(uow: UnitOfWork, rows: readonly ValidCdr[]): Promise<(Resolved | undefined)[]> {
  const trunks = new Set<string>();
  const ips = new Set<string>();
  for (const row of rows) {
    if (row.ref.kind === 'trunk') trunks.add(row.ref.value);
    else if (row.ref.kind === 'ip') ips.add(row.ref.value);
  }
  // One connection runs one statement at a time: awaiting in turn costs nothing extra.
  const trunkRows = trunks.size ? await uow.query<{ name: string; id: string; customer_id: string }>(TRUNKS_SQL, [[...trunks]]) : [];
  const hostRows = ips.size ? await uow.query<{ ip: string; trunk_id: string; customer_id: string }>(HOSTS_SQL, [[...ips]]) : [];
  const byTrunk = new Map<string, Resolved>(trunkRows.map((r) => [r.name, { customerId: r.customer_id, trunkId: r.id }]));
  const byIp = new Map<string, Resolved>(hostRows.map((r) => [r.ip, { customerId: r.customer_id, trunkId: r.trunk_id }]));
  return rows.map((row) => {
    // An empty id value stands for a malformed customerId: no such customer can exist.
    if (row.ref.kind === 'id') return row.ref.value ? { customerId: row.ref.value, trunkId: null } : undefined;
    return (row.ref.kind === 'trunk' ? byTrunk : byIp).get(row.ref.value);
  });
}
