import { registerEnumType } from 'type-graphql';

/**
 * Kinds of customer notification. A customer class switches each kind on or off
 * for its customers; its notification template says what each kind's message reads.
 * STATUS_CHANGED is the operator's: the signed customer.status_changed webhook to the
 * settings' statusWebhookUrls, a fixed payload that no template or class changes.
 */
export enum NotificationKind {
  LOW_BALANCE = 'LOW_BALANCE',
  ZERO_BALANCE = 'ZERO_BALANCE',
  PAYMENT_RECEIVED = 'PAYMENT_RECEIVED',
  TRUNK_UPDATED = 'TRUNK_UPDATED',
  WELCOME = 'WELCOME',
  ALERT = 'ALERT',
  STATUS_CHANGED = 'STATUS_CHANGED',
}

/** The kinds a template writes and a class switches (every kind but STATUS_CHANGED). */
export type TemplatedKind = Exclude<NotificationKind, NotificationKind.STATUS_CHANGED>;

export function isTemplatedKind(kind: NotificationKind): kind is TemplatedKind {
  return kind !== NotificationKind.STATUS_CHANGED;
}

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description:
    'Kinds of customer notification. A customer class switches each kind on or off\nfor its customers; its notification template says what each kind\'s message reads.',
  valuesConfig: {
    STATUS_CHANGED: {
      description:
        "A customer's status changed: the signed customer.status_changed webhook to the settings' statusWebhookUrls (no template, not switched by classes).",
    },
  },
});
