/**
 * Fixtures for CDR tests and benchmarks: customers with an opening balance (paid
 * through the ledger, so ledger sums equal balances), trunks and hosts by SQL, and
 * CDR inputs as a switch would send them.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/app/services';
import type { CdrInput } from '../generated/graphql';

export interface TestCustomer {
  localId: string;
  id: string;
}

export async function createCustomer(services: Services, name: string, opening = '0'): Promise<TestCustomer> {
  const [{ id }] = await services.db.query<{ id: string }>(`INSERT INTO customers (name) VALUES ($1) RETURNING id`, [name]);
  if (opening !== '0') {
    await services.db.transaction((uow) => services.balanceLedger.apply(uow, 'PAYMENT', [{ customerId: id, delta: opening }], null));
  }
  return { localId: id, id: `cus_${id}` };
}

export async function createTrunk(services: Services, customer: TestCustomer, name: string, direction = 'INGRESS'): Promise<string> {
  const [{ id }] = await services.db.query<{ id: string }>(
    `INSERT INTO trunks (name, customer_id, direction) VALUES ($1, $2, $3) RETURNING id`,
    [name, customer.localId, direction],
  );
  return id;
}

export async function createHost(services: Services, trunkId: string, cidr: string, enabled = true): Promise<void> {
  await services.db.query(`INSERT INTO hosts (ip, trunk_id, enabled) VALUES ($1::cidr, $2, $3)`, [cidr, trunkId, enabled]);
}

let sequence = 0;

/** A unique callId (unique across test files sharing a server). */
export function callId(prefix = 'c'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}-${++sequence}`;
}

/** A valid record; override any field. */
export function cdr(customer: TestCustomer | null, over: Partial<CdrInput> = {}): CdrInput {
  return {
    callId: callId(),
    ...(customer ? { customerId: customer.id } : {}),
    caller: '4420700000',
    callee: '4930123456',
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    duration: 60,
    disposition: 'ANSWERED',
    charge: '0.25',
    ...over,
  };
}

export async function ledgerCount(services: Services, customer: TestCustomer): Promise<number> {
  const [{ n }] = await services.db.query<{ n: string }>(`SELECT count(*) AS n FROM balance_ledger WHERE customer_id = $1`, [customer.localId]);
  return Number(n);
}

export async function cdrCount(services: Services, customer?: TestCustomer): Promise<number> {
  const [{ n }] = customer
    ? await services.db.query<{ n: string }>(`SELECT count(*) AS n FROM cdrs WHERE customer_id = $1`, [customer.localId])
    : await services.db.query<{ n: string }>(`SELECT count(*) AS n FROM cdrs`);
  return Number(n);
}

/** balance, accrued_charges and the sum of the customer's ledger deltas, as canonical strings. */
export async function money(services: Services, customer: TestCustomer): Promise<{ balance: string; accrued: string; ledgerSum: string }> {
  const [r] = await services.db.query<{ balance: string; accrued: string; ledger_sum: string }>(
    `SELECT trim_scale(c.balance)::text AS balance, trim_scale(c.accrued_charges)::text AS accrued,
            trim_scale(coalesce((SELECT sum(delta) FROM balance_ledger l WHERE l.customer_id = c.id), 0))::text AS ledger_sum
       FROM customers c WHERE c.id = $1`,
    [customer.localId],
  );
  return { balance: r.balance, accrued: r.accrued, ledgerSum: r.ledger_sum };
}
