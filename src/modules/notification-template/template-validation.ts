/**
 * Pure checks of notification template input: every subject, body, BCC entry and SMS text must
 * compile as Handlebars and stay inside the sandbox (see notification-renderer.ts), so
 * a broken or hostile template is refused when it is saved rather than discovered when
 * a notification is due: no partials or decorators, no `log`, no helper outside
 * TEMPLATE_HELPERS, and a bounded size, number of expressions and nesting depth (what
 * compiling and rendering cost grows with; see docs/security/notifications.md).
 */
import Handlebars from 'handlebars';
import { badInput } from '../../platform/common/errors';
import type { Config } from '../../platform/config';
import { isTemplatedKind } from './notification-kind';
import { TEMPLATE_HELPERS } from './template-helpers';
import type { StoredMessage } from './notification-template.type';
import type { NotificationMessageInput, NotificationTemplateInput } from './notification-template.inputs';

const MAX_NAME = 200;
const ALLOWED = new Set<string>(TEMPLATE_HELPERS);

/** The size rules of one template part (config: TEMPLATE_MAX_CHARS, TEMPLATE_MAX_EXPRESSIONS, TEMPLATE_MAX_DEPTH, MAX_RULE_RECIPIENTS). */
export interface TemplateRules {
  maxChars: number;
  /** Mustaches, blocks and subexpressions of one part. */
  maxExpressions: number;
  /** Blocks and subexpressions inside one another. */
  maxDepth: number;
  /** BCC entries of one message. */
  maxBcc: number;
}

export function templateRules(config: Pick<Config, 'templateMaxChars' | 'templateMaxExpressions' | 'templateMaxDepth' | 'maxRuleRecipients'>): TemplateRules {
  return { maxChars: config.templateMaxChars, maxExpressions: config.templateMaxExpressions, maxDepth: config.templateMaxDepth, maxBcc: config.maxRuleRecipients };
}

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };
type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

/** A construct the sandbox refuses, with its line. */
interface Refusal {
  message: string;
  line: number;
  helper?: string;
}

function lineOf(node: Node): number {
  return node.loc?.start.line ?? 1;
}

/** The helper a mustache, block or subexpression calls, or null when it only reads a value. */
function calledHelper(node: Call): string | null {
  if (node.path.type !== 'PathExpression') return null;
  const path = node.path as hbs.AST.PathExpression;
  const isCall = node.type === 'SubExpression' || node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
  // `{{log}}` alone calls the log helper in stock Handlebars: refused by name, not only with arguments.
  return isCall || path.original === 'log' ? path.original : null;
}

/** The first construct outside the sandbox, walking the whole tree (`depth`: blocks and subexpressions around `node`). */
function firstRefusal(node: unknown, depth: number, maxDepth: number): Refusal | null {
  if (!node || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (const child of node) {
      const r = firstRefusal(child, depth, maxDepth);
      if (r) return r;
    }
    return null;
  }
  const n = node as Node & Record<string, unknown>;
  let inner = depth;
  switch (n.type) {
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return { message: 'uses a partial ({{> name}}); partials are not available', line: lineOf(n) };
    case 'DecoratorBlock':
    case 'Decorator':
      return { message: 'uses an inline partial or decorator ({{#*inline}}, {{* name}}); these are not available', line: lineOf(n) };
    case 'MustacheStatement':
    case 'BlockStatement':
    case 'SubExpression': {
      const helper = calledHelper(n as unknown as Call);
      if (helper === 'log') return { message: 'uses the log helper, which is not available', line: lineOf(n), helper };
      if (helper !== null && !ALLOWED.has(helper)) {
        return { message: `uses the unknown helper "${helper}"; templates may call ${TEMPLATE_HELPERS.join(', ')}`, line: lineOf(n), helper };
      }
      if (n.type !== 'MustacheStatement' && ++inner > maxDepth) return { message: `nests blocks and subexpressions more than ${maxDepth} deep`, line: lineOf(n) };
      break;
    }
  }
  for (const key of ['body', 'program', 'inverse', 'params', 'hash', 'pairs', 'value']) {
    const r = firstRefusal(n[key], inner, maxDepth);
    if (r) return r;
  }
  return null;
}

/**
 * Counts expressions ({{...}} and the subexpressions in them) and the nesting of
 * parentheses from the text alone: Handlebars' parser takes seconds on a few thousand
 * nested subexpressions, so the counts are checked before it runs.
 */
