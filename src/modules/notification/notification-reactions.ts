/**
 * What the domain's changes say to customers and NOC staff: turns the reactions'
 * payloads (balance changes, trunk changes, alert events) into outbox rows, set-based (one
 * query per kind of data per batch), inside the transaction of the change. The rows
 * are drafts (template and view): rendering happens at delivery, so a slow or failing
 * template never holds or fails the transaction (a CDR batch, a payment).
 */
import { dec, normaliseDecimal } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import type { Queryable } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { CreatedAlertEvent } from '../alert/alert-event';
import { AlertArea, BALANCE_AREAS } from '../alert/alert.enums';
import type { AppliedBalanceChange } from '../balance/balance-change';
import type { TrunkChange } from '../trunk/trunk-change';
import { isTemplatedKind, NotificationKind } from '../notification-template/notification-kind';
import { alertRecipients } from '../settings/default-recipients';
import { customerRecipient, customerTemplate, draftMessage, messageFor, type OutboxMessage } from './template-selection';
import { baseView, type AlertView, type BalanceView, type BaseView, type CustomerRow, type PaymentView, type StoredMessage, type TrunkView } from './notification-view';

/** Areas whose values are money (formatted with {{money}} in the built-in ALERT text). */
const MONEY_AREAS = new Set<string>([...BALANCE_AREAS, AlertArea.SPEND]);

