/** Which operator recipients an alert rule's messages go to. */

/** Recipients of one rule's messages (or the settings' defaults). */
export interface Recipients {
  emails: readonly string[];
  phones: readonly string[];
  webhookUrls: readonly string[];
}

/**
 * A rule that names no recipient of its own (no email, phone or webhook URL) sends to
 * the settings' alert recipients: the customers' built-in triggers have none and cannot
 * be edited, and an operator adding a rule need not repeat the NOC's addresses on each.
 * A rule that names any recipient sends to its own only. (notifyCustomer is the
 * customer's NOC address, not an operator recipient: it does not count.)
 */
export function alertRecipients(own: Recipients, defaults: Recipients): Recipients {
  return own.emails.length + own.phones.length + own.webhookUrls.length > 0 ? own : defaults;
}
