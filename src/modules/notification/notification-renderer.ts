/**
 * Pure Handlebars rendering of notification templates, sandboxed. A private Handlebars
 * environment (no global helpers or partials leak in or out) with only the helpers
 * `if`, `unless`, `with`, `each`, `lookup`, `money`, `number`, `percent`, `datetime` and `duration`: `log`
 * refuses (it wrote raw lines to the server log), no partials or decorators (inline partials
 * are the one way to make a small template recurse). Compiled with knownHelpersOnly,
 * so nothing outside that list can be called even by a row saved before these rules.
 * Without partials a template cannot recurse; it loops only through `{{#each}}` (and
 * sections over lists, which call `each`), so one render is bounded by RenderLimits:
 * loop turns, helper calls and output characters counted as they happen, and a
 * deadline checked at every helper call and loop turn (no helper's own output can grow
 * large: `money`, `number` and `percent` take at most MAX_DECIMALS and plain decimals). HTML escaping by default, prototype
 * access denied, compiled templates cached by their source text.
 */
import Handlebars from 'handlebars';
import { Decimal, dec } from '../../platform/common/decimal';
import type { Config } from '../../platform/config';
import { TEMPLATE_HELPERS } from '../notification-template/template-helpers';

/** Subject, body, BCC and SMS text of one message kind, each a Handlebars source. */
export interface MessageTemplate {
  subject: string;
  body: string;
  bcc: string[];
  /** The SMS channel's text; null (or absent, in drafts queued before SMS texts existed): the subject. */
  sms?: string | null;
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

/** How far one message's rendering may go (config: TEMPLATE_MAX_OUTPUT_CHARS, TEMPLATE_MAX_ITERATIONS, TEMPLATE_MAX_STEPS, TEMPLATE_RENDER_MS). */
export interface RenderLimits {
  /** Characters of subject, body and BCC together. */
  maxOutputChars: number;
  /** `{{#each}}` turns, over every loop of the message. */
  maxIterations: number;
  /** Helper calls and loop turns together: what a message's rendering costs beyond reading values. */
  maxSteps: number;
  /** Milliseconds of rendering; a backstop that the counts keep healthy templates far from. */
  renderMs: number;
}

/** The configured limits. */
export function renderLimits(config: Pick<Config, 'templateMaxOutputChars' | 'templateMaxIterations' | 'templateMaxSteps' | 'templateRenderMs'>): RenderLimits {
  return { maxOutputChars: config.templateMaxOutputChars, maxIterations: config.templateMaxIterations, maxSteps: config.templateMaxSteps, renderMs: config.templateRenderMs };
}


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
// Stored templates that call these (saved before the sandbox rules) fail with a clear lastError.
hb.registerHelper('log', () => {
  throw new Error('the log helper is not available');
});
hb.unregisterDecorator('inline');

/** What is left of the limits of the message being rendered (rendering is synchronous: one at a time). */
interface Budget {
  deadline: number;
  iterations: number;
  steps: number;
  output: number;
  limits: RenderLimits;
}
let budget: Budget | undefined;

/** One step (a helper call or a loop turn): counted, and the deadline checked. */
function tick(): void {
  if (!budget) return;
  if (--budget.steps < 0) throw new Error(`more than ${budget.limits.maxSteps} helper calls and loop turns`);
  if (performance.now() > budget.deadline) throw new Error(`rendering took longer than ${budget.limits.renderMs} ms`);
}

for (const name of ['if', 'unless', 'with', 'lookup'] as const) {
  const builtin = hb.helpers[name];
  hb.registerHelper(name, function (this: unknown, ...a: unknown[]) {
    tick();
    return builtin.apply(this, a as Parameters<typeof builtin>);
  });
}

// Handlebars' own `each`, with every turn counted against the budget: its output too,
// so a loop stops at the output limit instead of building a string of any size first.
const builtinEach = hb.helpers.each;
hb.registerHelper('each', function (this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  tick();
  const fn = options.fn;
  const counted = Object.assign(function (this: unknown, ...a: unknown[]) {
    const b = budget;
    if (b && --b.iterations < 0) throw new Error(`more than ${b.limits.maxIterations} {{#each}} turns`);
    tick();
    const out: string = fn.apply(this, a as [unknown]);
    if (b && (b.output -= out.length) < 0) throw new Error(`output longer than ${b.limits.maxOutputChars} characters`);
    return out;
  }, fn);
  return builtinEach.call(this, context, { ...options, fn: counted });
});

/** `{{money x 1000000000}}` would build a billion-digit string before any output limit could see it. */
const MAX_DECIMALS = 20;

function checkDecimals(helper: string, digits: number): void {
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DECIMALS) throw new TypeError(`${helper} takes 0 to ${MAX_DECIMALS} decimals`);
}

