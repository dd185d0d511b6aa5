import { buildSchema, parse, type GraphQLError } from 'graphql';
import { Role } from './role';
import { refuseUnsafeText } from './input-safety';

const schema = buildSchema(`
  input Row { callId: String!, tags: [String!] }
  type Query { find(name: String, rows: [Row!], n: Int): String }
  directive @tag(note: String) on FIELD
`);
const principal = { role: Role.ADMIN, apiKeyId: null, customerId: null };

function check(query: string, variables?: Record<string, unknown>): readonly GraphQLError[] {
  return refuseUnsafeText(schema, { document: parse(query), variables, principal });
}

function refusedField(query: string, variables?: Record<string, unknown>): unknown {
  const errors = check(query, variables);
  expect(errors).toHaveLength(1);
  expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
  return errors[0].extensions.field;
}

describe('refuseUnsafeText', () => {
  it('names the variable path of a NUL or a lone surrogate at any depth', () => {
    const q = 'query($rows: [Row!], $name: String) { find(rows: $rows, name: $name) }';
    const rows = [{ callId: 'a' }, { callId: 'b' }, { callId: 'c' }, { callId: 'd\u0000' }];
    expect(refusedField(q, { rows })).toBe('rows[3].callId');
    expect(refusedField(q, { rows: [{ callId: 'ok', tags: ['x', 'y\ud800'] }] })).toBe('rows[0].tags[1]');
    expect(refusedField(q, { name: '\udc00 trailing' })).toBe('name');
    expect(refusedField(q, { name: 'reversed \udc00\ud800' })).toBe('name');
  });

  // (graphql-js' parser itself refuses a lone surrogate in a literal.)
  it('checks literals in the operation, its fragments, directives and variable defaults', () => {
    expect(refusedField('{ find(name: "a\\u0000") }')).toBe('name');
    expect(refusedField('{ find(rows: [{ callId: "ok" }, { callId: "x", tags: ["\\u0000"] }]) }')).toBe('rows[1].tags[0]');
    expect(refusedField('query { ...F } fragment F on Query { find(name: "\\u0000") }')).toBe('name');
    expect(refusedField('{ find @tag(note: "\\u0000") }')).toBe('note');
    expect(refusedField('query($name: String = "\\u0000") { find(name: $name) }')).toBe('name');
  });

  it('lets every other string through, surrogate pairs and control characters included', () => {
    const q = 'query($rows: [Row!], $name: String) { find(rows: $rows, name: $name, n: 3) }';
    expect(check(q, { name: 'emoji 😀 \t\n\u0001 ümlaut', rows: [{ callId: "'; DROP TABLE cdrs; --", tags: [] }] })).toEqual([]);
    expect(check('{ find(name: "\\ud83d\\ude00") }')).toEqual([]);
    // Variables the operation does not declare never reach a resolver.
    expect(check('{ find }', { other: '\u0000' })).toEqual([]);
  });
});
