/**
 * Pure checks of notification template input: every subject, body and BCC entry must
 * compile as Handlebars, so a broken template is refused when it is saved rather than
 * discovered when a notification is due.
 */
import Handlebars from 'handlebars';
import { badInput } from '../../common/errors';
import type { StoredMessage } from './notification-template.entity';
import type { NotificationTemplateInput } from './notification-template.inputs';

const MAX_NAME = 200;
const MAX_TEMPLATE_CHARS = 100_000;

/** Compiles one Handlebars source; throws BAD_USER_INPUT naming the kind, the part and the line. */
export function assertCompiles(source: string, kind: string, part: string): void {
  if (source.length > MAX_TEMPLATE_CHARS) throw badInput(`${kind} ${part} is longer than ${MAX_TEMPLATE_CHARS} characters`, 'messages', { kind, part });
  try {
    Handlebars.precompile(source, { strict: false });
  } catch (err) {
    const e = err as { message?: string; lineNumber?: number };
    const line = e.lineNumber ?? Number(/line (\d+)/.exec(e.message ?? '')?.[1] ?? 1);
    const detail = (e.message ?? 'invalid template').split('\n').filter(Boolean).pop();
    throw badInput(`${kind} ${part} is not a valid Handlebars template (line ${line}): ${detail}`, 'messages', { kind, part, line });
  }
}

/** The stored form of a valid input; BAD_USER_INPUT on an empty name, a duplicate kind or a template that does not compile. */
export function validateTemplateInput(input: NotificationTemplateInput): { name: string; messages: StoredMessage[] } {
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME) throw badInput(`name must be 1 to ${MAX_NAME} characters`, 'name');
  const seen = new Set<string>();
  const messages = input.messages.map((m) => {
    if (seen.has(m.kind)) throw badInput(`${m.kind} appears more than once; a template has one message per kind`, 'messages', { kind: m.kind });
    seen.add(m.kind);
    assertCompiles(m.subject, m.kind, 'subject');
    assertCompiles(m.body, m.kind, 'body');
    const bcc = (m.bcc ?? []).map((b) => b.trim()).filter((b) => b.length > 0);
    bcc.forEach((b, i) => assertCompiles(b, m.kind, `bcc[${i}]`));
    return { kind: m.kind, subject: m.subject, body: m.body, bcc };
  });
  return { name, messages };
}
