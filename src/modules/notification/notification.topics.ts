import { defineTopic } from '../../platform/pubsub/topic';

/** Wakes outbox workers on every instance; carries nothing, the rows are the work. */
export type NotificationsPendingPayload = Record<string, never>;

export const NOTIFICATIONS_PENDING = defineTopic<NotificationsPendingPayload>('NOTIFICATIONS_PENDING');
