/**
 * One owner per address: an enabled host of an ingress trunk may not have the address or
 * block of an enabled ingress host of another customer, whatever the ports, because a CDR
 * names its customer by source address alone. The database enforces it (exclusion
 * constraint hosts_one_address_owner, migrations/1732406401230-address-owners.ts), so
 * concurrent writers cannot both pass; this file turns a violation into a CONFLICT that
 * names the customer owning the address. It lives in trunk, below host, because moving a
 * trunk or turning it INGRESS breaks the rule as surely as writing a host does.
 *
 * The owner is read after the failed transaction has rolled back (the aborted one can
 * run nothing more), so the common path costs no query and a race still gets the name.
 */
import { conflict, type AppError } from '../../platform/common/errors';
import { violatedConstraint } from '../../platform/common/constraint-errors';
import { toGlobalId } from '../../platform/common/global-id';
import type { Queryable } from '../../platform/db/sql';

export const ONE_ADDRESS_OWNER = 'hosts_one_address_owner';

/** A host's address as operators write it: a single address without its /32 or /128, a block in CIDR notation. */
export function addressText(column: string): string {
  return `CASE WHEN masklen(${column}) = CASE family(${column}) WHEN 4 THEN 32 ELSE 128 END THEN host(${column}) ELSE text(${column}) END`;
}

interface OwnerRow {
  ip: string;
  customer_id: string;
  name: string;
}

/**
 * The enabled ingress host of another customer with the address `ip` that a write of host
 * `hostId` (null on create) on trunk `trunkId` ran into, when that trunk is INGRESS.
 */
const HOST_OWNER_SQL = `
SELECT ${addressText('o.ip')} AS ip, c.id AS customer_id, c.name
  FROM trunks t
  JOIN hosts o ON o.ip = $1::cidr AND o.enabled AND o.trunk_direction = 'INGRESS' AND o.customer_id <> t.customer_id
              AND o.id IS DISTINCT FROM $3::uuid
  JOIN customers c ON c.id = o.customer_id
 WHERE t.id = $2 AND t.direction = 'INGRESS'
 ORDER BY o.id
 LIMIT 1`;

/**
 * The first enabled ingress host of a customer other than $2 sharing an address with an
 * enabled host of trunk $1; moved: whether the write gave the trunk another customer.
 */
const TRUNK_OWNER_SQL = `
SELECT ${addressText('o.ip')} AS ip, c.id AS customer_id, c.name, mine.customer_id <> $2 AS moved
  FROM hosts mine
  JOIN hosts o ON o.ip = mine.ip AND o.enabled AND o.trunk_direction = 'INGRESS' AND o.customer_id <> $2 AND o.trunk_id <> mine.trunk_id
  JOIN customers c ON c.id = o.customer_id
 WHERE mine.trunk_id = $1 AND mine.enabled
 ORDER BY o.ip, o.id
 LIMIT 1`;

/** The CONFLICT for an address owned by another customer; extensions name it (ownerCustomerId, ownerCustomerName). */
export function addressOwnerConflict(owner: OwnerRow, field: string): AppError {
  return conflict(
    `${owner.ip} belongs to customer "${owner.name}": an enabled host of its ingress trunk has this address, ` +
      `and CDRs carry no port, so an address has one owner whatever the ports (a nested, more specific block may be given to another customer)`,
    { field, ip: owner.ip, ownerCustomerId: toGlobalId('Customer', owner.customer_id), ownerCustomerName: owner.name },
  );
}

/**
 * For a host write that failed with `err`: the owner CONFLICT when the write gave the
 * address a second owner (the exclusion constraint, or the same-port unique index
 * `samePortIndex` when the other customer also uses the port), otherwise undefined.
 */
export async function hostOwnerConflict(db: Queryable, err: unknown, samePortIndex: string, write: { ip: string; trunkId: string; hostId: string | null }): Promise<AppError | undefined> {
  const constraint = violatedConstraint(err);
  if (constraint !== ONE_ADDRESS_OWNER && constraint !== samePortIndex) return undefined;
  const [owner] = await db.query<OwnerRow>(HOST_OWNER_SQL, [write.ip, write.trunkId, write.hostId]);
  if (owner) return addressOwnerConflict(owner, 'ip');
  // The owner's host went away since: the address is free now, a retry may pass.
  return constraint === ONE_ADDRESS_OWNER ? conflict('An enabled ingress host of another customer had this address; retry', { field: 'ip' }) : undefined;
}

/** For a trunk update that failed with `err` while moving the trunk to customer `customerId` or turning it INGRESS. */
export async function trunkOwnerConflict(db: Queryable, err: unknown, write: { trunkId: string; customerId: string }): Promise<AppError | undefined> {
  if (violatedConstraint(err) !== ONE_ADDRESS_OWNER) return undefined;
  const [owner] = await db.query<OwnerRow & { moved: boolean }>(TRUNK_OWNER_SQL, [write.trunkId, write.customerId]);
  if (!owner) return conflict('A host of this trunk had the address of an enabled ingress host of another customer; retry', { field: 'customerId' });
  return addressOwnerConflict(owner, owner.moved ? 'customerId' : 'direction');
}
