/**
 * A change of what the alert rules see of a customer, and the reaction to it in the same
 * transaction (wired in src/app/reactions.ts: the alerts evaluate the customer at once).
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';

/**
 * Customer columns the rules read besides the balance itself: the built-in triggers'
 * thresholds, the credit limit (AVAILABLE_CREDIT), and the class and account type
 * (which class- and type-wide rules apply). callDurationTrigger is not among them:
 * CALL_DURATION keeps no state and does not look back at stored calls.
 */
export const RULE_INPUT_COLUMNS: readonly string[] = ['prepaid_balance_trigger', 'low_balance_threshold', 'credit_limit', 'customer_class_id', 'type'];

/** What the reaction did to the customers it was given. */
export interface CustomerRulesOutcome {
  /** A penalty rule fired: a customer's status may have changed in this transaction. */
  penalised: boolean;
}

/**
 * Runs after customers were created, or had a RULE_INPUT_COLUMNS column written, in the
 * same transaction, with those customers locked.
 */
export type CustomerRulesChangedReaction = (uow: UnitOfWork, customerIds: string[]) => Promise<CustomerRulesOutcome>;
