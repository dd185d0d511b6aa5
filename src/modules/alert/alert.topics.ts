import { defineTopic } from '../../platform/pubsub/topic';

/** An alert event was committed; subscribers load it by id (Postgres is the truth). */
export interface AlertEventPayload {
  eventId: string;
  customerId: string;
  customerClassId: string | null;
  definitionId: string;
  kind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED' | 'ACKNOWLEDGED' | 'ASSIGNED' | 'SNOOZED' | 'COMMENTED';
}

export const ALERT_EVENT = defineTopic<AlertEventPayload>('ALERT_EVENT');
