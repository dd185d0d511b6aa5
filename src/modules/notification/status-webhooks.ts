/**
 * The customer.status_changed webhook: every status change goes to each of the settings'
 * statusWebhookUrls (a switch blocks or unblocks the account), queued in the outbox in
 * the transaction of the change, signed at delivery like every webhook
 * (webhook-signature.ts). The payload is fixed (no template): a receiver parses it.
 * Deliveries are retried one by one, so they can arrive out of order: `sequence` grows
 * by one with every change of that customer, and a receiver drops a message whose
 * sequence is not above the last it applied for the customer.
 */
import { toGlobalId } from '../../platform/common/global-id';
import type { Queryable } from '../../platform/db/sql';
import type { CustomerStatusChange } from '../customer/customer-status';
import { NotificationKind } from '../notification-template/notification-kind';
import { currentSettings } from '../settings/settings.service';
import type { OutboxMessage } from './template-selection';

/** The webhook's body (Standard Webhooks shape: type, timestamp, data). */
export interface StatusWebhookPayload {
  type: 'customer.status_changed';
  timestamp: string;
  data: {
    customerId: string;
    status: string;
    previousStatus: string;
    reason: string;
    sequence: number;
    suspendedUntil: string | null;
    changedAt: string;
  };
}

export function statusWebhookPayload(change: CustomerStatusChange): StatusWebhookPayload {
  const changedAt = change.changedAt.toISOString();
  return {
    type: 'customer.status_changed',
    timestamp: changedAt,
    data: {
      customerId: toGlobalId('Customer', change.customerId),
      status: change.status,
      previousStatus: change.previousStatus,
      reason: change.reason,
      sequence: change.sequence,
      suspendedUntil: change.suspendedUntil ? change.suspendedUntil.toISOString() : null,
      changedAt,
    },
  };
}

/** The outbox rows of these changes: one per change and status webhook URL (none when the settings name no URL). */
export async function statusWebhookMessages(q: Queryable, changes: CustomerStatusChange[]): Promise<OutboxMessage[]> {
  if (changes.length === 0) return [];
  const urls = (await currentSettings(q)).status_webhook_urls;
  return changes.flatMap((change) => {
    const payload = statusWebhookPayload(change);
    // What the delivery log shows; the receiver gets the payload.
    const line = `${payload.data.customerId} ${change.previousStatus} -> ${change.status} (${change.reason}, sequence ${change.sequence})`;
    return urls.map(
      (url): OutboxMessage => ({
        kind: NotificationKind.STATUS_CHANGED,
        channel: 'WEBHOOK',
        recipient: url,
        subject: `customer.status_changed: ${line}`,
        body: line,
        bcc: [],
        payload,
        status: 'PENDING',
        lastError: null,
        customerId: change.customerId,
        alertEventId: null,
        draft: null,
      }),
    );
  });
}
