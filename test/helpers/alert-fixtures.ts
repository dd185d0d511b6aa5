/** Shared set-up of the alert e2e tests: customers, calls, and the scheduler jobs run on demand. */
import { randomUUID } from 'node:crypto';
import { AlertsCreateCustomerDocument, AlertsSubmitCdrsDocument, MeDocument, type CallDisposition, type CreateCustomerInput } from '../generated/graphql';
import type { TestServer } from './test-server';

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

/** Submits the calls through submitCdrs (one batch, one transaction); returns the alert events it caused. */
export async function chargeCalls(server: TestServer, calls: Call[]) {
  const now = Date.now();
  const { submitCdrs } = await server.http().data(AlertsSubmitCdrsDocument, {
    cdrs: calls.map((c) => ({
      callId: randomUUID(),
      customerId: c.customerId,
      callee: '15550100',
      startedAt: new Date(now - (c.ago ?? 1) * 1000).toISOString(),
      duration: c.duration,
      disposition: (c.answered === false ? 'NO_ANSWER' : 'ANSWERED') as CallDisposition,
      charge: c.charge ?? '0',
    })),
  });
  if (submitCdrs.rejected.length) throw new Error(`rejected: ${JSON.stringify(submitCdrs.rejected)}`);
  return submitCdrs.alertEvents;
}

/**
 * What `fn` returns and how many SQL statements the process sent meanwhile, with the admin
 * key's lookup warm (a request before). Counts every statement: run with the jobs off.
 */
export async function statementsDuring<T>(server: TestServer, fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  await server.http().data(MeDocument);
  const counter = server.app.services.db.queries;
  const before = counter.count;
  const result = await fn();
  return { result, statements: counter.count - before };
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
