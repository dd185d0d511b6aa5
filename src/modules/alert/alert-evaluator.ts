/**
 * AlertEvaluator: the pure rules of an alert (condition, hysteresis, repeats). No I/O:
 * the engine loads values and states set-based, asks these functions what happens,
 * and writes the outcome back set-based.
 */
import { dec, type Decimal } from '../../platform/common/decimal';
import { AlertOperator } from './alert.enums';

export type Transition = 'TRIGGERED' | 'RESOLVED' | null;

export interface Rule {
  operator: AlertOperator;
  threshold: string;
  /** Where a triggered state resolves; null means the threshold itself. */
  resetThreshold: string | null;
}

export interface Outcome {
  triggered: boolean;
  transition: Transition;
}

/** value <operator> threshold. */
export function conditionHolds(operator: AlertOperator, value: string | Decimal, threshold: string | Decimal): boolean {
  const cmp = dec(String(value)).comparedTo(dec(String(threshold)));
  switch (operator) {
    case AlertOperator.GT:
      return cmp > 0;
    case AlertOperator.GTE:
      return cmp >= 0;
    case AlertOperator.LT:
      return cmp < 0;
    case AlertOperator.LTE:
      return cmp <= 0;
    case AlertOperator.EQ:
      return cmp === 0;
  }
}

/**
 * Whether a triggered rule has let go: the value passed the reset threshold the other
 * way (strictly). E.g. ASR LTE 30 reset 31 resolves only when ASR > 31; BALANCE LT 10
 * resolves above 10; EQ resolves as soon as the value differs.
 */
export function hasResolved(rule: Rule, value: string): boolean {
  const reset = dec(rule.resetThreshold ?? rule.threshold);
  const cmp = dec(value).comparedTo(reset);
  switch (rule.operator) {
    case AlertOperator.GT:
    case AlertOperator.GTE:
      return cmp < 0;
    case AlertOperator.LT:
    case AlertOperator.LTE:
      return cmp > 0;
    case AlertOperator.EQ:
      return cmp !== 0;
  }
}

/** Where a state goes from `wasTriggered` given a fresh value. */
export function evaluate(rule: Rule, wasTriggered: boolean, value: string): Outcome {
  if (wasTriggered) {
    return hasResolved(rule, value) ? { triggered: false, transition: 'RESOLVED' } : { triggered: true, transition: null };
  }
  return conditionHolds(rule.operator, value, rule.threshold) ? { triggered: true, transition: 'TRIGGERED' } : { triggered: false, transition: null };
}

/**
 * Whether a reset threshold lies on the non-triggering side of the threshold (or on it):
 * a rule whose reset value itself triggers could never resolve.
 */
export function resetOnNonTriggeringSide(operator: AlertOperator, threshold: string, resetThreshold: string): boolean {
  const cmp = dec(resetThreshold).comparedTo(dec(threshold));
  switch (operator) {
    case AlertOperator.GT:
    case AlertOperator.GTE:
      return cmp <= 0;
    case AlertOperator.LT:
    case AlertOperator.LTE:
      return cmp >= 0;
    case AlertOperator.EQ:
      return cmp === 0;
  }
}

/**
 * The whole numbers n for which `n <operator> threshold` holds, as an inclusive range
 * (null: none). Call durations are whole seconds, so a batch's calls are matched
 * against each rule with two integer comparisons instead of a decimal comparison each.
 */
export function wholeNumberRange(operator: AlertOperator, threshold: string): { min: number; max: number } | null {
  const t = dec(threshold);
  const floor = t.floor().toNumber();
  const ceil = t.ceil().toNumber();
  switch (operator) {
    case AlertOperator.GT:
      return { min: floor + 1, max: Infinity };
    case AlertOperator.GTE:
      return { min: ceil, max: Infinity };
    case AlertOperator.LT:
      return { min: -Infinity, max: ceil - 1 };
    case AlertOperator.LTE:
      return { min: -Infinity, max: floor };
    case AlertOperator.EQ:
      return t.isInteger() ? { min: floor, max: floor } : null;
  }
}

/** Whether a still-triggered state is due for a REPEATED notification. */
export function repeatDue(repeatInterval: number | null, lastNotifiedAt: Date | null, now: Date): boolean {
  if (repeatInterval === null || lastNotifiedAt === null) return false;
  return now.getTime() - lastNotifiedAt.getTime() >= repeatInterval * 1000;
}

export const OPERATOR_SYMBOL: Record<AlertOperator, string> = {
  [AlertOperator.GT]: '>',
  [AlertOperator.GTE]: '>=',
  [AlertOperator.LT]: '<',
  [AlertOperator.LTE]: '<=',
  [AlertOperator.EQ]: '=',
};

/** The symbol a resolved value relates to the reset threshold with (the opposite side). */
export const RESOLVED_SYMBOL: Record<AlertOperator, string> = {
  [AlertOperator.GT]: '<',
  [AlertOperator.GTE]: '<',
  [AlertOperator.LT]: '>',
  [AlertOperator.LTE]: '>',
  [AlertOperator.EQ]: '!=',
};
