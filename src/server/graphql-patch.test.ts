/**
 * patches/graphql+16.15.0.patch (applied by npm install's postinstall) makes graphql-js
 * coerce input objects into plain objects directly. These tests fail if an install
 * skipped the patch, and show the coerced values are what graphql-js gave before.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, coerceInputValue, GraphQLError, GraphQLList, GraphQLNonNull, type GraphQLInputType } from 'graphql';

const schema = buildSchema(`
  enum Disposition { ANSWERED BUSY }
  input Rec { id: String!, note: String, n: Int = 7, d: Disposition!, tags: [String!] }
  input One @oneOf { a: Int, b: String }
  type Query { f(r: [Rec!]!, o: One): Int }
`);
const recs = new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(schema.getType('Rec') as GraphQLInputType)));

describe('graphql-js input coercion (patched)', () => {
  it('is patched in both builds of graphql-js', () => {
    for (const file of ['graphql/utilities/coerceInputValue.js', 'graphql/utilities/coerceInputValue.mjs']) {
      const source = readFileSync(require.resolve(file), 'utf8');
      expect(source).toContain('const coercedValue = {};');
      expect(source).not.toContain('{ ...coercedValue }');
      expect(source).toContain('for (const field of fieldList) {');
    }
  });

  it('gives plain objects in field order, with defaults, without absent optional fields, for every type alike', () => {
    const out = coerceInputValue(
      [
        { d: 'BUSY', id: 'a', tags: ['x'] },
        { id: 'b', note: null, n: 1, d: 'ANSWERED' },
      ],
      recs,
    ) as Record<string, unknown>[];
    expect(out).toEqual([
      { id: 'a', n: 7, d: 'BUSY', tags: ['x'] },
      { id: 'b', note: null, n: 1, d: 'ANSWERED' },
    ]);
    expect(Object.keys(out[0])).toEqual(['id', 'n', 'd', 'tags']);
    for (const o of out) expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    // A second input type after the first: each keeps its own field list.
    expect(coerceInputValue({ b: 'x' }, schema.getType('One') as GraphQLInputType)).toEqual({ b: 'x' });
    expect(coerceInputValue([{ id: 'c', d: 'BUSY' }], recs)).toEqual([{ id: 'c', n: 7, d: 'BUSY' }]);
  });

  it('still reports every error with its path', () => {
    const errors: string[] = [];
    coerceInputValue([{ id: 'a', d: 'NOPE' }, { d: 'BUSY', extra: 1 }], recs, (path, _value, error: GraphQLError) => errors.push(`${path.join('.')}: ${error.message}`));
    expect(errors).toEqual([
      expect.stringMatching(/^0\.d: Value "NOPE" does not exist in "Disposition" enum/),
      expect.stringMatching(/^1: Field "id" of required type "String!" was not provided/),
      expect.stringMatching(/^1: Field "extra" is not defined by type "Rec"/),
    ]);
  });

  it('still enforces @oneOf', () => {
    const one = schema.getType('One') as GraphQLInputType;
    expect(coerceInputValue({ b: 'x' }, one)).toEqual({ b: 'x' });
    expect(() => coerceInputValue({ a: 1, b: 'x' }, one)).toThrow(/Exactly one key must be specified/);
  });
});
