import { NotificationKind } from './notification-kind';
import { assertCompiles, validateTemplateInput } from './template-validation';

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
    expect(() => assertCompiles('{{#if a}}{{b}}{{else}}{{!-- none --}}{{/if}} {{#each xs}}{{this}}{{/each}}', 'ALERT', 'body')).not.toThrow();
  });

  it('names the kind, part and line of a syntax error', () => {
    const e = errorOf(() => assertCompiles('one\ntwo\nthree {{#if x}}', 'LOW_BALANCE', 'body'));
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'body', line: 3 });
    expect(e.message).toMatch(/^LOW_BALANCE body is not a valid Handlebars template \(line 3\)/);
  });

  it('reports mismatched blocks', () => {
    const e = errorOf(() => assertCompiles('x\n{{#each a}}{{/if}}', 'WELCOME', 'subject'));
    expect(e.extensions).toMatchObject({ kind: 'WELCOME', part: 'subject', line: 2 });
  });

  it('trims the name and BCCs, drops empty BCCs, refuses duplicate kinds', () => {
    expect(
      validateTemplateInput({ name: ' T ', messages: [{ kind: NotificationKind.ALERT, subject: 's', body: 'b', bcc: [' a@b.test ', ' '] }] }),
    ).toEqual({ name: 'T', messages: [{ kind: 'ALERT', subject: 's', body: 'b', bcc: ['a@b.test'] }] });
    const dup = errorOf(() =>
      validateTemplateInput({
        name: 'T',
        messages: [
          { kind: NotificationKind.ALERT, subject: 's', body: 'b' },
          { kind: NotificationKind.ALERT, subject: 's', body: 'b' },
        ],
      }),
    );
    expect(dup.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT' });
  });
});
