/**
 * AlertEventWriter: the only writer of alert_events. Stores a batch of events with one
 * INSERT, applies penalties with one UPDATE, and publishes after commit. It runs no
 * alert reaction: the caller's flow reacts once to everything its transaction did. The
 * suspensions its penalties cause are status changes, reported as such (customer-status.ts).
 */
import type { Queryable } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { Logger } from '../../platform/logger';
import { awaitEventsSettled } from './alert-event-order';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { CreatedAlertEvent } from './alert-event';
import type { AlertArea, AlertOperator } from './alert.enums';
import type { AlertEventRow } from './alert.rows';
import { renderAlertText } from './alert-text';
import { ALERT_EVENT } from './alert.topics';
import { CUSTOMER_STATUS_CHANGED } from '../customer/customer.topics';
import { countStatusChange, StatusChangeReason, statusChangeReturning, type CustomerStatusChanges, type StatusChangeRow } from '../customer/customer-status';

export interface EventDraft {
  kind: CreatedAlertEvent['kind'];
  definitionId: string;
  customerId: string;
  customerClassId: string | null;
  customerName: string;
  title: string;
  area: AlertArea;
  operator: AlertOperator;
  value: string;
  threshold: string;
  resetThreshold: string | null;
  /** Seconds of suspension; applied only to TRIGGERED events that are not tests. */
  penalty: number | null;
  isTest?: boolean;
  /** RESOLVED without crossing back (rule disabled, deleted, changed, out of scope): why, for the text. */
  resolvedBecause?: string | null;
}

/**
 * Stores the events and keeps their incidents, in one statement (the CDR path's statement
 * budget): each (rule, customer) with an unresolved incident has its last value (and, when
 * its last event is RESOLVED, its end) applied; a pair that TRIGGERED without one opens an
 * incident (the partial unique index alert_incidents_open_idx holds one unresolved incident
 * per pair; the caller holds the customers' locks, so no other writer races for it). Test events change no state, and CALL_DURATION fires per call with no
 * period to resolve: neither opens one. Each event joins its pair's incident. A pair is
 * evaluated once per pass, so a batch does not resolve and re-trigger the same pair.
 *
 * The events meet their incidents by one hash join (a pair has at most one unresolved
 * incident, so grouping by pair changes nothing but guarantees one row each). As a
 * sub-select per event, each event scanned every incident of the write: a rule change
 * that triggered 20,000 customers took 17.6 s in this statement (12.0 s to resolve them),
 * all of it with those customers locked, against 1.3 s and 1.5 s joined (2,000: 301 and
 * 251 ms against 185 and 114). Exported for its plan's test (test/e2e/alert-event-writer-plan.e2e.test.ts).
 */
export const ALERT_EVENTS_INSERT_SQL = `
WITH t AS (
  SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::text[],
                       $9::timestamptz[], $10::boolean[]) WITH ORDINALITY
           AS t(kind, definition_id, customer_id, area, value, threshold, subject, message, penalty_until, is_test, ord)
), pairs AS (
  SELECT definition_id, customer_id,
         (array_agg(kind ORDER BY ord DESC))[1] AS last_kind,
         (array_agg(value ORDER BY ord DESC))[1] AS last_value,
         (array_agg(value ORDER BY ord) FILTER (WHERE kind = 'TRIGGERED' AND area <> 'CALL_DURATION'))[1] AS opened_value
    FROM t WHERE NOT is_test GROUP BY definition_id, customer_id
), existing AS (
  SELECT i.id, i.definition_id, i.customer_id FROM alert_incidents i JOIN pairs p USING (definition_id, customer_id) WHERE i.status <> 'RESOLVED'
), opened AS (
  INSERT INTO alert_incidents (definition_id, customer_id, opened_value, last_value, status, resolved_at)
  SELECT p.definition_id, p.customer_id, p.opened_value, p.last_value,
         CASE WHEN p.last_kind = 'RESOLVED' THEN 'RESOLVED' ELSE 'OPEN' END, CASE WHEN p.last_kind = 'RESOLVED' THEN now() END
    FROM pairs p
   WHERE p.opened_value IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.definition_id = p.definition_id AND e.customer_id = p.customer_id)
      ON CONFLICT (definition_id, customer_id) WHERE status <> 'RESOLVED' DO NOTHING
  RETURNING id, definition_id, customer_id
), incidents AS (
  SELECT * FROM existing UNION ALL SELECT * FROM opened
), advanced AS (
  UPDATE alert_incidents i
     SET last_value = p.last_value,
         status = CASE WHEN p.last_kind = 'RESOLVED' THEN 'RESOLVED' ELSE i.status END,
         resolved_at = CASE WHEN p.last_kind = 'RESOLVED' THEN now() ELSE i.resolved_at END
    FROM existing e JOIN pairs p USING (definition_id, customer_id)
   WHERE i.id = e.id
  RETURNING i.id
)
INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, penalty_until, is_test, incident_id)
SELECT t.kind, t.definition_id, t.customer_id, t.area, t.value, t.threshold, t.subject, t.message, t.penalty_until, t.is_test,
       CASE WHEN NOT t.is_test THEN n.id END
  FROM t
  LEFT JOIN (SELECT definition_id, customer_id, min(id) AS id FROM incidents GROUP BY 1, 2) n
    ON n.definition_id = t.definition_id AND n.customer_id = t.customer_id
 ORDER BY t.ord
RETURNING id, tx::text AS tx, occurred_at, incident_id`;

