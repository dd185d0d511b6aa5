/** Shared set-up of the alert e2e tests: customers, calls, and the scheduler jobs run on demand. */
import { randomUUID } from 'node:crypto';
import { AlertsCreateCustomerDocument, type CreateCustomerInput } from '../generated/graphql';
import type { TestServer } from '../helpers/test-server';
import { dec } from '../../src/common/decimal';

export interface Call {
  customerId: string;
  duration: number;
  answered?: boolean;
  charge?: string;
  /** Seconds before now the call started (default 1). */
  ago?: number;
}

let seq = 0;

export async function createCustomer(server: TestServer, input: Partial<CreateCustomerInput> = {}): Promise<string> {
  const { createCustomer } = await server.http().data(AlertsCreateCustomerDocument, { input: { name: `Acme ${++seq}`, ...input } });
  return createCustomer.id;
}

export function localId(globalId: string): string {
  return globalId.replace(/^[a-z]+_/, '');
}

/**
 * Charges calls the way submitCdrs does: stores them, runs cdrsCharged, then applies
 * the balance changes, all in one transaction.
 */
export async function chargeCalls(server: TestServer, calls: Call[]): Promise<void> {
  const { db, hooks, balanceLedger } = server.app.services;
  await db.transaction(async (uow) => {
    const rows = await uow.query<{ id: string; customer_id: string; call_id: string; started_at: Date; duration: number; disposition: string; charge: string }>(
      `INSERT INTO cdrs (call_id, customer_id, callee, started_at, duration, disposition, charge)
       SELECT call_id, customer_id, '15550100', now() - make_interval(secs => ago), duration, disposition, charge
         FROM unnest($1::text[], $2::uuid[], $3::int[], $4::int[], $5::text[], $6::numeric[]) AS t(call_id, customer_id, ago, duration, disposition, charge)
       RETURNING id, customer_id, call_id, started_at, duration, disposition, charge`,
      [
        calls.map(() => randomUUID()),
        calls.map((c) => localId(c.customerId)),
        calls.map((c) => c.ago ?? 1),
        calls.map((c) => c.duration),
        calls.map((c) => (c.answered === false ? 'NO_ANSWER' : 'ANSWERED')),
        calls.map((c) => c.charge ?? '0'),
      ],
    );
    await hooks.emit(
      'cdrsCharged',
      uow,
      rows.map((r) => ({
        id: String(r.id),
        customerId: r.customer_id,
        trunkId: null,
        callId: r.call_id,
        startedAt: r.started_at,
        duration: r.duration,
        disposition: r.disposition as 'ANSWERED',
        charge: r.charge,
      })),
    );
    const perCustomer = new Map<string, string>();
    for (const c of calls) {
      const id = localId(c.customerId);
      perCustomer.set(id, dec(perCustomer.get(id) ?? '0').plus(c.charge ?? '0').toFixed());
    }
    await balanceLedger.apply(
      uow,
      'CDR_CHARGES',
      [...perCustomer].map(([customerId, sum]) => ({ customerId, delta: dec(sum).negated().toFixed(), accruedDelta: sum })),
    );
  });
}

/** Calls with `answered` of `total` answered, 60 s each. */
export function callsWithAsr(customerId: string, total: number, answered: number, ago = 1): Call[] {
  return Array.from({ length: total }, (_, i) => ({ customerId, duration: i < answered ? 60 : 0, answered: i < answered, ago }));
}

export async function runJob(server: TestServer, name: string): Promise<void> {
  const job = server.app.services.jobs.find((j) => j.name === name);
  if (!job) throw new Error(`no job ${name}`);
  await job.run();
}