/** `{{money balance}}`: exact decimal string with at least 2 decimals ("12.5" -> "12.50"); `{{money x 4}}` for 4 (at most 20). */
export function formatMoney(value: unknown, minDecimals = 2): string {
  checkDecimals('money', minDecimals);
  if (value === null || value === undefined || value === '') return '';
  if (typeof value !== 'string') throw new TypeError('money expects a decimal string');
  const d = dec(value);
  return d.decimalPlaces() < minDecimals ? d.toFixed(minDecimals) : d.toFixed();
}

// Plain decimals only: "1e100000000" would make toFixed build a hundred-million-digit string.
const PLAIN_DECIMAL = /^[+-]?\d{1,40}(\.\d{1,40})?$/;

/** A number as the views carry it (a decimal string, or a JS number for counts), exactly; null for nothing. */
function numeric(helper: string, value: unknown): Decimal | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number' && Number.isFinite(value)) return new Decimal(value);
  if (typeof value === 'string' && PLAIN_DECIMAL.test(value)) return dec(value);
  throw new TypeError(`${helper} expects a number, got "${String(value).slice(0, 40)}"`);
}

/** Rounded half away from zero to exactly `decimals` places, without a sign on zero ("-0.004" at 2 is "0.00"). */
function rounded(d: Decimal, decimals: number): string {
  const r = d.toDecimalPlaces(decimals, Decimal.ROUND_HALF_UP);
  return (r.isZero() ? r.abs() : r).toFixed(decimals);
}

/** `{{number x 2}}`: x rounded to 2 decimals, exactly that many shown ("37.2727" -> "37.27", "5" -> "5.00"); default 0 (at most 20). */
export function formatNumber(value: unknown, decimals = 0): string {
  checkDecimals('number', decimals);
  const d = numeric('number', value);
  return d === null ? '' : rounded(d, decimals);
}

/**
 * `{{percent asr 1}}`: a value that already is a percentage (ASR is 0 to 100) rounded like
 * `number`, with "%" ("37.2727272727" -> "37.3%"); default 0 decimals.
 */
export function formatPercent(value: unknown, decimals = 0): string {
  checkDecimals('percent', decimals);
  const d = numeric('percent', value);
  return d === null ? '' : `${rounded(d, decimals)}%`;
}

/** `{{datetime at "Europe/Berlin"}}`: "2026-11-24 01:14:21 CET" in the zone (the helper's default: the view's timeZone). */
export function formatDateTime(value: unknown, timeZone = 'UTC'): string {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError(`datetime expects a date, got "${String(value).slice(0, 40)}"`);
  const parts = formatterFor(timeZone).formatToParts(date);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

// Building an Intl.DateTimeFormat costs about 100 times formatting with one: one per
// zone name is kept (an unknown zone throws before it is kept; spellings are bounded by
// starting afresh past MAX_FORMATTERS).
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 1_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
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
  tick();
  const [value, digits] = args(a);
  return formatMoney(value, typeof digits === 'number' ? digits : 2);
});
hb.registerHelper('number', (...a: unknown[]) => {
  tick();
  const [value, digits] = args(a);
  return formatNumber(value, typeof digits === 'number' ? digits : 0);
});
hb.registerHelper('percent', (...a: unknown[]) => {
  tick();
  const [value, digits] = args(a);
  return formatPercent(value, typeof digits === 'number' ? digits : 0);
});
hb.registerHelper('datetime', (...a: unknown[]) => {
  tick();
  const [value, zone] = args(a);
  return formatDateTime(value, typeof zone === 'string' ? zone : viewTimeZone(a[a.length - 1] as Handlebars.HelperOptions));
});