/** An operator's event on one incident (ACKNOWLEDGED, ASSIGNED, SNOOZED, COMMENTED): value and threshold repeat the incident's. */
const INSERT_OPERATOR_SQL = `
INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, incident_id, actor, note)
SELECT $1, i.definition_id, i.customer_id, d.area, i.last_value, d.threshold, $2, $3, i.id, $4, $5
  FROM alert_incidents i JOIN alert_definitions d ON d.id = i.definition_id
 WHERE i.id = $6
RETURNING id, tx::text AS tx, kind, definition_id, customer_id, area, value, threshold, subject, message, penalty_until, is_test, occurred_at, incident_id, actor, note`;

/**
 * Suspends each penalised customer until the latest penalty end. INACTIVE customers
 * (switched off by an operator) and indefinite manual suspensions are left alone; a
 * timed suspension is extended (not a status change: only ACTIVE -> SUSPENDED counts).
 * The customers are locked already (by the ledger or the pass that raised the events);
 * `old` reads the status before the update for the change's report.
 */
const PENALTY_SQL = `
WITH p AS (
  SELECT customer_id, max(until) AS until FROM unnest($1::uuid[], $2::timestamptz[]) AS t(customer_id, until) GROUP BY customer_id
), old AS (
  SELECT c.id, c.status FROM customers c JOIN p ON p.customer_id = c.id ORDER BY c.id FOR NO KEY UPDATE OF c
)
UPDATE customers c
   SET status = 'SUSPENDED',
       suspended_until = CASE WHEN c.status = 'SUSPENDED' THEN greatest(c.suspended_until, p.until) ELSE p.until END,
       ${countStatusChange(`'SUSPENDED'`)},
       updated_at = now()
  FROM p JOIN old ON old.id = p.customer_id
 WHERE c.id = p.customer_id
   AND (c.status = 'ACTIVE' OR (c.status = 'SUSPENDED' AND c.suspended_until IS NOT NULL))
RETURNING ${statusChangeReturning('old.status')}`;

export interface WriteOptions {
  /**
   * Wait after commit until the events have settled (alert-event-order.ts) before the
   * caller answers and the events are published (default true), so a request that raised
   * events finds them in the lists it reads next. The CDR path passes false: a batch never
   * waits unless it asks for its events' cursors.
   */
  settle?: boolean;
}

export class AlertEventWriter {
  constructor(
    private readonly db: Queryable,
    private readonly events: EventBus,
    private readonly statusChanges: CustomerStatusChanges,
    private readonly logger?: Logger,
  ) {}

