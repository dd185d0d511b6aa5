/**
 * What the ledger reports of a change it applied, and the reaction the rest of the
 * application runs to it in the same transaction (wired in src/app/reactions.ts).
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';

export type BalanceReason = 'CDR_CHARGES' | 'PAYMENT' | 'ADJUSTMENT' | 'RESET';

/** One committed-to-be change of one customer's balance (ids are local). */
export interface AppliedBalanceChange {
  ledgerId: string;
  /** The ledger row's transaction (its place in the ledger's order, see ledger-order.ts). */
  ledgerTx: string;
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

/**
 * Runs after a payment, adjustment or reset was applied, in its transaction, with the
 * customers locked. CDR charges do not run it: the CDR batch's own reaction sees its
 * balance changes together with its calls (see CdrBatchReaction).
 */
export type BalanceChangedReaction = (uow: UnitOfWork, changes: AppliedBalanceChange[]) => Promise<void>;
