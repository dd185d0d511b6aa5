/**
 * The outbox table's SQL: enqueue rows inside the causing transaction, claim due rows
 * for delivery (FOR UPDATE SKIP LOCKED, so instances never claim the same row), and
 * record each outcome. A claim leases the row: next_attempt_at moves past the
 * delivery timeout and attempts is counted up front, so a process killed mid-delivery
 * leaves a row that becomes due again when the lease runs out (at-least-once for that
 * in-flight message), while a row recorded SENT is never claimed again. Rows are
 * enqueued as drafts and rendered by the worker that claims them (storeRendered).
 */
import { storableText } from '../../platform/common/unsafe-text';
import type { Database } from '../../platform/db/database';
import { preparedSql } from '../../platform/db/prepared-sql';
import { TxState, type UnitOfWork } from '../../platform/db/unit-of-work';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { NotificationDraft, OutboxMessage } from './template-selection';
import { NOTIFICATIONS_PENDING } from './notification.topics';

/** A notification row as the service and the workers read it. */
export interface NotificationRow {
  id: string;
  kind: string;
  channel: 'EMAIL' | 'SMS' | 'WEBHOOK';
  recipient: string;
  subject: string;
  body: string;
  bcc: string[];
  payload: object | null;
  /** Set until rendered (see template-selection.ts). */
  draft: NotificationDraft | null;
  status: 'PENDING' | 'SENT' | 'FAILED';
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  webhook_id: string;
  customer_id: string | null;
  alert_event_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/** The select list of a NotificationRow, columns qualified by `alias` when given. */
export function notificationColumns(alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return [
    `${p}id::text AS id`,
    ...['kind', 'channel', 'recipient', 'subject', 'body', 'bcc', 'payload', 'draft', 'status', 'attempts', 'last_error', 'next_attempt_at', 'webhook_id', 'customer_id'].map((c) => p + c),
    `${p}alert_event_id::text AS alert_event_id`,
    `${p}created_at`,
    `${p}sent_at`,
  ].join(', ');
}

/** Whether this transaction has already scheduled the outbox wake-up. */
const WAKE_SCHEDULED = new TxState('outbox wake-up scheduled', () => ({ scheduled: false }));

/**
 * Inserts the messages in one statement, in the caller's transaction; after commit,
 * wakes the workers of every instance once (only when something is PENDING).
 */
export async function enqueue(uow: UnitOfWork, events: EventBus, messages: OutboxMessage[]): Promise<NotificationRow[]> {
  if (messages.length === 0) return [];
  const rows = await uow.query<NotificationRow>(
    `INSERT INTO notifications (kind, channel, recipient, subject, body, bcc, payload, draft, status, last_error, customer_id, alert_event_id)
     SELECT r.kind, r.channel, r.recipient, r.subject, r.body, r.bcc, r.payload, r.draft, r.status, r."lastError", r."customerId", r."alertEventId"
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(value, ord),
            jsonb_to_record(e.value)
         AS r(kind text, channel text, recipient text, subject text, body text, bcc text[], payload jsonb, draft jsonb,
              status text, "lastError" text, "customerId" uuid, "alertEventId" bigint)
      ORDER BY e.ord
     RETURNING ${notificationColumns()}`,
    [JSON.stringify(messages)],
  );
  if (messages.some((m) => m.status === 'PENDING') && !uow.state(WAKE_SCHEDULED).scheduled) {
    uow.state(WAKE_SCHEDULED).scheduled = true;
    uow.afterCommit(() => events.publish(NOTIFICATIONS_PENDING, {}));
  }
  return rows;
}

/** Claims up to `limit` due rows, leasing them for `leaseMs`; attempts counts this one. */
export function claimDue(db: Database, limit: number, leaseMs: number): Promise<NotificationRow[]> {
  return db.query<NotificationRow>(CLAIM_DUE_SQL, [limit, leaseMs]);
}

/** Every instance's dispatcher runs it every pass: named, it is not parsed and planned each time. */
const CLAIM_DUE_SQL = preparedSql('notification.claim-due', `
UPDATE notifications n
   SET attempts = n.attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
  FROM (SELECT id FROM notifications
         WHERE status = 'PENDING' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED) due
 WHERE n.id = due.id
RETURNING ${notificationColumns('n')}`);

/** The outcome of rendering one claimed draft: its content, or the render error. */
export type RenderOutcome = { id: string; attempts: number } & ({ subject: string; body: string; bcc: string[]; payload: object | null } | { error: string });

/**
 * Stores rendered drafts of claims still held (id, attempts) in one statement; returns
 * the ids stored. A draft that failed to render is FAILED with the error, keeps its
 * draft (a retry renders again) and does not count the claim as a delivery attempt
 * (none was made).
 */
export async function storeRendered(db: Database, outcomes: RenderOutcome[]): Promise<Set<string>> {
  if (outcomes.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `UPDATE notifications n
        SET subject = COALESCE(r.subject, ''), body = COALESCE(r.body, ''), bcc = COALESCE(r.bcc, '{}'), payload = r.payload,
            draft = CASE WHEN r.error IS NULL THEN NULL ELSE n.draft END,
            status = CASE WHEN r.error IS NULL THEN n.status ELSE 'FAILED' END,
            attempts = CASE WHEN r.error IS NULL THEN n.attempts ELSE n.attempts - 1 END,
            last_error = CASE WHEN r.error IS NULL THEN n.last_error ELSE r.error END
       FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, attempts integer, subject text, body text, bcc text[], payload jsonb, error text)
      WHERE n.id = r.id AND n.attempts = r.attempts AND n.status = 'PENDING' AND n.draft IS NOT NULL
      RETURNING n.id::text AS id`,
    [JSON.stringify(outcomes.map((o) => ('error' in o ? { ...o, error: o.error.slice(0, 2000) } : o)))],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Records an outcome of the claim identified by (id, attempts). A worker whose lease
 * ran out and whose row another worker re-claimed matches nothing and changes nothing.
 */
export async function recordSent(db: Database, row: NotificationRow): Promise<boolean> {
  const r = await db.query(
    `UPDATE notifications SET status = 'SENT', sent_at = now(), last_error = NULL
      WHERE id = $1 AND attempts = $2 AND status = 'PENDING' RETURNING id`,
    [row.id, row.attempts],
  );
  return r.length === 1;
}

/**
 * Records a failed attempt: FAILED when permanent or out of attempts, otherwise
 * PENDING again after backoffMs * 2^(attempts-1).
 */
export async function recordFailure(
  db: Database,
  row: NotificationRow,
  error: string,
  opts: { permanent: boolean; maxAttempts: number; backoffMs: number },
): Promise<'FAILED' | 'PENDING' | 'STALE'> {
  const final = opts.permanent || row.attempts >= opts.maxAttempts;
  const delayMs = opts.backoffMs * 2 ** Math.min(row.attempts - 1, 30);
  const r = await db.query<{ status: 'FAILED' | 'PENDING' }>(
    `UPDATE notifications
        SET status = $3, last_error = $4,
            next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + make_interval(secs => $5::double precision / 1000) ELSE next_attempt_at END
      WHERE id = $1 AND attempts = $2 AND status = 'PENDING' RETURNING status`,
    [row.id, row.attempts, final ? 'FAILED' : 'PENDING', storableText(error.slice(0, 2000)), delayMs],
  );
  return r[0]?.status ?? 'STALE';
}