function lexicalCounts(source: string): { expressions: number; parenDepth: number } {
  let expressions = 0;
  let parenDepth = 0;
  for (const m of source.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    // Closing tags ({{/each}}) and comments are no expressions of their own.
    if (!/^~?\s*[/!]/.test(m[1])) expressions++;
    let depth = 0;
    for (const ch of m[1]) {
      if (ch === '(') {
        expressions++;
        parenDepth = Math.max(parenDepth, ++depth);
      } else if (ch === ')') depth--;
    }
  }
  return { expressions, parenDepth };
}

/**
 * Checks one Handlebars source against the sandbox and compiles it; throws
 * BAD_USER_INPUT naming the kind, the part and the line (and the helper, when one is refused).
 */
export function assertCompiles(source: string, kind: string, part: string, rules: TemplateRules): void {
  const refuse = (message: string, extra: Record<string, unknown> = {}) => badInput(`${kind} ${part} ${message}`, 'messages', { kind, part, ...extra });
  if (source.length > rules.maxChars) throw refuse(`is longer than ${rules.maxChars} characters`);
  const counts = lexicalCounts(source);
  if (counts.expressions > rules.maxExpressions) throw refuse(`has more than ${rules.maxExpressions} expressions ({{...}} and subexpressions)`);
  if (counts.parenDepth > rules.maxDepth) throw refuse(`nests blocks and subexpressions more than ${rules.maxDepth} deep`);
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    throw syntaxError(err, refuse);
  }
  const refused = firstRefusal(ast, 0, rules.maxDepth);
  if (refused) {
    const { message, line, helper } = refused;
    throw refuse(`${message} (line ${line})`, { line, ...(helper ? { helper } : {}) });
  }
  try {
    Handlebars.precompile(ast, { strict: false });
  } catch (err) {
    throw syntaxError(err, refuse);
  }
}

function syntaxError(err: unknown, refuse: (message: string, extra: Record<string, unknown>) => Error): Error {
  const e = err as { message?: string; lineNumber?: number };
  const line = e.lineNumber ?? Number(/line (\d+)/.exec(e.message ?? '')?.[1] ?? 1);
  const detail = (e.message ?? 'invalid template').split('\n').filter(Boolean).pop();
  return refuse(`is not a valid Handlebars template (line ${line}): ${detail}`, { line });
}

/**
 * The stored form of one valid message: BAD_USER_INPUT on too many BCCs or a part (subject,
 * body, BCC entry, SMS text) that does not compile or leaves the sandbox. An empty SMS text
 * is none (the subject is sent).
 */
export function validateMessage(m: NotificationMessageInput, rules: TemplateRules): StoredMessage {
  assertCompiles(m.subject, m.kind, 'subject', rules);
  assertCompiles(m.body, m.kind, 'body', rules);
  const bcc = (m.bcc ?? []).map((b) => b.trim()).filter((b) => b.length > 0);
  if (bcc.length > rules.maxBcc) throw badInput(`${m.kind} has more than ${rules.maxBcc} BCC entries`, 'messages', { kind: m.kind, part: 'bcc' });
  bcc.forEach((b, i) => assertCompiles(b, m.kind, `bcc[${i}]`, rules));
  const sms = m.sms?.trim() ? m.sms : null;
  if (sms !== null) assertCompiles(sms, m.kind, 'sms', rules);
  return { kind: m.kind, subject: m.subject, body: m.body, bcc, sms };
}

/** The stored form of a valid input; BAD_USER_INPUT on an empty name, a duplicate kind or an invalid message (validateMessage). */
export function validateTemplateInput(input: NotificationTemplateInput, rules: TemplateRules): { name: string; messages: StoredMessage[] } {
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME) throw badInput(`name must be 1 to ${MAX_NAME} characters`, 'name');
  const seen = new Set<string>();
  const messages = input.messages.map((m) => {
    if (!isTemplatedKind(m.kind)) throw badInput(`${m.kind} is the fixed status webhook; a template has no message of that kind`, 'messages', { kind: m.kind });
    if (seen.has(m.kind)) throw badInput(`${m.kind} appears more than once; a template has one message per kind`, 'messages', { kind: m.kind });
    seen.add(m.kind);
    return validateMessage(m, rules);
  });
  return { name, messages };
}
