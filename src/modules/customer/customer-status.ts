/**
 * Customer status changes, whoever makes them (an operator, an alert penalty or its end,
 * a low-balance reminder): every statement that changes customers.status counts the
 * change in status_sequence (countStatusChange) and returns statusChangeReturning(), and its
 * rows go through CustomerStatusChanges.report() in the same transaction. That publishes
 * CUSTOMER_STATUS_CHANGED after commit and runs the CustomerStatusChangedReaction
 * (src/app/reactions.ts: the status webhooks are queued in the outbox, so they exist
 * exactly when the change does). A plain change ("set these customers to this status")
 * is CustomerStatusChanges.set(); a change with its own conditions (a penalty extends a
 * timed suspension, the expiry claims due rows) writes its own UPDATE with the two pieces
 * below and reports its rows.
 */
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { CustomerStatus } from './customer.enums';
import { CUSTOMER_COLUMNS, type CustomerRow } from './customer.type';
import { CUSTOMER_STATUS_CHANGED } from './customer.topics';

/** Why a customer's status changed (the status webhook's `reason`). */
export enum StatusChangeReason {
  /** setCustomerStatus. */
  OPERATOR = 'OPERATOR',
  /** An alert rule's penalty suspended the customer. */
  PENALTY = 'PENALTY',
  /** The penalty's suspension ended. */
  PENALTY_EXPIRED = 'PENALTY_EXPIRED',
  /** Low-balance reminders: suspended after N days below the threshold. */
  REMINDER = 'REMINDER',
  /** Low-balance reminders: the balance is back at the threshold (a payment or adjustment, or a lower threshold), ending the reminders' suspension. */
  REMINDER_LIFTED = 'REMINDER_LIFTED',
  /** An operator ended a penalty early (liftPenalty). */
  PENALTY_LIFTED = 'PENALTY_LIFTED',
}

/** One committed change of one customer's status (ids local). */
export interface CustomerStatusChange {
  customerId: string;
  status: CustomerStatus;
  previousStatus: CustomerStatus;
  reason: StatusChangeReason;
  /** The customer's status_sequence after this change: grows by one with every change of that customer. */
  sequence: number;
  suspendedUntil: Date | null;
  changedAt: Date;
}

/** Runs in the transaction of the changes, after they were written (the customers stay locked). */
export type CustomerStatusChangedReaction = (uow: UnitOfWork, changes: CustomerStatusChange[]) => Promise<void>;

/**
 * The SET piece of a status UPDATE over `customers c`: counts the change when the new
 * status (`status`, SQL) differs from the old (SET reads the row as it was).
 */
export function countStatusChange(status: string): string {
  return `status_sequence = c.status_sequence + (c.status IS DISTINCT FROM ${status})::int`;
}

/** What a status UPDATE returns; `previous` is the SQL of the status before it (from a locked CTE: RETURNING sees only the new row). */
export function statusChangeReturning(previous: string): string {
  return `c.id AS customer_id, c.status, ${previous} AS previous_status, c.status_sequence::text AS status_sequence, c.suspended_until, now() AS changed_at`;
}

/** A row of statusChangeReturning(). */
export interface StatusChangeRow {
  customer_id: string;
  status: CustomerStatus;
  previous_status: CustomerStatus;
  status_sequence: string;
  suspended_until: Date | null;
  changed_at: Date;
}

/** One customer's new status for CustomerStatusChanges.set(). */
export interface StatusTarget {
  customerId: string;
  status: CustomerStatus;
  /** SUSPENDED: when the suspension ends by itself (null: when someone lifts it); otherwise null. */
  suspendedUntil: Date | null;
}

const SET_STATUS_SQL = `
WITH t AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS t(id, status, suspended_until)
), old AS (
  SELECT c.id, c.status FROM customers c JOIN t ON t.id = c.id ORDER BY c.id FOR NO KEY UPDATE OF c
)
UPDATE customers c
   SET status = t.status, suspended_until = t.suspended_until, ${countStatusChange('t.status')}, updated_at = now()
  FROM t JOIN old ON old.id = t.id
 WHERE c.id = t.id
RETURNING ${CUSTOMER_COLUMNS}, c.id AS customer_id, old.status AS previous_status, c.status_sequence::text AS status_sequence, now() AS changed_at`;

export class CustomerStatusChanges {
  constructor(
    private readonly events: EventBus,
    private readonly reaction: CustomerStatusChangedReaction,
  ) {}

  /**
   * Sets each target's status and suspension in one statement (locking the customers in
   * id order) and reports the changes. Returns every target's row, changed or not; an
   * unknown id has no row. A customer named twice takes its last target.
   */
  async set(uow: UnitOfWork, targets: StatusTarget[], reason: StatusChangeReason): Promise<(CustomerRow & StatusChangeRow)[]> {
    if (targets.length === 0) return [];
    const last = [...new Map(targets.map((t) => [t.customerId, t])).values()];
    const rows = await uow.query<CustomerRow & StatusChangeRow>(SET_STATUS_SQL, [
      last.map((t) => t.customerId),
      last.map((t) => t.status),
      last.map((t) => t.suspendedUntil),
    ]);
    await this.report(uow, rows, reason);
    return rows;
  }

  /**
   * Reports the rows a status UPDATE returned: those whose status changed are published
   * after commit and handed to the reaction, in this transaction. Returns them.
   */
  async report(uow: UnitOfWork, rows: StatusChangeRow[], reason: StatusChangeReason): Promise<CustomerStatusChange[]> {
    const changes = rows
      .filter((r) => r.status !== r.previous_status)
      .map((r) => ({
        customerId: r.customer_id,
        status: r.status,
        previousStatus: r.previous_status,
        reason,
        sequence: Number(r.status_sequence),
        suspendedUntil: r.suspended_until,
        changedAt: r.changed_at,
      }));
    if (changes.length === 0) return [];
    uow.afterCommit(() => this.events.publishAll(CUSTOMER_STATUS_CHANGED, changes.map((c) => ({ customerId: c.customerId, status: c.status }))));
    await this.reaction(uow, changes);
    return changes;
  }
}
