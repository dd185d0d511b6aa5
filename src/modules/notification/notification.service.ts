/**
 * The delivery log (queries), the explicit send and retry operations, and the hook
 * reactions that enqueue messages in the transaction of the change that caused them.
 */
import { badInput, conflict, notFound } from '../../platform/common/errors';
import { fromGlobalId, toGlobalId } from '../../platform/common/global-id';
import { Keyset, LOG_COUNT, type PageArgs } from '../../platform/common/keyset';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { RequestContext } from '../../platform/graphql/context';
import { NotificationKind } from '../notification-template/notification-kind';
import { enqueue, notificationColumns, type NotificationRow } from './notification-outbox';
import type { CreatedAlertEvent } from '../alert/alert-event';
import type { AppliedBalanceChange } from '../balance/balance-change';
import type { CustomerStatusChange } from '../customer/customer-status';
import type { TrunkChange } from '../trunk/trunk-change';
import { currentView, customerMessages, loadCustomerRows, onBalanceAndAlerts, onTrunkChanged } from './notification-reactions';
import { lowBalanceReminderMessages, type LowBalanceReminderDue } from './low-balance-reminders';
import { statusWebhookMessages } from './status-webhooks';
import type { NotificationFilter } from './notification.inputs';
import { NotificationConnection, NotificationType } from './notification.type';
import { renderDraft, type OutboxMessage } from './template-selection';
import { receiverSecret } from './webhook-signature';
import { renderLimits, type RenderLimits } from './notification-renderer';
import { NOTIFICATIONS_PENDING } from './notification.topics';

/** Kinds an operator may send by hand; the others are sent by the events they describe. */
const SENDABLE = new Set([NotificationKind.WELCOME, NotificationKind.LOW_BALANCE, NotificationKind.ZERO_BALANCE]);

/**
 * What a CUSTOMER key may see of its customer's delivery log: the messages addressed to
 * the customer. An alert event is also sent to its rule's emails, phones and webhook URLs
 * (operator staff, webhook tokens): those rows carry the customer's id but are not its
 * data. Of an alert, the customer receives only the email to its NOC address and the SMS
 * to its phone. Status webhooks (STATUS_CHANGED) go to the operator's switches: not the
 * customer's either.
 */
const ADDRESSED_TO_CUSTOMER = `(kind <> 'STATUS_CHANGED' AND (alert_event_id IS NULL OR EXISTS (
  SELECT 1 FROM customers c WHERE c.id = notifications.customer_id
     AND ((channel = 'EMAIL' AND recipient = btrim(c.noc_email)) OR (channel = 'SMS' AND recipient = c.phone)))))`;

/**
 * Newest first; the id is the key. Qualified: ORDER BY takes a bare `id` for the output
 * column, which notificationColumns() writes as text (id 9 would sort after 10).
 */
const NEWEST_FIRST = new Keyset([{ sql: 'notifications.id', type: 'bigint' }], 'DESC');

