/**
 * Every pub/sub topic and the JSON payload it carries. Payloads cross Redis as JSON,
 * so they hold only strings, numbers, booleans and nulls (dates as ISO strings,
 * money as decimal strings, ids as local ids).
 */
export enum Topic {
  BALANCE_CHANGED = 'BALANCE_CHANGED',
  CUSTOMER_STATUS_CHANGED = 'CUSTOMER_STATUS_CHANGED',
  ALERT_EVENT = 'ALERT_EVENT',
  API_KEY_REVOKED = 'API_KEY_REVOKED',
  NOTIFICATIONS_PENDING = 'NOTIFICATIONS_PENDING',
}

export interface BalanceChangedPayload {
  ledgerId: string;
  customerId: string;
  previousBalance: string;
  balance: string;
  delta: string;
  reason: 'CDR_CHARGES' | 'PAYMENT' | 'ADJUSTMENT' | 'RESET';
  occurredAt: string;
}

export interface CustomerStatusChangedPayload {
  customerId: string;
  status: 'ACTIVE' | 'INACTIVE' | 'SUSPENDED';
}

/** An alert event was committed; subscribers load it by id (Postgres is the truth). */
export interface AlertEventPayload {
  eventId: string;
  customerId: string;
  customerClassId: string | null;
  definitionId: string;
  kind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED';
}

export interface ApiKeyRevokedPayload {
  apiKeyId: string;
}

/** Wakes outbox workers on every instance; carries nothing, the rows are the work. */
export type NotificationsPendingPayload = Record<string, never>;

export interface TopicPayloads {
  [Topic.BALANCE_CHANGED]: BalanceChangedPayload;
  [Topic.CUSTOMER_STATUS_CHANGED]: CustomerStatusChangedPayload;
  [Topic.ALERT_EVENT]: AlertEventPayload;
  [Topic.API_KEY_REVOKED]: ApiKeyRevokedPayload;
  [Topic.NOTIFICATIONS_PENDING]: NotificationsPendingPayload;
}
