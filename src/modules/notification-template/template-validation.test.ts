import { NotificationKind } from './notification-kind';
import { assertCompiles, validateMessage, validateTemplateInput, type TemplateRules } from './template-validation';

const RULES: TemplateRules = { maxChars: 32_768, maxExpressions: 250, maxDepth: 16, maxBcc: 20 };

function errorOf(fn: () => unknown): { message: string; extensions: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as { message: string; extensions: Record<string, unknown> };
  }
  throw new Error('expected an error');
}

describe('template validation', () => {
  it('accepts Handlebars with blocks, partial-free helpers and comments', () => {
    expect(() => assertCompiles('{{#if a}}{{b}}{{else}}{{!-- none --}}{{/if}} {{#each xs}}{{this}}{{/each}}', 'ALERT', 'body', RULES)).not.toThrow();
  });

  it('names the kind, part and line of a syntax error', () => {
    const e = errorOf(() => assertCompiles('one\ntwo\nthree {{#if x}}', 'LOW_BALANCE', 'body', RULES));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'body', line: 3 });
    expect(e.message).toMatch(/^LOW_BALANCE body is not a valid Handlebars template \(line 3\)/);
  });

  it('reports mismatched blocks', () => {
    const e = errorOf(() => assertCompiles('x\n{{#each a}}{{/if}}', 'WELCOME', 'subject', RULES));
    expect(e.extensions).toMatchObject({ kind: 'WELCOME', part: 'subject', line: 2 });
  });

  it('trims the name and BCCs, drops empty BCCs, refuses duplicate kinds', () => {
    expect(
      validateTemplateInput({ name: ' T ', messages: [{ kind: NotificationKind.ALERT, subject: 's', body: 'b', bcc: [' a@b.test ', ' '] }] }, RULES),
    ).toEqual({ name: 'T', messages: [{ kind: 'ALERT', subject: 's', body: 'b', bcc: ['a@b.test'], sms: null }] });
    const dup = errorOf(() =>
      validateTemplateInput({
        name: 'T',
        messages: [
          { kind: NotificationKind.ALERT, subject: 's', body: 'b' },
          { kind: NotificationKind.ALERT, subject: 's', body: 'b' },
        ],
      }, RULES),
    );
    expect(dup.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT' });
  });
});

