/**
 * Which template a message uses, and composing a message into an outbox row.
 * Customer kinds: the customer's class template for that kind when the class enables
 * the kind (a class that does not enable it sends nothing of it); customers without a
 * class get every kind with the built-in defaults. ALERT: the alert definition's own
 * template, else the built-in default.
 */
import { NotificationKind } from '../notification-template/notification-kind';
import { DEFAULT_TEMPLATES } from './default-templates';
import { renderMessage, TemplateRenderError, type MessageTemplate, type RenderMode } from './notification-renderer';
import type { AlertView, CustomerRow, StoredMessage } from './notification-view';

export type Channel = 'EMAIL' | 'SMS' | 'WEBHOOK';

/** One outbox row to insert (ids are local). */
export interface OutboxMessage {
  kind: NotificationKind;
  channel: Channel;
  recipient: string;
  subject: string;
  body: string;
  bcc: string[];
  payload: object | null;
  status: 'PENDING' | 'FAILED';
  lastError: string | null;
  customerId: string | null;
  alertEventId: string | null;
}

/** The stored message of that kind, else the built-in default. */
export function messageFor(kind: NotificationKind, messages: StoredMessage[] | null | undefined): MessageTemplate {
  const stored = messages?.find((m) => m.kind === kind);
  return stored ? { subject: stored.subject, body: stored.body, bcc: stored.bcc ?? [] } : DEFAULT_TEMPLATES[kind];
}

/** The template a customer's message of this kind uses, or null when its class does not enable the kind. */
export function customerTemplate(customer: CustomerRow, kind: NotificationKind): MessageTemplate | null {
  if (customer.customer_class_id !== null && !(customer.enabled_notifications ?? []).includes(kind)) return null;
  return messageFor(kind, customer.template_messages);
}

/** Where a customer's own (non-alert) notifications go: billing email, else main email. */
export function customerRecipient(customer: CustomerRow): string | null {
  return customer.billing_email?.trim() || customer.main_email?.trim() || null;
}

/**
 * Renders one message for one recipient into an outbox row. A render failure gives a
 * FAILED row carrying the error (nothing is sent), never an exception: the change
 * that caused the message must still commit.
 */
export function compose(
  template: MessageTemplate,
  view: { kind: NotificationKind } & object,
  channel: Channel,
  recipient: string,
  refs: { customerId: string | null; alertEventId?: string | null },
): OutboxMessage {
  const mode: RenderMode = channel === 'EMAIL' ? 'html' : 'text';
  const base = { kind: view.kind, channel, recipient, customerId: refs.customerId, alertEventId: refs.alertEventId ?? null };
  try {
    const rendered = renderMessage(template, view, mode);
    const r = channel === 'SMS' ? { ...rendered, body: plainText(rendered.body) } : rendered;
    const payload =
      channel === 'WEBHOOK'
        ? { type: `notification.${view.kind.toLowerCase()}`, timestamp: new Date().toISOString(), data: { subject: r.subject, body: r.body, ...view } }
        : null;
    return { ...base, subject: r.subject, body: r.body, bcc: channel === 'EMAIL' ? r.bcc : [], payload, status: 'PENDING', lastError: null };
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    return { ...base, subject: '', body: '', bcc: [], payload: null, status: 'FAILED', lastError: err.message };
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

/**
 * Subject and message of an alert event as its definition's template (or the default)
 * renders them; for the alerts module, which stores them on the event. Throws
 * TemplateRenderError when the template fails.
 */
export function renderAlertMessage(templateMessages: StoredMessage[] | null | undefined, view: AlertView): { subject: string; message: string } {
  const r = renderMessage(messageFor(NotificationKind.ALERT, templateMessages), view, 'text');
  return { subject: r.subject, message: r.body };
}
