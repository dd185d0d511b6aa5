/** Input rules of updateSettings that need no database (pure, typed errors). */
import { badInput } from '../../platform/common/errors';
import { capped, checkEmails, checkPhones, checkWebhookUrls } from '../../platform/common/recipients';
import { ianaTimeZone } from '../../platform/common/time-zone';
import type { AddressPolicy } from '../../platform/http/outbound-http';
import type { SettingsInput } from './settings.inputs';

export interface SettingsRules {
  /** Entries per list (MAX_RULE_RECIPIENTS): every alert fans out to each. */
  maxRecipients: number;
  /** The outbound address policy: a webhook URL no delivery may reach is refused when saved. */
  policy: AddressPolicy;
}

/** Entries trimmed, repeats dropped (a repeated recipient would get every message twice). */
function cleanList(list: string[] | null | undefined, field: string): string[] | undefined {
  if (list === undefined) return undefined;
  if (list === null) throw badInput(`${field} cannot be null: give [] to remove every entry`, field);
  return [...new Set(list.map((e) => e.trim()))];
}

/**
 * The columns to write: only the fields given (undefined: unchanged). Checks everything
 * before anything is written, so a refused input changes nothing.
 */
export function settingsColumns(input: SettingsInput, rules: SettingsRules): Record<string, unknown> {
  const emails = cleanList(input.alertEmails, 'alertEmails');
  const phones = cleanList(input.alertPhones, 'alertPhones');
  const alertUrls = cleanList(input.alertWebhookUrls, 'alertWebhookUrls');
  const statusUrls = cleanList(input.statusWebhookUrls, 'statusWebhookUrls');
  capped(emails, 'alertEmails', rules.maxRecipients);
  capped(phones, 'alertPhones', rules.maxRecipients);
  capped(alertUrls, 'alertWebhookUrls', rules.maxRecipients);
  capped(statusUrls, 'statusWebhookUrls', rules.maxRecipients);
  checkEmails(emails, 'alertEmails');
  checkPhones(phones, 'alertPhones');
  checkWebhookUrls(alertUrls, 'alertWebhookUrls', rules.policy);
  checkWebhookUrls(statusUrls, 'statusWebhookUrls', rules.policy);
  if (input.timeZone === null) throw badInput('timeZone cannot be null', 'timeZone');
  return {
    alert_emails: emails,
    alert_phones: phones,
    alert_webhook_urls: alertUrls,
    status_webhook_urls: statusUrls,
    time_zone: input.timeZone === undefined ? undefined : ianaTimeZone(input.timeZone, 'timeZone'),
  };
}