export class NotificationService {
  private readonly limits: RenderLimits;

  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly config: Config,
  ) {
    this.limits = renderLimits(config);
  }

  /** The secret that signs every webhook to this URL (for the receiver to verify with); ADMIN only (resolver). */
  webhookSigningSecret(_ctx: RequestContext, url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badInput('url is not a URL', 'url');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw badInput('url must be an http(s) URL', 'url');
    return receiverSecret(this.config.webhookSecret, url);
  }

  /** Enqueues messages in the caller's transaction (hook handlers use it). */
  enqueue(uow: UnitOfWork, messages: OutboxMessage[]): Promise<NotificationRow[]> {
    return enqueue(uow, this.events, messages);
  }

  /** In-transaction reaction: queues what balance changes and alert events say (see onBalanceAndAlerts). */
  async onBalanceAndAlerts(uow: UnitOfWork, changes: AppliedBalanceChange[], events: CreatedAlertEvent[]): Promise<void> {
    if (changes.length === 0 && events.length === 0) return;
    await this.enqueue(uow, await onBalanceAndAlerts(uow, changes, events));
  }

  /** In-transaction reaction: queues the customer.status_changed webhooks of status changes. */
  async onStatusChanged(uow: UnitOfWork, changes: CustomerStatusChange[]): Promise<void> {
    if (changes.length) await this.enqueue(uow, await statusWebhookMessages(uow, changes));
  }

  /** In-transaction reaction: queues TRUNK_UPDATED notices. */
  async onTrunkChanged(uow: UnitOfWork, changes: TrunkChange[]): Promise<void> {
    if (changes.length) await this.enqueue(uow, await onTrunkChanged(uow, changes));
  }

  /** Queues the reminder job's LOW_BALANCE reminders in its transaction. */
  async onLowBalanceReminders(uow: UnitOfWork, due: LowBalanceReminderDue[]): Promise<void> {
    if (due.length) await this.enqueue(uow, await lowBalanceReminderMessages(uow, due));
  }

  async list(ctx: RequestContext, filter: NotificationFilter, args: PageArgs): Promise<NotificationConnection> {
    const page = NEWEST_FIRST.request(args);
    const where = new SqlWhere();
    if (filter.customerId) {
      const local = fromGlobalId('Customer', filter.customerId);
      if (!ctx.canSeeCustomer(local)) throw notFound('Customer', filter.customerId);
      where.add((p) => `customer_id = ${p}`, local);
    }
    if (ctx.customerScope !== undefined) where.add((p) => `customer_id = ${p} AND ${ADDRESSED_TO_CUSTOMER}`, ctx.customerScope);
    if (filter.kind?.length) where.add((p) => `kind = ANY(${p}::text[])`, filter.kind);
    if (filter.channel?.length) where.add((p) => `channel = ANY(${p}::text[])`, filter.channel);
    if (filter.status?.length) where.add((p) => `status = ANY(${p}::text[])`, filter.status);
    return NEWEST_FIRST.list(this.db, { select: notificationColumns(), from: 'FROM notifications', where, ...page, map: NotificationType.from, count: LOG_COUNT });
  }

  async findById(ctx: RequestContext, localId: string): Promise<NotificationType | null> {
    const scoped = ctx.customerScope !== undefined;
    const rows = await this.db.query<NotificationRow>(
      `SELECT ${notificationColumns()} FROM notifications WHERE id = $1${scoped ? ` AND customer_id = $2 AND ${ADDRESSED_TO_CUSTOMER}` : ''}`,
      scoped ? [localId, ctx.customerScope] : [localId],
    );
    const row = rows[0];
    if (!row) return null;
    return NotificationType.from(row);
  }

  /**
   * Sends one message of a kind to a customer now, by email and to its phone. Honours the
   * same switches as the automatic messages: a customer with notifications off, whose
   * class has no template or does not enable the kind, gets nothing (the answer is an
   * empty list). The messages are rendered here, outside any transaction, so the answer
   * shows their subject and body.
   */
  async send(ctx: RequestContext, customerId: string, kind: NotificationKind): Promise<NotificationType[]> {
    const local = fromGlobalId('Customer', customerId);
    if (!SENDABLE.has(kind)) {
      throw badInput(`${kind} notifications are sent by the events they report; send ${[...SENDABLE].join(', ')} by hand`, 'kind');
    }
    const customer = (await loadCustomerRows(this.db, [local])).get(local);
    if (!customer || !ctx.canSeeCustomer(local)) throw notFound('Customer', customerId);
    if (!customer.billing_email?.trim() && !customer.main_email?.trim() && !customer.phone) {
      throw badInput('the customer has neither a billing nor a main email, nor a phone', 'customerId');
    }
    const drafts = customerMessages(customer, currentView(kind, customer));
    if (drafts.length === 0) return [];
    const messages = drafts.map((draft) => renderDraft(draft, this.limits));
    const rows = await this.db.transaction((uow) => this.enqueue(uow, messages));
    return rows.map(NotificationType.from);
  }

  /**
   * Queues a FAILED notification again: PENDING, due now, attempts reset to 0 so it
   * gets the full number of attempts; last_error stays until the next outcome.
   */
  async retry(ctx: RequestContext, id: string): Promise<NotificationType> {
    const local = fromGlobalId('Notification', id);
    const existing = await this.findById(ctx, local);
    if (!existing) throw notFound('Notification', id);
    const rows = await this.db.transaction(async (uow) => {
      const updated = await uow.query<NotificationRow>(
        `UPDATE notifications SET status = 'PENDING', attempts = 0, next_attempt_at = now()
          WHERE id = $1 AND status = 'FAILED' RETURNING ${notificationColumns()}`,
        [local],
      );
      if (updated.length) uow.afterCommit(() => this.events.publish(NOTIFICATIONS_PENDING, {}));
      return updated;
    });
    if (!rows.length) throw conflict(`only FAILED notifications can be retried; ${toGlobalId('Notification', local)} is ${existing.status}`);
    return NotificationType.from(rows[0]);
  }
}