/** The zone of a view without one given: its `timeZone` (the customer's, else the settings'; see notification-view.ts), else UTC. */
function viewTimeZone(options: Handlebars.HelperOptions | undefined): string {
  const zone = (options?.data as { root?: { timeZone?: unknown } } | undefined)?.root?.timeZone;
  return typeof zone === 'string' && zone ? zone : 'UTC';
}
hb.registerHelper('duration', (...a: unknown[]) => {
  tick();
  return formatDuration(args(a)[0]);
});

const KNOWN_HELPERS = Object.fromEntries(TEMPLATE_HELPERS.map((h) => [h, true]));

const cache = new Map<string, Handlebars.TemplateDelegate>();

/** The compiler stages of a Handlebars environment (public, untyped in @types): Handlebars.compile runs them lazily, at first render. */
interface CompilerStages {
  Compiler: new () => { compile(ast: hbs.AST.Program, options: object): unknown };
  JavaScriptCompiler: new () => { compile(environment: unknown, options: object, context: undefined, asObject: true): TemplateSpecification };
}

/**
 * Compiles now (what Handlebars.compile does at first render), so compiling never
 * counts against a render's deadline; its cost is bounded when the template is saved.
 */
function compiled(source: string, mode: RenderMode): Handlebars.TemplateDelegate {
  // The source text itself is the key: an edited template row is a new key, an unchanged one hits.
  const key = `${mode}\0${source}`;
  let template = cache.get(key);
  if (!template) {
    const options = { data: true, noEscape: mode === 'text', strict: false, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
    const stages = hb as unknown as CompilerStages;
    const environment = new stages.Compiler().compile(hb.parse(source), options);
    template = hb.template(new stages.JavaScriptCompiler().compile(environment, options, undefined, true));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, template);
  }
  return template;
}

/** How many compiled templates are cached (tests prove compile-once). */
export function cachedTemplateCount(): number {
  return cache.size;
}

function compiledField(field: string, source: string, mode: RenderMode): [string, Handlebars.TemplateDelegate] {
  try {
    return [field, compiled(source, mode)];
  } catch (err) {
    throw new TemplateRenderError(field, err);
  }
}

function renderField([field, template]: [string, Handlebars.TemplateDelegate], view: object): string {
  try {
    return template(view, RUNTIME_OPTIONS);
  } catch (err) {
    throw new TemplateRenderError(field, err);
  }
}

/**
 * Renders subject, body and every BCC entry within the limits; throws
 * TemplateRenderError (naming the field) on the first failure or limit reached, so a
 * message is either complete or not produced at all. Subjects and BCC addresses are
 * rendered as text (they are header values, not HTML).
 */
export function renderMessage(template: MessageTemplate, view: object, mode: RenderMode, limits: RenderLimits): RenderedMessage {
  const subject = compiledField('subject', template.subject, 'text');
  const body = compiledField('body', template.body, mode);
  const bcc = template.bcc.map((b, i) => compiledField(`bcc[${i}]`, b, 'text'));
  budget = { deadline: performance.now() + limits.renderMs, iterations: limits.maxIterations, steps: limits.maxSteps, output: limits.maxOutputChars, limits };
  try {
    const rendered = {
      subject: renderField(subject, view).replace(/[\r\n]+/g, ' ').trim(),
      body: renderField(body, view),
      bcc: bcc.map((b) => renderField(b, view).trim()).filter(Boolean),
    };
    const size = rendered.subject.length + rendered.body.length + rendered.bcc.reduce((n, b) => n + b.length, 0);
    if (size > limits.maxOutputChars) throw new TemplateRenderError('message', `output longer than ${limits.maxOutputChars} characters`);
    return rendered;
  } finally {
    budget = undefined;
  }
}
