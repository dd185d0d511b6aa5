/**
 * A stored and charged CDR batch as the rest of the application sees it, and the
 * reaction it runs in its transaction (wired in src/app/reactions.ts).
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { AppliedBalanceChange } from '../balance/balance-change';

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

/**
 * Each customer's shortest and longest call among the records a batch sent to its
 * insert, aligned with customerIds (first seen first). Bounds of its stored calls: a
 * record the insert left out (a stored callId) counts too.
 */
export interface CallRanges {
  customerIds: readonly string[];
  shortest: readonly number[];
  longest: readonly number[];
}

/** One batch after its insert and its ledger update. */
export interface ChargedBatch {
  /** The new records (in callId order). */
  cdrs: ChargedCdr[];
  /** Its customers' shortest and longest calls, found while the batch was encoded. */
  callRanges: CallRanges;
  /** The balance changes of its charges, one per customer charged. */
  balanceChanges: AppliedBalanceChange[];
  /**
   * The customers of the batch an alert rule may apply to (cdr-insert.ts, MAY_HAVE_RULES);
   * the others have no rule to evaluate.
   */
  ruled: ReadonlySet<string>;
}

/**
 * Runs once per batch, after its calls are stored and its charges applied, with every
 * customer of the batch locked (id order). Its outcome is kept on the batch's result,
 * where the fields of higher modules read it (e.g. CdrBatchResult.alertEvents).
 */
export type CdrBatchReaction<Outcome> = (uow: UnitOfWork, batch: ChargedBatch) => Promise<Outcome>;
