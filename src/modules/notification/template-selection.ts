/**
 * Which template a message uses, and composing a message into an outbox row.
 * Customer kinds, as PortaBilling has it: a customer in a class hears only through the
 * class's notification template; a class without one (never assigned, or unassigned)
 * sends its customers nothing, and a class that does not enable a kind sends nothing of
 * it. An enabled kind the template has no message for uses the built-in default, and
 * customers without a class get every kind with the built-in defaults. ALERT: the alert
 * definition's own template, else the built-in default (the customer's copy of an alert
 * also needs the switches above). A message is enqueued as a draft (its template and
 * view), rendered later outside the transaction that caused it.
 */
import type { NotificationKind, TemplatedKind } from '../notification-template/notification-kind';
import { DEFAULT_TEMPLATES } from './default-templates';
import { renderMessage, TemplateRenderError, type MessageTemplate, type RenderLimits, type RenderMode } from './notification-renderer';
import type { CustomerRow, StoredMessage } from './notification-view';

export type Channel = 'EMAIL' | 'SMS' | 'WEBHOOK';

/** What a message is rendered from: the template as it was when the message was caused, and the data it sees. */
export interface NotificationDraft {
  template: MessageTemplate;
  /** test: a test delivery (absent in drafts queued before test deliveries were marked). */
  view: { kind: NotificationKind; test?: boolean } & object;
}

/** The rendered content of a message, as its channel sends it. */
export interface RenderedContent {
  subject: string;
  body: string;
  bcc: string[];
  payload: object | null;
}

/** One outbox row to insert (ids are local). */
export interface OutboxMessage extends RenderedContent {
  kind: NotificationKind;
  channel: Channel;
  recipient: string;
  status: 'PENDING' | 'FAILED';
  lastError: string | null;
  customerId: string | null;
  alertEventId: string | null;
  /** Set until the message is rendered (and kept when rendering failed, so a retry renders again). */
  draft: NotificationDraft | null;
}

/** The stored message of that kind, else the built-in default. */
export function messageFor(kind: TemplatedKind, messages: StoredMessage[] | null | undefined): MessageTemplate {
  const stored = messages?.find((m) => m.kind === kind);
  return stored ? { subject: stored.subject, body: stored.body, bcc: stored.bcc ?? [], sms: stored.sms ?? null } : DEFAULT_TEMPLATES[kind];
}

/** The template a customer's message of this kind uses, or null when its class has no template or does not enable the kind. */
export function customerTemplate(customer: CustomerRow, kind: TemplatedKind): MessageTemplate | null {
  if (customer.customer_class_id !== null) {
    if (customer.class_template_id === null || !(customer.enabled_notifications ?? []).includes(kind)) return null;
  }
  return messageFor(kind, customer.template_messages);
}

/** Where a customer's own (non-alert) notifications go: billing email, else main email. */
export function customerRecipient(customer: CustomerRow): string | null {
  return customer.billing_email?.trim() || customer.main_email?.trim() || null;
}

/** An unrendered outbox row: the message is rendered when it is delivered, outside the transaction that caused it. */
export function draftMessage(
  template: MessageTemplate,
  view: { kind: NotificationKind } & object,
  channel: Channel,
  recipient: string,
  refs: { customerId: string | null; alertEventId?: string | null },
): OutboxMessage {
  return {
    kind: view.kind,
    channel,
    recipient,
    customerId: refs.customerId,
    alertEventId: refs.alertEventId ?? null,
    subject: '',
    body: '',
    bcc: [],
    payload: null,
    status: 'PENDING',
    lastError: null,
    draft: { template, view },
  };
}

/** What marks a test delivery's subject (and SMS text); its view also says test: true. */
export const TEST_PREFIX = '[TEST] ';

/**
 * Renders a draft as its channel sends it: EMAIL as escaped HTML with BCC, SMS as the
 * message's SMS text (its subject when it has none or it renders empty), unescaped, WEBHOOK as the Standard
 * Webhooks payload. A test delivery's subject and SMS text start with TEST_PREFIX.
 * Throws TemplateRenderError.
 */
export function renderForChannel(draft: NotificationDraft, channel: Channel, limits: RenderLimits): RenderedContent {
  const mark = (text: string) => (draft.view.test === true ? TEST_PREFIX + text : text);
  if (channel === 'SMS') {
    const sms = draft.template.sms ?? null;
    const r = renderMessage({ subject: draft.template.subject, body: sms ?? '', bcc: [] }, draft.view, 'text', limits);
    const subject = mark(r.subject);
    // An SMS text that renders to nothing (all of it in a false {{#if}}) sends the subject rather than an empty SMS.
    const text = r.body.trim();
    return { subject, body: text ? mark(text) : subject, bcc: [], payload: null };
  }
  const mode: RenderMode = channel === 'EMAIL' ? 'html' : 'text';
  const r = renderMessage(draft.template, draft.view, mode, limits);
  const subject = mark(r.subject);
  const payload =
    channel === 'WEBHOOK'
      ? { type: `notification.${draft.view.kind.toLowerCase()}`, timestamp: new Date().toISOString(), data: { subject, body: r.body, ...draft.view } }
      : null;
  return { subject, body: r.body, bcc: channel === 'EMAIL' ? r.bcc : [], payload };
}

/**
 * Renders a drafted message now. A render failure gives a FAILED row carrying the error
 * (nothing is sent, the draft is kept for a retry), never an exception.
 */
export function renderDraft(message: OutboxMessage, limits: RenderLimits): OutboxMessage {
  if (!message.draft) return message;
  try {
    return { ...message, ...renderForChannel(message.draft, message.channel, limits), draft: null };
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    return { ...message, status: 'FAILED', lastError: err.message };
  }
}
