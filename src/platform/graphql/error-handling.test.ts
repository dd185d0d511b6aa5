import { GraphQLError } from 'graphql';
import { badInput, conflict } from '../common/errors';
import { formatError } from './error-handling';

describe('formatError', () => {
  it('keeps typed client errors', () => {
    const e = conflict('title taken');
    const f = formatError({ message: e.message, extensions: { ...e.extensions, stacktrace: ['x'] } }, e);
    expect(f).toEqual({ message: 'title taken', extensions: { code: 'CONFLICT' } });
    const b = badInput('bad ip', 'ip');
    expect(formatError({ message: b.message, extensions: b.extensions }, b).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'ip' });
  });

  it("reports graphql-js' variable coercion error limit as the client's bad input", () => {
    const e = new GraphQLError('Too many errors processing variables, error limit reached. Execution aborted.');
    expect(formatError({ message: e.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, e)).toEqual({ message: e.message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('masks anything else as INTERNAL_SERVER_ERROR', () => {
    const e = new GraphQLError('relation "secret_table" does not exist', { originalError: new Error('db') });
    const f = formatError({ message: e.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, e);
    expect(f.message).toBe('Internal server error');
    expect(f.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(f)).not.toContain('secret_table');
  });
});
