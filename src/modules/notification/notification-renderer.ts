/**
 * Pure Handlebars rendering of notification templates. A private Handlebars
 * environment (no global helpers or partials leak in or out), HTML escaping by
 * default, prototype access denied, and compiled templates cached by their source
 * text: a template row that changes has a new source, so it compiles anew, while an
 * unchanged one is compiled once per process.
 */
import Handlebars from 'handlebars';
import { dec } from '../../common/decimal';

/** Subject, body and BCC of one message kind, each a Handlebars source. */
export interface MessageTemplate {
  subject: string;
  body: string;
  bcc: string[];
}

export interface RenderedMessage {
  subject: string;
  body: string;
  bcc: string[];
}

/**
 * `html`: every `{{value}}` is HTML-escaped (email). `text`: no escaping, for
 * channels that are not HTML (SMS text, webhook JSON, which JSON-encodes itself).
 */
export type RenderMode = 'html' | 'text';

export class TemplateRenderError extends Error {
  constructor(field: string, cause: unknown) {
    super(`template ${field} failed to render: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TemplateRenderError';
  }
}

// Explicit (not merely default) false: denied lookups render nothing and are not logged.
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

const MAX_CACHED = 2_000;

const hb = Handlebars.create();

/** `{{money balance}}`: exact decimal string with at least 2 decimals ("12.5" -> "12.50"); `{{money x 4}}` for 4. */
export function formatMoney(value: unknown, minDecimals = 2): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value !== 'string') throw new TypeError('money expects a decimal string');
  const d = dec(value);
  return d.decimalPlaces() < minDecimals ? d.toFixed(minDecimals) : d.toFixed();
}

/** `{{datetime at "Europe/Berlin"}}`: "2026-11-24 01:14:21 CET" in the zone (default UTC). */
export function formatDateTime(value: unknown, timeZone = 'UTC'): string {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError(`datetime expects a date, got "${String(value).slice(0, 40)}"`);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** `{{duration seconds}}`: h:mm:ss ("3725" -> "1:02:05"). */
export function formatDuration(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const total = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isFinite(total) || total < 0) throw new TypeError(`duration expects seconds, got "${String(value).slice(0, 40)}"`);
  const s = Math.floor(total);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** Handlebars passes its options object last; these helpers take only the leading arguments. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

hb.registerHelper('money', (...a: unknown[]) => {
  const [value, digits] = args(a);
  return formatMoney(value, typeof digits === 'number' ? digits : 2);
});
hb.registerHelper('datetime', (...a: unknown[]) => {
  const [value, zone] = args(a);
  return formatDateTime(value, typeof zone === 'string' ? zone : 'UTC');
});
hb.registerHelper('duration', (...a: unknown[]) => formatDuration(args(a)[0]));

const cache = new Map<string, Handlebars.TemplateDelegate>();

function compiled(source: string, mode: RenderMode): Handlebars.TemplateDelegate {
  // The source text itself is the key: an edited template row is a new key, an unchanged one hits.
  const key = `${mode}\0${source}`;
  let template = cache.get(key);
  if (!template) {
    template = hb.compile(source, { noEscape: mode === 'text', strict: false, knownHelpersOnly: false });
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, template);
  }
  return template;
}

/** How many compiled templates are cached (tests prove compile-once). */
export function cachedTemplateCount(): number {
  return cache.size;
}

function renderField(field: string, source: string, view: object, mode: RenderMode): string {
  try {
    return compiled(source, mode)(view, RUNTIME_OPTIONS);
  } catch (err) {
    throw new TemplateRenderError(field, err);
  }
}

/**
 * Renders subject, body and every BCC entry; throws TemplateRenderError (naming the
 * field) on the first failure, so a message is either complete or not produced at all.
 * Subjects and BCC addresses are rendered as text (they are header values, not HTML).
 */
export function renderMessage(template: MessageTemplate, view: object, mode: RenderMode = 'html'): RenderedMessage {
  return {
    subject: renderField('subject', template.subject, view, 'text').replace(/[\r\n]+/g, ' ').trim(),
    body: renderField('body', template.body, view, mode),
    bcc: template.bcc.map((b, i) => renderField(`bcc[${i}]`, b, view, 'text').trim()).filter(Boolean),
  };
}
