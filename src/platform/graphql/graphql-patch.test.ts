/**
 * patches/graphql+16.15.0.patch (applied by npm install's postinstall) makes graphql-js
 * coerce input objects into plain objects directly. These tests fail if an install
 * skipped the patch, and show the coerced values are what graphql-js gave before.
 */
import { readFileSync } from "node:fs";
import {
  buildSchema,
  coerceInputValue,
  GraphQLEnumType,
  GraphQLError,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  GraphQLString,
  parse,
  validateSchema,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import { getVariableValues } from "graphql/execution/values";

const schema = buildSchema(`
  enum Disposition { ANSWERED BUSY }
  input Rec { id: String!, note: String, n: Int = 7, d: Disposition!, tags: [String!] }
  input One @oneOf { a: Int, b: String }
  type Query { f(r: [Rec!]!, o: One): Int }
`);
const recs = new GraphQLNonNull(
  new GraphQLList(
    new GraphQLNonNull(schema.getType("Rec") as GraphQLInputType),
  ),
);

describe("graphql-js input coercion (patched)", () => {
  it("is patched in both builds of graphql-js", () => {
    for (const file of [
      "graphql/utilities/coerceInputValue.js",
      "graphql/utilities/coerceInputValue.mjs",
    ]) {
      const source = readFileSync(require.resolve(file), "utf8");
      expect(source).toContain("const coercedValue = {};");
      expect(source).not.toContain("{ ...coercedValue }");
      expect(source).toContain("for (const field of fieldList) {");
      expect(source).toContain(
        "const scalar = fieldValue === null ? null : scalarOf(field);",
      );
    }
  });

  it("parses scalar fields in place to the same values, and sends what a scalar refuses the usual way, with its path", () => {
    const Cents = new GraphQLScalarType({
      name: "Cents",
      parseValue: (v) =>
        typeof v === "string" && /^\d+$/.test(v)
          ? BigInt(v)
          : v === "none"
            ? undefined
            : (() => {
                throw new GraphQLError(`not cents: ${String(v)}`);
              })(),
    });
    const Row = new GraphQLInputObjectType({
      name: "Row",
      fields: {
        id: { type: new GraphQLNonNull(GraphQLString) },
        n: { type: GraphQLInt },
        c: { type: new GraphQLNonNull(Cents) },
        note: { type: GraphQLString },
      },
    });
    const rows = new GraphQLList(new GraphQLNonNull(Row));
    expect(
      coerceInputValue(
        [
          { id: "a", n: 3, c: "120", note: null },
          { c: "5", id: "b" },
        ],
        rows,
      ),
    ).toEqual([
      { id: "a", n: 3, c: 120n, note: null },
      { id: "b", c: 5n },
    ]);
    const errors: string[] = [];
    coerceInputValue(
      [
        { id: 5, c: "1" },
        { id: "x", n: "seven", c: "abc" },
        { id: "y", c: "none" },
        { id: null, c: "1" },
      ],
      rows,
      (path, _value, error: GraphQLError) =>
        errors.push(`${path.join(".")}: ${error.message}`),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^0\.id: String cannot represent a non string value: 5/,
      ),
      expect.stringMatching(
        /^1\.n: Int cannot represent non-integer value: "seven"/,
      ),
      "1.c: not cents: abc",
      '2.c: Expected type "Cents".',
      expect.stringMatching(
        /^3\.id: Expected non-nullable type "String!" not to be null/,
      ),
    ]);
  });

  it("gives plain objects in field order, with defaults, without absent optional fields, for every type alike", () => {
    const out = coerceInputValue(
      [
        { d: "BUSY", id: "a", tags: ["x"] },
        { id: "b", note: null, n: 1, d: "ANSWERED" },
      ],
      recs,
    ) as Record<string, unknown>[];
    expect(out).toEqual([
      { id: "a", n: 7, d: "BUSY", tags: ["x"] },
      { id: "b", note: null, n: 1, d: "ANSWERED" },
    ]);
    expect(Object.keys(out[0])).toEqual(["id", "n", "d", "tags"]);
    for (const o of out)
      expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    // A second input type after the first: each keeps its own field list.
    expect(
      coerceInputValue({ b: "x" }, schema.getType("One") as GraphQLInputType),
    ).toEqual({ b: "x" });
    expect(coerceInputValue([{ id: "c", d: "BUSY" }], recs)).toEqual([
      { id: "c", n: 7, d: "BUSY" },
    ]);
  });

  it("still reports every error with its path", () => {
    const errors: string[] = [];
    coerceInputValue(
      [
        { id: "a", d: "NOPE" },
        { d: "BUSY", extra: 1 },
      ],
      recs,
      (path, _value, error: GraphQLError) =>
        errors.push(`${path.join(".")}: ${error.message}`),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /^0\.d: Value "NOPE" does not exist in "Disposition" enum/,
      ),
      expect.stringMatching(
        /^1: Field "id" of required type "String!" was not provided/,
      ),
      expect.stringMatching(/^1: Field "extra" is not defined by type "Rec"/),
    ]);
  });

  it("gives enum fields their internal values, and reports a refused value as upstream does, suggestions included or hidden", () => {
    const Level = new GraphQLEnumType({
      name: "Level",
      values: { LOW: { value: 1 }, HIGH: { value: 2 } },
    });
    const Alarm = new GraphQLInputObjectType({
      name: "Alarm",
      fields: {
        level: { type: new GraphQLNonNull(Level) },
        spare: { type: Level },
      },
    });
    const alarms = new GraphQLList(new GraphQLNonNull(Alarm));
    expect(
      coerceInputValue(
        [{ level: "HIGH", spare: "LOW" }, { level: "LOW", spare: null }],
        alarms,
      ),
    ).toEqual([
      { level: 2, spare: 1 },
      { level: 1, spare: null },
    ]);
    const errors: string[] = [];
    coerceInputValue(
      [{ level: 2 }, { level: "HIHG" }, { level: "LOW", spare: "low" }],
      alarms,
      (path, _value, error: GraphQLError) =>
        errors.push(`${path.join(".")}: ${error.message}`),
    );
    expect(errors).toEqual([
      '0.level: Enum "Level" cannot represent non-string value: 2.',
      '1.level: Value "HIHG" does not exist in "Level" enum. Did you mean the enum value "HIGH"?',
      '2.spare: Value "low" does not exist in "Level" enum. Did you mean the enum value "LOW"?',
    ]);
    // What production runs with (NODE_ENV=production): the same errors, without suggestions.
    const op = parse("query Q($r: [Rec!]!) { f(r: $r) }")
      .definitions[0] as OperationDefinitionNode;
    const hidden = getVariableValues(
      schema,
      op.variableDefinitions ?? [],
      { r: [{ id: "a", d: "ANSWERD" }] },
      { hideSuggestions: true },
    );
    expect(hidden.errors?.map((e) => e.message)).toEqual([
      'Variable "$r" got invalid value "ANSWERD" at "r[0].d"; Value "ANSWERD" does not exist in "Disposition" enum.',
    ]);
  });

  it("still enforces @oneOf", () => {
    const one = schema.getType("One") as GraphQLInputType;
    expect(coerceInputValue({ b: "x" }, one)).toEqual({ b: "x" });
    expect(() => coerceInputValue({ a: 1, b: "x" }, one)).toThrow(
      /Exactly one key must be specified/,
    );
  });

  // docs/graphql-patch.md: the patch writes coerced fields into a plain `{}` instead of
  // upstream's Object.create(null). That is safe only because the keys written are the
  // schema's field names, never the client's keys; these prove it with hostile keys.
  it("a __proto__ or constructor key in a variable is refused and pollutes nothing", () => {
    const body =
      '{"r":[{"id":"a","d":"BUSY","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}]}';
    const op = parse("query Q($r: [Rec!]!) { f(r: $r) }")
      .definitions[0] as OperationDefinitionNode;
    const result = getVariableValues(
      schema,
      op.variableDefinitions ?? [],
      JSON.parse(body) as Record<string, unknown>,
    );
    expect(result.errors?.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^Variable "\$r" got invalid value .* at "r\[0\]"; Field "__proto__" is not defined by type "Rec"\./,
      ),
      expect.stringMatching(
        /^Variable "\$r" got invalid value .* at "r\[0\]"; Field "constructor" is not defined by type "Rec"\./,
      ),
    ]);

    // The coerced value itself, errors collected rather than thrown: only the schema's fields.
    const out = coerceInputValue(
      JSON.parse(body).r,
      recs,
      () => undefined,
    ) as Record<string, unknown>[];
    expect(Object.keys(out[0])).toEqual(["id", "n", "d"]);
    expect(Object.getPrototypeOf(out[0])).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out[0], "__proto__")).toBe(
      false,
    );
    expect(Object.prototype.hasOwnProperty.call(out[0], "constructor")).toBe(
      false,
    );
    expect(out[0].constructor).toBe(Object);
    expect((out[0] as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(
      (Object.prototype as { polluted?: unknown }).polluted,
    ).toBeUndefined();
  });

  it("rests on the schema: a field named __proto__ is invalid, one named constructor is an own property", () => {
    const bad = buildSchema(
      "input P { __proto__: Int } type Query { f(p: P): Int }",
    );
    expect(validateSchema(bad).map((e) => e.message)).toContainEqual(
      expect.stringMatching(/Name "__proto__" must not begin with "__"/),
    );

    const named = buildSchema(
      "input C { constructor: String, toString: String } type Query { f(c: C): Int }",
    );
    expect(validateSchema(named)).toEqual([]);
    const out = coerceInputValue(
      { constructor: "x", toString: "y" },
      named.getType("C") as GraphQLInputType,
    ) as Record<string, unknown>;
    expect(Object.getOwnPropertyNames(out)).toEqual([
      "constructor",
      "toString",
    ]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.constructor).toBe(Object);
  });
});
