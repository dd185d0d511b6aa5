/**
 * In-transaction domain hooks: modules react to each other's changes inside the same
 * transaction (alerts evaluate a balance change, notifications enqueue messages for an
 * alert event) without importing each other. Handlers run in registration order and
 * must be set-based: one call per batch, not per row.
 */
import type { UnitOfWork } from '../platform/db/unit-of-work';

export type BalanceReason = 'CDR_CHARGES' | 'PAYMENT' | 'ADJUSTMENT' | 'RESET';

/** One committed-to-be change of one customer's balance (ids are local). */
export interface AppliedBalanceChange {
  ledgerId: string;
  customerId: string;
  reason: BalanceReason;
  delta: string;
  previousBalance: string;
  balance: string;
  previousAccruedCharges: string;
  accruedCharges: string;
  creditLimit: string;
  /** The customer's lowBalanceThreshold when the change was applied (null: none). */
  lowBalanceThreshold: string | null;
  reference: string | null;
  occurredAt: Date;
}

/** A CDR newly stored and charged (duplicates never appear here). */
export interface ChargedCdr {
  customerId: string;
  trunkId: string | null;
  callId: string;
  /** Epoch milliseconds. */
  startedAtMs: number;
  duration: number;
  disposition: 'ANSWERED' | 'NO_ANSWER' | 'BUSY' | 'FAILED';
  charge: string;
}

/** An alert event row just written (ids are local). */
export interface CreatedAlertEvent {
  id: string;
  definitionId: string;
  customerId: string;
  kind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED';
  area: string;
  value: string;
  threshold: string;
  subject: string;
  message: string;
  penaltyUntil: Date | null;
  occurredAt: Date;
  isTest: boolean;
}

export interface TrunkChange {
  customerId: string;
  trunkId: string;
  change: 'CREATED' | 'UPDATED' | 'DELETED' | 'HOSTS_CHANGED';
}

export interface HookPayloads {
  /** After balances changed (one call per transaction, every customer changed in it). */
  balanceChanged: AppliedBalanceChange[];
  /** After a CDR batch was stored (new records only; the CdrInsertCtes have run) and its balance changes applied; its customers are locked. */
  cdrsCharged: ChargedCdr[];
  /** After alert events were written. */
  alertEventsCreated: CreatedAlertEvent[];
  /** After a trunk or its hosts changed. */
  trunkChanged: TrunkChange[];
}

export type HookName = keyof HookPayloads;

/**
 * SQL for a data-modifying CTE that runs inside the CDR insert statement, over the
 * rows it inserted: `insertedRows` names a CTE with the cdrs columns of the new rows.
 * For bookkeeping that is a pure function of the new rows (e.g. per-minute call
 * buckets), so the rows are not sent back and forth again and no statement is added.
 */
export type CdrInsertCte = (insertedRows: string) => string;
export type HookHandler<K extends HookName> = (uow: UnitOfWork, payload: HookPayloads[K]) => Promise<void>;

export class DomainHooks {
  private readonly handlers: { [K in HookName]: HookHandler<K>[] } = {
    balanceChanged: [],
    cdrsCharged: [],
    alertEventsCreated: [],
    trunkChanged: [],
  };

  private readonly cdrInsert: CdrInsertCte[] = [];

  on<K extends HookName>(name: K, handler: HookHandler<K>): void {
    this.handlers[name].push(handler);
  }

  /** Registers a CTE for the CDR insert statement (see CdrInsertCte). */
  withCdrInsert(cte: CdrInsertCte): void {
    this.cdrInsert.push(cte);
  }

  /** The registered CDR insert CTEs, as SQL over `insertedRows`. */
  cdrInsertCtes(insertedRows: string): string[] {
    return this.cdrInsert.map((cte) => cte(insertedRows));
  }

  async emit<K extends HookName>(name: K, uow: UnitOfWork, payload: HookPayloads[K]): Promise<void> {
    if (payload.length === 0) return;
    // Kept on the unit of work so the operation that caused it can report it
    // (e.g. submitCdrs returns the alert events its batch produced).
    (uow.bag.get(emittedKey(name)) as unknown[] | undefined)?.push(...payload) ?? uow.bag.set(emittedKey(name), [...payload]);
    for (const handler of this.handlers[name]) await handler(uow, payload);
  }
}

function emittedKey(name: HookName): string {
  return `hook:${name}`;
}

/** Everything emitted under a hook name in this transaction so far. */
export function emitted<K extends HookName>(uow: UnitOfWork, name: K): HookPayloads[K] {
  return (uow.bag.get(emittedKey(name)) as HookPayloads[K] | undefined) ?? ([] as unknown as HookPayloads[K]);
}
