import { registerEnumType } from 'type-graphql';

/**
 * Kinds of customer notification. A customer class switches each kind on or off
 * for its customers; its notification template says what each kind's message reads.
 */
export enum NotificationKind {
  LOW_BALANCE = 'LOW_BALANCE',
  ZERO_BALANCE = 'ZERO_BALANCE',
  PAYMENT_RECEIVED = 'PAYMENT_RECEIVED',
  TRUNK_UPDATED = 'TRUNK_UPDATED',
  WELCOME = 'WELCOME',
  ALERT = 'ALERT',
}

registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description:
    'Kinds of customer notification. A customer class switches each kind on or off\nfor its customers; its notification template says what each kind\'s message reads.',
});
