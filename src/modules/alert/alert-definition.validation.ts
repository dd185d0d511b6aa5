/** Input rules of an alert definition that need no database (pure, typed errors). */
import { badInput } from '../../platform/common/errors';
import { capped, checkEmails, checkPhones, checkWebhookUrls } from '../../platform/common/recipients';
import { isWindowed } from './alert.enums';
import { resetOnNonTriggeringSide } from './alert-evaluator';
import type { AlertDefinitionInput } from './alert.inputs';

function positiveInt(value: number | null | undefined, field: string, min: number): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < min) throw badInput(`${field} must be a whole number of at least ${min}`, field);
}

/** maxRecipients: the cap of emails, phones and webhookUrls, each (MAX_RULE_RECIPIENTS). */
export function validateDefinitionInput(input: AlertDefinitionInput, maxRecipients: number): void {
  if (!input.title.trim()) throw badInput('title must not be empty', 'title');
  if (input.title.length > 200) throw badInput('title must be at most 200 characters', 'title');
  if (input.customerId && input.customerClassId) throw badInput('give customerId or customerClassId, not both', 'customerClassId');
  if (input.accountType && (input.customerId || input.customerClassId)) {
    throw badInput('accountType scopes rules with neither customerId nor customerClassId', 'accountType');
  }
  if (isWindowed(input.area)) {
    if (input.samplePeriod === null || input.samplePeriod === undefined) throw badInput(`${input.area} alerts need samplePeriod (seconds)`, 'samplePeriod');
  } else if (input.samplePeriod !== null && input.samplePeriod !== undefined) {
    throw badInput(`samplePeriod applies only to ASR, ACD, SPEND and CALL_COUNT alerts`, 'samplePeriod');
  }
  positiveInt(input.samplePeriod, 'samplePeriod', 1);
  positiveInt(input.minCalls, 'minCalls', 0);
  positiveInt(input.penalty, 'penalty', 1);
  positiveInt(input.repeatInterval, 'repeatInterval', 1);
  if (input.resetThreshold !== null && input.resetThreshold !== undefined && !resetOnNonTriggeringSide(input.operator, input.threshold, input.resetThreshold)) {
    throw badInput(`resetThreshold ${input.resetThreshold} would itself trigger ${input.operator} ${input.threshold}: it must lie on the other side or equal it`, 'resetThreshold');
  }
  capped(input.emails, 'emails', maxRecipients);
  capped(input.phones, 'phones', maxRecipients);
  capped(input.webhookUrls, 'webhookUrls', maxRecipients);
  checkEmails(input.emails, 'emails');
  checkPhones(input.phones, 'phones');
  checkWebhookUrls(input.webhookUrls, 'webhookUrls');
}