/** Customers with their class switches, class template and time zone (theirs, else the settings'), by local id. */
export async function loadCustomerRows(uow: Queryable, ids: string[]): Promise<Map<string, CustomerRow>> {
  if (ids.length === 0) return new Map();
  const rows = await uow.query<CustomerRow>(
    `SELECT c.id, c.name, c.company, c.type, c.status, c.terms, c.balance, c.credit_limit, c.accrued_charges,
            c.low_balance_threshold, c.main_email, c.billing_email, c.noc_email, c.phone, c.notifications_enabled,
            c.customer_class_id, cc.enabled_notifications, cc.notification_template_id AS class_template_id, t.messages AS template_messages,
            coalesce(c.time_zone, s.time_zone, 'UTC') AS time_zone
       FROM customers c
       LEFT JOIN customer_classes cc ON cc.id = c.customer_class_id
       LEFT JOIN notification_templates t ON t.id = cc.notification_template_id
       LEFT JOIN settings s ON true
      WHERE c.id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The balance kinds a change causes: LOW_BALANCE when it crosses below the threshold
 * (from >= threshold to < threshold), ZERO_BALANCE when it crosses to 0 or below (from
 * > 0), PAYMENT_RECEIVED for every payment. Staying below sends nothing again.
 */
export function balanceKinds(change: Pick<AppliedBalanceChange, 'previousBalance' | 'balance' | 'reason'>, threshold: string | null): NotificationKind[] {
  const prev = dec(change.previousBalance);
  const now = dec(change.balance);
  const kinds: NotificationKind[] = [];
  if (threshold !== null && prev.gte(threshold) && now.lt(threshold)) kinds.push(NotificationKind.LOW_BALANCE);
  if (prev.gt(0) && now.lte(0)) kinds.push(NotificationKind.ZERO_BALANCE);
  if (change.reason === 'PAYMENT') kinds.push(NotificationKind.PAYMENT_RECEIVED);
  return kinds;
}

/**
 * A customer-kind message (drafts) to the customer's billing (or main) email and, as SMS,
 * to its phone, when its switches allow the kind; none when they do not.
 */
export function customerMessages(customer: CustomerRow, view: { kind: NotificationKind } & object): OutboxMessage[] {
  const template = customer.notifications_enabled && isTemplatedKind(view.kind) ? customerTemplate(customer, view.kind) : null;
  if (!template) return [];
  const refs = { customerId: customer.id };
  const out: OutboxMessage[] = [];
  const email = customerRecipient(customer);
  if (email) out.push(draftMessage(template, view, 'EMAIL', email, refs));
  if (customer.phone) out.push(draftMessage(template, view, 'SMS', customer.phone, refs));
  return out;
}

/** What LOW_BALANCE and ZERO_BALANCE may truthfully say of a balance: below the customer's threshold (none set: no), at or below zero. */
function balanceFacts(balance: string, lowBalanceThreshold: string | null): { belowThreshold: boolean; exhausted: boolean } {
  return { belowThreshold: lowBalanceThreshold !== null && dec(balance).lt(lowBalanceThreshold), exhausted: dec(balance).lte(0) };
}

export function balanceView(kind: NotificationKind, customer: CustomerRow, change: AppliedBalanceChange): BalanceView | PaymentView {
  const base = baseView(kind, customer);
  const balance = normaliseDecimal(change.balance);
  const previousBalance = normaliseDecimal(change.previousBalance);
  if (kind === NotificationKind.PAYMENT_RECEIVED) {
    return { ...base, balance, previousBalance, payment: { amount: normaliseDecimal(change.delta), reference: change.reference, at: change.occurredAt.toISOString() } };
  }
  const threshold = kind === NotificationKind.LOW_BALANCE ? base.customer.lowBalanceThreshold : '0';
  return {
    ...base,
    balance,
    previousBalance,
    threshold,
    ...balanceFacts(balance, base.customer.lowBalanceThreshold),
    delta: normaliseDecimal(change.delta),
    reason: change.reason,
    at: change.occurredAt.toISOString(),
  };
}

/**
 * The view of a message sent by hand (sendNotification): WELCOME, or LOW_BALANCE /
 * ZERO_BALANCE about the balance as it is now (no change: delta 0, reason MANUAL), which
 * may well be above the threshold: belowThreshold and exhausted say so.
 */
export function currentView(kind: NotificationKind, customer: CustomerRow): BaseView | BalanceView {
  const base: BaseView = baseView(kind, customer);
  if (kind === NotificationKind.WELCOME) return base;
  const balance = base.customer.balance;
  return {
    ...base,
    balance,
    previousBalance: balance,
    threshold: kind === NotificationKind.LOW_BALANCE ? base.customer.lowBalanceThreshold : '0',
    ...balanceFacts(balance, base.customer.lowBalanceThreshold),
    delta: '0',
    reason: 'MANUAL',
    at: base.now,
  };
}

/**
 * The messages of one transaction's balance changes and alert events, balance notices
 * first: the customers are read once for both, the rules once for all events.
 */
export async function onBalanceAndAlerts(uow: UnitOfWork, changes: AppliedBalanceChange[], events: CreatedAlertEvent[]): Promise<OutboxMessage[]> {
  // Most changes (a CDR batch's charges above every threshold) notify nobody: the
  // customers and their templates are read only for those that cross something.
  const notifying = changes.map((change) => ({ change, kinds: balanceKinds(change, change.lowBalanceThreshold) })).filter((n) => n.kinds.length > 0);
  const customers = await loadCustomerRows(uow, [...notifying.map((n) => n.change.customerId), ...events.map((e) => e.customerId)]);
  return [...balanceMessages(notifying, customers), ...(await alertMessages(uow, events, customers))];
}

function balanceMessages(notifying: { change: AppliedBalanceChange; kinds: NotificationKind[] }[], customers: Map<string, CustomerRow>): OutboxMessage[] {
  const out: OutboxMessage[] = [];
  for (const { change, kinds } of notifying) {
    const customer = customers.get(change.customerId);
    if (!customer) continue;
    for (const kind of kinds) out.push(...customerMessages(customer, balanceView(kind, customer, change)));
  }
  return out;
}

export async function onTrunkChanged(uow: UnitOfWork, changes: TrunkChange[]): Promise<OutboxMessage[]> {
  // Several changes of one trunk in one transaction (create + hosts) make one message per
  // customer concerned: a trunk moved to another customer tells both the old owner (DELETED)
  // and the new one.
  const latest = new Map(changes.map((c) => [`${c.trunkId}:${c.customerId}`, c]));
  const customers = await loadCustomerRows(uow, [...latest.values()].map((c) => c.customerId));
  const trunks = await uow.query<{ id: string; name: string; direction: string; enabled: boolean }>(
    `SELECT id, name, direction, enabled FROM trunks WHERE id = ANY($1::uuid[])`,
    [[...new Set(changes.map((c) => c.trunkId))]],
  );
  const trunkById = new Map(trunks.map((t) => [t.id, t]));
  const out: OutboxMessage[] = [];
  for (const change of latest.values()) {
    const customer = customers.get(change.customerId);
    if (!customer) continue;
    const t = trunkById.get(change.trunkId);
    const view: TrunkView = {
      ...baseView(NotificationKind.TRUNK_UPDATED, customer),
      change: change.change,
      trunk: t ? { id: toGlobalId('Trunk', t.id), name: t.name, direction: t.direction, enabled: t.enabled } : null,
    };
    out.push(...customerMessages(customer, view));
  }
  return out;
}

interface DefinitionRow {
  id: string;
  title: string;
  operator: string;
  emails: string[];
  phones: string[];
  webhook_urls: string[];
  notify_customer: boolean;
  template_messages: StoredMessage[] | null;
  /** The settings' alert recipients (the same on every row: read with the rules, in one statement). */
  default_emails: string[];
  default_phones: string[];
  default_webhook_urls: string[];
}

export function alertView(event: CreatedAlertEvent, definition: Pick<DefinitionRow, 'title' | 'operator'>, customer: CustomerRow): AlertView {
  const value = normaliseDecimal(event.value);
  const threshold = normaliseDecimal(event.threshold);
  return {
    ...baseView(NotificationKind.ALERT, customer, event.isTest),
    alert: {
      id: toGlobalId('AlertEvent', event.id),
      title: definition.title,
      eventKind: event.kind,
      area: event.area,
      operator: definition.operator,
      value,
      threshold,
      subject: event.subject,
      message: event.message,
      penaltyUntil: event.penaltyUntil ? event.penaltyUntil.toISOString() : null,
      at: event.occurredAt.toISOString(),
      isPercent: event.area === AlertArea.ASR,
      isMoney: MONEY_AREAS.has(event.area),
      isSeconds: event.area === AlertArea.CALL_DURATION || event.area === AlertArea.ACD,
    },
    value,
    threshold,
  };
}

/**
 * Every TRIGGERED/REPEATED/RESOLVED event goes to the definition's emails, phones and
 * webhook URLs, or the settings' alert recipients when it names none (alertRecipients;
 * the customers' built-in triggers name none): operator staff, not subject to customer
 * switches. Plus the customer's NOC email and phone when notifyCustomer and the
 * customer's switches allow ALERT.
 */
async function alertMessages(uow: UnitOfWork, events: CreatedAlertEvent[], customers: Map<string, CustomerRow>): Promise<OutboxMessage[]> {
  if (events.length === 0) return [];
  const definitions = await uow.query<DefinitionRow>(
    `SELECT d.id, d.title, d.operator, d.emails, d.phones, d.webhook_urls, d.notify_customer, t.messages AS template_messages,
            coalesce(s.alert_emails, '{}') AS default_emails, coalesce(s.alert_phones, '{}') AS default_phones,
            coalesce(s.alert_webhook_urls, '{}') AS default_webhook_urls
       FROM alert_definitions d LEFT JOIN notification_templates t ON t.id = d.template_id
       LEFT JOIN settings s ON true
      WHERE d.id = ANY($1::uuid[])`,
    [[...new Set(events.map((e) => e.definitionId))]],
  );
  const defById = new Map(definitions.map((d) => [d.id, d]));
  const out: OutboxMessage[] = [];
  for (const event of events) {
    const def = defById.get(event.definitionId);
    const customer = customers.get(event.customerId);
    if (!def || !customer) continue;
    const view = alertView(event, def, customer);
    const template = messageFor(NotificationKind.ALERT, def.template_messages);
    const refs = { customerId: customer.id, alertEventId: event.id };
    const to = alertRecipients(
      { emails: def.emails, phones: def.phones, webhookUrls: def.webhook_urls },
      { emails: def.default_emails, phones: def.default_phones, webhookUrls: def.default_webhook_urls },
    );
    for (const email of to.emails) out.push(draftMessage(template, view, 'EMAIL', email, refs));
    for (const phone of to.phones) out.push(draftMessage(template, view, 'SMS', phone, refs));
    for (const url of to.webhookUrls) out.push(draftMessage(template, view, 'WEBHOOK', url, refs));
    if (def.notify_customer && customer.notifications_enabled && customerTemplate(customer, NotificationKind.ALERT)) {
      const noc = customer.noc_email?.trim();
      if (noc) out.push(draftMessage(template, view, 'EMAIL', noc, refs));
      if (customer.phone) out.push(draftMessage(template, view, 'SMS', customer.phone, refs));
    }
  }
  return out;
}
