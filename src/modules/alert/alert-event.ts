/** An alert event as the rest of the application sees it, and the reaction to new ones (wired in src/app/reactions.ts). */
import type { UnitOfWork } from '../../platform/db/unit-of-work';

/** An alert event row just written (ids are local). */
export interface CreatedAlertEvent {
  id: string;
  /** The writing transaction's id: with id, the event's place in the order (alert-event-order.ts). */
  tx: string;
  definitionId: string;
  customerId: string;
  kind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED';
  area: string;
  value: string;
  threshold: string;
  subject: string;
  message: string;
  penaltyUntil: Date | null;
  occurredAt: Date;
  isTest: boolean;
  /** The incident it belongs to (null for tests and per-call CALL_DURATION events). */
  incidentId?: string | null;
}

/**
 * Runs after alert events were written by a scheduled pass (windows, repeats) or a
 * delivered test, in its transaction. Events raised by a balance change or a CDR batch
 * are part of that change's own reaction instead, so each transaction reacts once.
 */
export type AlertEventsReaction = (uow: UnitOfWork, events: CreatedAlertEvent[]) => Promise<void>;

/** What the alerts do with a CDR batch: the events it raised (CdrBatchResult.alertEvents reads them). */
export interface CdrBatchAlerts {
  alertEvents: CreatedAlertEvent[];
}
