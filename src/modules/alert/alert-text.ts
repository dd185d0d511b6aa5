/**
 * The subject and message of an alert event: plain default text. The one place event
 * text is produced, so template rendering (notifications) can replace it in one spot.
 */
import { normaliseDecimal } from '../../platform/common/decimal';
import { AlertArea, AlertOperator } from './alert.enums';
import { OPERATOR_SYMBOL, RESOLVED_SYMBOL } from './alert-evaluator';

export interface AlertTextInput {
  kind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED';
  area: AlertArea;
  operator: AlertOperator;
  title: string;
  customerName: string;
  /** Null when there is nothing to measure yet (testAlert on a customer without calls). */
  value: string | null;
  threshold: string;
  resetThreshold: string | null;
  penaltyUntil?: Date | null;
  test?: boolean;
  /**
   * A RESOLVED event whose value did not cross back: its rule was disabled, deleted or
   * changed, or no longer applies to the customer. Said instead of a comparison that
   * would not be true (value is the last one measured).
   */
  resolvedBecause?: string | null;
}

const AREA_LABEL: Record<AlertArea, string> = {
  [AlertArea.BALANCE]: 'Balance',
  [AlertArea.AVAILABLE_CREDIT]: 'Available credit',
  [AlertArea.ACCRUED_CHARGES]: 'Accrued charges',
  [AlertArea.CALL_DURATION]: 'Call duration',
  [AlertArea.ASR]: 'ASR',
  [AlertArea.ACD]: 'ACD',
  [AlertArea.SPEND]: 'Spend',
  [AlertArea.CALL_COUNT]: 'Call count',
};

const VERB = { TRIGGERED: 'triggered', REPEATED: 'still triggered', RESOLVED: 'resolved' } as const;

export function renderAlertText(e: AlertTextInput): { subject: string; message: string } {
  const value = e.value === null ? 'n/a' : normaliseDecimal(e.value);
  const threshold = normaliseDecimal(e.threshold);
  const comparison =
    e.kind !== 'RESOLVED'
      ? `${value} ${OPERATOR_SYMBOL[e.operator]} ${threshold}`
      : e.resolvedBecause
        ? e.resolvedBecause
        : `${value} ${RESOLVED_SYMBOL[e.operator]} ${normaliseDecimal(e.resetThreshold ?? e.threshold)}`;
  const prefix = e.test ? '[Lineguard TEST]' : '[Lineguard]';
  const subject = `${prefix} ${e.area} alert '${e.title}' ${VERB[e.kind]} for ${e.customerName}: ${comparison}`;
  const lines = [
    `Alert: ${e.title}`,
    `Customer: ${e.customerName}`,
    `${AREA_LABEL[e.area]}: ${value}`,
    `Condition: ${e.area} ${OPERATOR_SYMBOL[e.operator]} ${threshold}` + (e.resetThreshold !== null ? ` (resets past ${normaliseDecimal(e.resetThreshold)})` : ''),
    `Status: ${VERB[e.kind]}` + (e.kind === 'RESOLVED' && e.resolvedBecause ? ` (${e.resolvedBecause})` : ''),
  ];
  if (e.penaltyUntil) lines.push(`Customer suspended until ${e.penaltyUntil.toISOString()}`);
  if (e.test) lines.push('This is a test message.');
  return { subject, message: lines.join('\n') };
}