describe('template sandbox at save', () => {
  it('refuses the log helper, with or without arguments, naming the line', () => {
    const e = errorOf(() => assertCompiles('hello\n{{log "forged\\n{\\"level\\":50}"}}', 'ALERT', 'body', RULES));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT', part: 'body', line: 2, helper: 'log' });
    expect(e.message).toBe('ALERT body uses the log helper, which is not available (line 2)');
    expect(errorOf(() => assertCompiles('{{log}}', 'ALERT', 'subject', RULES)).extensions).toMatchObject({ helper: 'log', line: 1 });
    expect(errorOf(() => assertCompiles('{{#if (log 1)}}x{{/if}}', 'ALERT', 'subject', RULES)).extensions).toMatchObject({ helper: 'log' });
  });

  it('refuses partials, inline partials and decorators', () => {
    const inline = errorOf(() => assertCompiles('a\nb\n{{#*inline "p"}}{{> p}}{{> p}}{{/inline}}{{> p}}', 'WELCOME', 'body', RULES));
    expect(inline.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'WELCOME', part: 'body', line: 3 });
    expect(inline.message).toMatch(/inline partial or decorator/);
    const partial = errorOf(() => assertCompiles('x {{> header}}', 'WELCOME', 'body', RULES));
    expect(partial.message).toBe('WELCOME body uses a partial ({{> name}}); partials are not available (line 1)');
    expect(errorOf(() => assertCompiles('{{#> layout}}x{{/layout}}', 'WELCOME', 'body', RULES)).message).toMatch(/uses a partial/);
    expect(errorOf(() => assertCompiles('{{* decorate}}', 'WELCOME', 'body', RULES)).message).toMatch(/decorator/);
  });

  it('refuses unknown helpers, naming the helper and the line, wherever they are called', () => {
    const e = errorOf(() => assertCompiles('one\ntwo {{customer.name}}\nthree {{shout customer.name}}', 'LOW_BALANCE', 'body', RULES));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'body', line: 3, helper: 'shout' });
    expect(e.message).toBe('LOW_BALANCE body uses the unknown helper "shout"; templates may call if, unless, with, each, lookup, money, number, percent, datetime, duration (line 3)');
    expect(errorOf(() => assertCompiles('{{#repeat 3}}x{{/repeat}}', 'ALERT', 'body', RULES)).extensions).toMatchObject({ helper: 'repeat' });
    expect(errorOf(() => assertCompiles('{{money (helperMissing x)}}', 'ALERT', 'body', RULES)).extensions).toMatchObject({ helper: 'helperMissing' });
    expect(errorOf(() => assertCompiles('{{x key=1}}', 'ALERT', 'body', RULES)).extensions).toMatchObject({ helper: 'x' });
    // Values and sections over values are no helper calls.
    expect(() => assertCompiles('{{customer.name}} {{#customer}}{{name}}{{/customer}} {{lookup customer "name"}} {{money (lookup customer "balance") 4}}', 'ALERT', 'body', RULES)).not.toThrow();
  });

  it('bounds size, expressions and nesting before Handlebars parses the text', () => {
    expect(errorOf(() => assertCompiles('x'.repeat(RULES.maxChars + 1), 'ALERT', 'body', RULES)).message).toBe(`ALERT body is longer than ${RULES.maxChars} characters`);
    expect(() => assertCompiles('{{a}}'.repeat(RULES.maxExpressions), 'ALERT', 'body', RULES)).not.toThrow();
    expect(errorOf(() => assertCompiles('{{a}}'.repeat(RULES.maxExpressions + 1), 'ALERT', 'body', RULES)).message).toMatch(/more than 250 expressions/);
    const deepSub = `{{money ${'(lookup '.repeat(RULES.maxDepth + 1)}customer${' "b")'.repeat(RULES.maxDepth + 1)}}}`;
    expect(errorOf(() => assertCompiles(deepSub, 'ALERT', 'body', RULES)).message).toMatch(/nests blocks and subexpressions more than 16 deep/);
    const deepBlocks = '{{#with a}}'.repeat(RULES.maxDepth + 1) + '{{/with}}'.repeat(RULES.maxDepth + 1);
    expect(errorOf(() => assertCompiles(deepBlocks, 'ALERT', 'body', RULES)).extensions).toMatchObject({ line: 1 });
    expect(() => assertCompiles('{{#with a}}'.repeat(RULES.maxDepth) + '{{/with}}'.repeat(RULES.maxDepth), 'ALERT', 'body', RULES)).not.toThrow();
  });

  it('checks the SMS text like every other part, naming it; an empty one is none', () => {
    const e = errorOf(() => validateMessage({ kind: NotificationKind.LOW_BALANCE, subject: 's', body: 'b', sms: 'Balance {{money balance}}\n{{round balance 2}}' }, RULES));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'sms', line: 2, helper: 'round' });
    expect(e.message).toMatch(/^LOW_BALANCE sms uses the unknown helper "round"; .* \(line 2\)$/);
    expect(validateMessage({ kind: NotificationKind.WELCOME, subject: 's', body: 'b', sms: '  ' }, RULES).sms).toBeNull();
    expect(validateMessage({ kind: NotificationKind.WELCOME, subject: 's', body: 'b', sms: 'Hi {{customer.name}}, {{percent asr 1}} {{number x 2}}' }, RULES).sms).toBe(
      'Hi {{customer.name}}, {{percent asr 1}} {{number x 2}}',
    );
  });

  it('caps BCC entries per message', () => {
    const bcc = Array.from({ length: RULES.maxBcc + 1 }, (_, i) => `audit${i}@carrier.test`);
    const e = errorOf(() => validateTemplateInput({ name: 'T', messages: [{ kind: NotificationKind.ALERT, subject: 's', body: 'b', bcc }] }, RULES));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT', part: 'bcc' });
    expect(() => validateTemplateInput({ name: 'T', messages: [{ kind: NotificationKind.ALERT, subject: 's', body: 'b', bcc: bcc.slice(1) }] }, RULES)).not.toThrow();
  });
});
