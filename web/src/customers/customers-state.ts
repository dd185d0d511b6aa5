/** Customers known to a board, by id, as last seen (a snapshot per row: applying one twice changes nothing). */
import type { CustomerRowFragment } from '../gql/graphql';

export interface CustomersState {
  customers: ReadonlyMap<string, CustomerRowFragment>;
  /** How many live changes each row has seen (restarts its highlight). */
  versions: ReadonlyMap<string, number>;
}

export const EMPTY_CUSTOMERS: CustomersState = { customers: new Map(), versions: new Map() };

export function seen(state: CustomersState, c: CustomerRowFragment, live: boolean): CustomersState {
  const customers = new Map(state.customers).set(c.id, c);
  const versions = live ? new Map(state.versions).set(c.id, (state.versions.get(c.id) ?? 0) + 1) : state.versions;
  return { customers, versions };
}

/** Exact comparison of two API decimals: both scaled to integers of the same scale (BigInt, no floats). */
export function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  const scale = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(scale, '0'));
  const y = BigInt(bi + bf.padEnd(scale, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function byAvailableCredit(customers: Iterable<CustomerRowFragment>): CustomerRowFragment[] {
  return [...customers].sort((a, b) => compareDecimal(a.availableCredit, b.availableCredit) || a.id.localeCompare(b.id));
}
