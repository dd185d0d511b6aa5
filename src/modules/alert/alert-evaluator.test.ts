import { AlertOperator } from './alert.enums';
import { conditionHolds, evaluate, hasResolved, repeatDue, resetOnNonTriggeringSide, wholeNumberRange } from './alert-evaluator';
import { renderAlertText } from './alert-text';
import { AlertArea } from './alert.enums';

describe('AlertEvaluator', () => {
  it('compares exactly with every operator', () => {
    expect(conditionHolds(AlertOperator.GT, '100.0000000001', '100')).toBe(true);
    expect(conditionHolds(AlertOperator.GT, '100', '100')).toBe(false);
    expect(conditionHolds(AlertOperator.GTE, '100', '100.0000000000')).toBe(true);
    expect(conditionHolds(AlertOperator.LT, '-0.0000000001', '0')).toBe(true);
    expect(conditionHolds(AlertOperator.LT, '0', '0')).toBe(false);
    expect(conditionHolds(AlertOperator.LTE, '30', '30')).toBe(true);
    expect(conditionHolds(AlertOperator.LTE, '30.0000000001', '30')).toBe(false);
    expect(conditionHolds(AlertOperator.EQ, '0.3', '0.30')).toBe(true);
    expect(conditionHolds(AlertOperator.EQ, '0.3', '0.31')).toBe(false);
  });

  it('ASR LTE 30 reset 31: triggers at 30, stays up to 31, resolves only above 31', () => {
    const rule = { operator: AlertOperator.LTE, threshold: '30', resetThreshold: '31' };
    expect(evaluate(rule, false, '30.5')).toEqual({ triggered: false, transition: null });
    expect(evaluate(rule, false, '30')).toEqual({ triggered: true, transition: 'TRIGGERED' });
    expect(evaluate(rule, true, '25')).toEqual({ triggered: true, transition: null });
    expect(evaluate(rule, true, '30.5')).toEqual({ triggered: true, transition: null });
    expect(evaluate(rule, true, '31')).toEqual({ triggered: true, transition: null });
    expect(evaluate(rule, true, '31.0000000001')).toEqual({ triggered: false, transition: 'RESOLVED' });
    // Once resolved, 30.5 does not trigger again.
    expect(evaluate(rule, false, '30.5')).toEqual({ triggered: false, transition: null });
  });

  it('defaults the reset threshold to the threshold', () => {
    const rule = { operator: AlertOperator.GTE, threshold: '100', resetThreshold: null };
    expect(evaluate(rule, false, '99.99')).toEqual({ triggered: false, transition: null });
    expect(evaluate(rule, false, '100')).toEqual({ triggered: true, transition: 'TRIGGERED' });
    expect(evaluate(rule, true, '150')).toEqual({ triggered: true, transition: null });
    expect(evaluate(rule, true, '100')).toEqual({ triggered: true, transition: null });
    expect(evaluate(rule, true, '0')).toEqual({ triggered: false, transition: 'RESOLVED' });
    expect(hasResolved({ operator: AlertOperator.LT, threshold: '10', resetThreshold: null }, '10')).toBe(false);
    expect(hasResolved({ operator: AlertOperator.LT, threshold: '10', resetThreshold: null }, '10.01')).toBe(true);
    expect(hasResolved({ operator: AlertOperator.EQ, threshold: '5', resetThreshold: null }, '5')).toBe(false);
    expect(hasResolved({ operator: AlertOperator.EQ, threshold: '5', resetThreshold: null }, '6')).toBe(true);
  });

  it('accepts reset thresholds only on the non-triggering side or equal', () => {
    expect(resetOnNonTriggeringSide(AlertOperator.LTE, '30', '31')).toBe(true);
    expect(resetOnNonTriggeringSide(AlertOperator.LTE, '30', '30')).toBe(true);
    expect(resetOnNonTriggeringSide(AlertOperator.LTE, '30', '29')).toBe(false);
    expect(resetOnNonTriggeringSide(AlertOperator.LT, '30', '29.99')).toBe(false);
    expect(resetOnNonTriggeringSide(AlertOperator.GTE, '100', '90')).toBe(true);
    expect(resetOnNonTriggeringSide(AlertOperator.GT, '100', '100.5')).toBe(false);
    expect(resetOnNonTriggeringSide(AlertOperator.EQ, '1', '1')).toBe(true);
    expect(resetOnNonTriggeringSide(AlertOperator.EQ, '1', '2')).toBe(false);
  });

  it('repeats every repeatInterval seconds, never without one', () => {
    const last = new Date('2026-11-24T00:00:00Z');
    expect(repeatDue(60, last, new Date('2026-11-24T00:00:59.999Z'))).toBe(false);
    expect(repeatDue(60, last, new Date('2026-11-24T00:01:00Z'))).toBe(true);
    expect(repeatDue(null, last, new Date('2026-11-25T00:00:00Z'))).toBe(false);
    expect(repeatDue(60, null, new Date('2026-11-25T00:00:00Z'))).toBe(false);
  });

  it('turns a rule into the whole numbers it matches, agreeing with conditionHolds', () => {
    expect(wholeNumberRange(AlertOperator.GTE, '7200')).toEqual({ min: 7200, max: Infinity });
    expect(wholeNumberRange(AlertOperator.GT, '7200')).toEqual({ min: 7201, max: Infinity });
    expect(wholeNumberRange(AlertOperator.LT, '10.5')).toEqual({ min: -Infinity, max: 10 });
    expect(wholeNumberRange(AlertOperator.EQ, '10.5')).toBeNull();
    for (const op of Object.values(AlertOperator)) {
      for (const t of ['0', '59.5', '60', '-1.25']) {
        const range = wholeNumberRange(op, t);
        for (let n = -3; n <= 62; n++) {
          const inRange = range !== null && n >= range.min && n <= range.max;
          expect([op, t, n, inRange]).toEqual([op, t, n, conditionHolds(op, String(n), t)]);
        }
      }
    }
  });

  it('renders plain subject and message text', () => {
    const base = { area: AlertArea.ASR, operator: AlertOperator.LTE, title: 'x', customerName: 'Acme', threshold: '30.0000000000', resetThreshold: '31' };
    expect(renderAlertText({ ...base, kind: 'TRIGGERED', value: '25.0000000000' }).subject).toBe("[Lineguard] ASR alert 'x' triggered for Acme: 25 <= 30");
    expect(renderAlertText({ ...base, kind: 'RESOLVED', value: '40' }).subject).toBe("[Lineguard] ASR alert 'x' resolved for Acme: 40 > 31");
    const repeated = renderAlertText({ ...base, kind: 'REPEATED', value: '20', test: true });
    expect(repeated.subject).toBe("[Lineguard TEST] ASR alert 'x' still triggered for Acme: 20 <= 30");
    expect(repeated.message).toContain('ASR: 20\nCondition: ASR <= 30 (resets past 31)');
  });

  it('says why a state resolved when its value did not cross back', () => {
    const base = { area: AlertArea.BALANCE, operator: AlertOperator.LT, title: 'x', customerName: 'Acme', threshold: '0', resetThreshold: null, value: '-5' };
    const text = renderAlertText({ ...base, kind: 'RESOLVED', resolvedBecause: 'the rule was disabled' });
    // "-5 > 0" would not be true: the reason replaces the comparison.
    expect(text.subject).toBe("[Lineguard] BALANCE alert 'x' resolved for Acme: the rule was disabled");
    expect(text.message).toContain('Balance: -5\nCondition: BALANCE < 0\nStatus: resolved (the rule was disabled)');
    // Only RESOLVED carries a reason.
    expect(renderAlertText({ ...base, kind: 'TRIGGERED', resolvedBecause: 'ignored' }).subject).toBe("[Lineguard] BALANCE alert 'x' triggered for Acme: -5 < 0");
  });
});
