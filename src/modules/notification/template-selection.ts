/**
 * Which template a message uses, and composing a message into an outbox row.
 * Customer kinds: the customer's class template for that kind when the class enables
 * the kind (a class that does not enable it sends nothing of it); customers without a
 * class get every kind with the built-in defaults. ALERT: the alert definition's own
 * template, else the built-in default. A message is enqueued as a draft (its template
 * and view), rendered later outside the transaction that caused it.
 */
import type { NotificationKind, TemplatedKind } from '../notification-template/notification-kind';
import { DEFAULT_TEMPLATES } from './default-templates';
import { renderMessage, TemplateRenderError, type MessageTemplate, type RenderLimits, type RenderMode } from './notification-renderer';
import type { CustomerRow, StoredMessage } from './notification-view';

export type Channel = 'EMAIL' | 'SMS' | 'WEBHOOK';

/** What a message is rendered from: the template as it was when the message was caused, and the data it sees. */
export interface NotificationDraft {
  template: MessageTemplate;
  view: { kind: NotificationKind } & object;
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
  return stored ? { subject: stored.subject, body: stored.body, bcc: stored.bcc ?? [] } : DEFAULT_TEMPLATES[kind];
}

/** The template a customer's message of this kind uses, or null when its class does not enable the kind. */
export function customerTemplate(customer: CustomerRow, kind: TemplatedKind): MessageTemplate | null {
  if (customer.customer_class_id !== null && !(customer.enabled_notifications ?? []).includes(kind)) return null;
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

/**
 * Renders a draft as its channel sends it: EMAIL as escaped HTML with BCC, SMS as plain
 * text, WEBHOOK as the Standard Webhooks payload. Throws TemplateRenderError.
 */
export function renderForChannel(draft: NotificationDraft, channel: Channel, limits: RenderLimits): RenderedContent {
  const mode: RenderMode = channel === 'EMAIL' ? 'html' : 'text';
  const rendered = renderMessage(draft.template, draft.view, mode, limits);
  const r = channel === 'SMS' ? { ...rendered, body: plainText(rendered.body) } : rendered;
  const payload =
    channel === 'WEBHOOK'
      ? { type: `notification.${draft.view.kind.toLowerCase()}`, timestamp: new Date().toISOString(), data: { subject: r.subject, body: r.body, ...draft.view } }
      : null;
  return { subject: r.subject, body: r.body, bcc: channel === 'EMAIL' ? r.bcc : [], payload };
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

/** An SMS is plain text: the templates' HTML markup is dropped and whitespace collapsed. */
export function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