  async write(uow: UnitOfWork, drafts: EventDraft[], opts: WriteOptions = {}): Promise<CreatedAlertEvent[]> {
    if (drafts.length === 0) return [];
    // No lock: each row records its transaction's id (a column default), and readers order
    // by (tx, id) and show settled events only (alert-event-order.ts).
    const penalised = (d: EventDraft) => d.kind === 'TRIGGERED' && !!d.penalty && !d.isTest;
    // The transaction's time, read only when a penalty's end goes into the text.
    const now = drafts.some(penalised) ? (await uow.query<{ now: Date }>(`SELECT now() AS now`))[0].now : null;
    const prepared = drafts.map((d) => {
      const penaltyUntil = now && penalised(d) ? new Date(now.getTime() + d.penalty! * 1000) : null;
      return { ...d, penaltyUntil, ...renderAlertText({ ...d, penaltyUntil, test: d.isTest }) };
    });
    const rows = await uow.query<{ id: string; tx: string; occurred_at: Date; incident_id: string | null }>(ALERT_EVENTS_INSERT_SQL, [
      prepared.map((d) => d.kind),
      prepared.map((d) => d.definitionId),
      prepared.map((d) => d.customerId),
      prepared.map((d) => d.area),
      prepared.map((d) => d.value),
      prepared.map((d) => d.threshold),
      prepared.map((d) => d.subject),
      prepared.map((d) => d.message),
      prepared.map((d) => d.penaltyUntil),
      prepared.map((d) => d.isTest ?? false),
    ]);
    // RETURNING yields rows in insertion order, which the ORDER BY ord fixed.
    const created: CreatedAlertEvent[] = prepared.map((d, i) => ({
      id: String(rows[i].id),
      tx: rows[i].tx,
      definitionId: d.definitionId,
      customerId: d.customerId,
      kind: d.kind,
      area: d.area,
      value: d.value,
      threshold: d.threshold,
      subject: d.subject,
      message: d.message,
      penaltyUntil: d.penaltyUntil,
      occurredAt: rows[i].occurred_at,
      isTest: d.isTest ?? false,
      incidentId: rows[i].incident_id === null ? null : String(rows[i].incident_id),
    }));
    const penalties = prepared.filter((d) => d.penaltyUntil);
    const suspended = penalties.length
      ? await uow.query<StatusChangeRow>(PENALTY_SQL, [penalties.map((d) => d.customerId), penalties.map((d) => d.penaltyUntil)])
      : [];
    // ACTIVE -> SUSPENDED is reported (status webhooks, in this transaction); a longer
    // suspension is published too, for the status feed's suspendedUntil.
    await this.statusChanges.report(uow, suspended, StatusChangeReason.PENALTY);
    const extended = suspended.filter((s) => s.previous_status === s.status);
    const classOf = new Map(drafts.map((d) => [d.customerId, d.customerClassId]));
    uow.afterCommit(async () => {
      if (opts.settle !== false) await awaitEventsSettled(this.db, [created[0].tx], this.logger);
      await this.events.publishAll(
        CUSTOMER_STATUS_CHANGED,
        extended.map((s) => ({ customerId: s.customer_id, status: s.status })),
      );
      await this.events.publishAll(
        ALERT_EVENT,
        created.map((e) => ({ eventId: e.id, customerId: e.customerId, customerClassId: classOf.get(e.customerId) ?? null, definitionId: e.definitionId, kind: e.kind })),
      );
    });
    return created;
  }

  /**
   * Stores one operator event on an incident and publishes it after commit, like every
   * other event (same cursor order). It notifies no one: no reaction runs.
   */
  async writeOperator(uow: UnitOfWork, op: OperatorEventDraft): Promise<AlertEventRow> {
    const [row] = await uow.query<AlertEventRow & { customer_class_id?: string | null }>(INSERT_OPERATOR_SQL, [
      op.kind,
      op.subject,
      op.message,
      op.actor,
      op.note,
      op.incidentId,
    ]);
    uow.afterCommit(async () => {
      await awaitEventsSettled(this.db, [row.tx], this.logger);
      await this.events.publishAll(ALERT_EVENT, [
        { eventId: String(row.id), customerId: row.customer_id, customerClassId: op.customerClassId, definitionId: row.definition_id, kind: op.kind },
      ]);
    });
    return row;
  }
}

export interface OperatorEventDraft {
  kind: 'ACKNOWLEDGED' | 'ASSIGNED' | 'SNOOZED' | 'COMMENTED';
  incidentId: string;
  customerClassId: string | null;
  actor: string;
  note: string | null;
  subject: string;
  message: string;
}
