import { registerEnumType } from 'type-graphql';

export enum AlertArea {
  BALANCE = 'BALANCE',
  AVAILABLE_CREDIT = 'AVAILABLE_CREDIT',
  ACCRUED_CHARGES = 'ACCRUED_CHARGES',
  CALL_DURATION = 'CALL_DURATION',
  ASR = 'ASR',
  ACD = 'ACD',
  SPEND = 'SPEND',
  CALL_COUNT = 'CALL_COUNT',
}

export enum AlertOperator {
  GT = 'GT',
  GTE = 'GTE',
  LT = 'LT',
  LTE = 'LTE',
  EQ = 'EQ',
}

export enum AlertEventKind {
  TRIGGERED = 'TRIGGERED',
  REPEATED = 'REPEATED',
  RESOLVED = 'RESOLVED',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  ASSIGNED = 'ASSIGNED',
  SNOOZED = 'SNOOZED',
  COMMENTED = 'COMMENTED',
}

/** The kinds a rule produces; the others are operators' actions on incidents. */
export const RULE_EVENT_KINDS: readonly AlertEventKind[] = [AlertEventKind.TRIGGERED, AlertEventKind.REPEATED, AlertEventKind.RESOLVED];

export enum IncidentStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  RESOLVED = 'RESOLVED',
}

/** Areas computed over the calls of the last samplePeriod seconds. */
export const WINDOWED_AREAS: readonly AlertArea[] = [AlertArea.ASR, AlertArea.ACD, AlertArea.SPEND, AlertArea.CALL_COUNT];
/** Areas read from the customer row after every balance change. */
export const BALANCE_AREAS: readonly AlertArea[] = [AlertArea.BALANCE, AlertArea.AVAILABLE_CREDIT, AlertArea.ACCRUED_CHARGES];

export function isWindowed(area: AlertArea): boolean {
  return WINDOWED_AREAS.includes(area);
}

registerEnumType(AlertArea, {
  name: 'AlertArea',
  description:
    "What an alert watches.\nBALANCE, AVAILABLE_CREDIT, ACCRUED_CHARGES: the customer's current value, checked on every change.\nCALL_DURATION: each charged call's duration in seconds; every matching call fires.\nASR (answered/attempted, percent), ACD (mean answered duration, seconds), SPEND (sum of\ncharges) and CALL_COUNT (attempts): over the last samplePeriod seconds of calls, by start time.",
});
registerEnumType(AlertOperator, { name: 'AlertOperator' });
registerEnumType(AlertEventKind, {
  name: 'AlertEventKind',
  valuesConfig: {
    ACKNOWLEDGED: { description: 'An operator acknowledged the incident: no more REPEATED events or notifications for it.' },
    SNOOZED: { description: "REPEATED events and notifications are held until the incident's snoozedUntil, then resume." },
  },
});
registerEnumType(IncidentStatus, { name: 'IncidentStatus' });
