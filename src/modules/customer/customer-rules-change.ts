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

/**
 * Each built-in rule's threshold for customer `c`, in SQL: the customer's own trigger
 * (null, or 0 seconds for the call duration: that rule is off for the customer). The
 * rule engine reads a built-in's threshold from here (alert-engine.ts THRESHOLD_SQL), and
 * the CDR insert asks whether any of them is on (cdr-insert.ts), so a new built-in is
 * added once.
 */
export const BUILT_IN_THRESHOLDS: Readonly<Record<string, string>> = {
  PREPAID_BALANCE_TRIGGER: 'c.prepaid_balance_trigger',
  LOW_BALANCE_THRESHOLD: 'c.low_balance_threshold',
  CALL_DURATION_TRIGGER: 'nullif(c.call_duration_trigger, 0)::numeric',
};

/** SQL over customer `c`: whether any built-in rule has a threshold of the customer's own. */
export const OWN_TRIGGERS_ON_SQL = `(${Object.values(BUILT_IN_THRESHOLDS)
  .map((threshold) => `${threshold} IS NOT NULL`)
  .join(' OR ')})`;

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
