import 'reflect-metadata';
import { getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { loadConfig } from '../config';
import { EventBus } from '../pubsub/event-bus';
import { buildAppSchema } from '../../app/schema';
import { asTokenLimitError, listFieldsWithoutSize } from './query-limits';
import { DASHBOARD, fragmentBomb, NOC_ALERTS, SUBMIT_CDRS } from '../../../test/security/helpers/attack-queries';
import { createOperationGuard, type OperationGuard } from './operation-guard';

const PRODUCTION = { NODE_ENV: 'production', WEBHOOK_SECRET: 'whsec_cXVlcnktbGltaXRzLXRlc3Qtc2VjcmV0' };

describe('query limits (validation, default settings, production)', () => {
  let schema: GraphQLSchema;
  let guard: OperationGuard;

  beforeAll(async () => {
    schema = await buildAppSchema(EventBus.inProcess().asTypeGraphQL());
    guard = createOperationGuard(schema, loadConfig(PRODUCTION));
  });

  function errorsOf(query: string, g: OperationGuard = guard) {
    const document = parse(query, g.parseOptions);
    return validate(schema, document, [...specifiedRules, ...g.validationRules], g.validationOptions);
  }

  it('lets the real dashboard, NOC and CDR queries through, whatever the page size variable', () => {
    expect(errorsOf(DASHBOARD)).toEqual([]);
    expect(errorsOf(DASHBOARD.replace('($first: Int)', '').replace('(first: $first)', '(first: 500)'))).toEqual([]);
    expect(errorsOf(NOC_ALERTS)).toEqual([]);
    expect(errorsOf(SUBMIT_CDRS)).toEqual([]);
    expect(errorsOf(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual([]);
  });

  it('counts a list at its page size times its children', () => {
    const tight = createOperationGuard(schema, loadConfig({ MAX_QUERY_COST: '1000' }));
    // customers: 1 + first x (nodes: 1 + id: 1)
    expect(errorsOf('{ customers(first: 499) { nodes { id } } }', tight)).toEqual([]);
    expect(errorsOf('{ customers(first: 500) { nodes { id } } }', tight).map((e) => e.extensions)).toEqual([
      { code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 1000 },
    ]);
    // A variable page size counts at the maximum (500), an absent one at the default (50).
    expect(errorsOf('query($n: Int) { customers(first: $n) { nodes { id } } }', tight)).toHaveLength(1);
    // customer.trunks without first: 50 trunks x (1 + hosts 20 x 1) = 1051
    expect(errorsOf('{ customer(id: "x") { trunks { hosts { id } } } }', tight)).toHaveLength(1);
    expect(errorsOf('{ customer(id: "x") { trunks(first: 10) { hosts(first: 10) { id } } } }', tight)).toEqual([]);
  });

  it.each([
    ['depth', `{ trunks { nodes { ${'hosts { trunk { '.repeat(6)}id${' } }'.repeat(6)} } } }`],
    ['aliases', `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: customers(first: 500) { totalCount }`).join(' ')} }`],
    ['directives', `{ me { role ${'@include(if: true) '.repeat(60)}} }`],
    ['cost', '{ customerClasses { customers(first: 500) { nodes { customerClass { customers(first: 500) { nodes { id } } } } } } }'],
    ['cost', '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }'],
  ])('refuses a query over the %s limit with QUERY_TOO_COMPLEX naming it', (limit, query) => {
    // Tokens raised so that the 200 aliases reach the alias rule (by default the parser stops them first).
    const roomy = createOperationGuard(schema, loadConfig({ ...PRODUCTION, MAX_QUERY_TOKENS: '10000' }));
    const errors = errorsOf(query, roomy).filter((e) => e.extensions.code === 'QUERY_TOO_COMPLEX');
    expect(errors.map((e) => e.extensions.limit)).toContain(limit);
    const error = errors.find((e) => e.extensions.limit === limit)!;
    expect(error.message).toMatch(/^Query too complex: .* \(limit MAX_QUERY_[A-Z]+=\d+\)$/);
  });

  it('refuses a response name repeated more than MAX_QUERY_FIELD_REPEATS times in one merged selection set', () => {
    const ok = `{ me { customer { ${'trunks { id } '.repeat(20)}} } }`;
    expect(errorsOf(ok)).toEqual([]);
    // Fragments defined before the operation, each spread once per set: the repeats add up.
    const merged = `fragment A on Customer { ${'trunks { id } '.repeat(11)}} fragment B on Customer { ${'trunks { id } '.repeat(10)}}
      query { me { customer { ...A ...B ...A } } }`;
    expect(errorsOf(merged)[0]).toMatchObject({
      message: 'Query too complex: "trunks" is selected 21 times in one selection set (limit MAX_QUERY_FIELD_REPEATS=20)',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'fieldRepeats', max: 20 },
    });
  });

  it('counts a fragment bomb without expanding it exponentially', () => {
    const bomb = fragmentBomb();
    expect(bomb.length).toBeLessThan(2_000);
    const started = process.hrtime.bigint();
    const errors = errorsOf(bomb);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(errors.map((e) => e.extensions.limit)).toEqual(expect.arrayContaining(['depth', 'aliases', 'cost']));
    // Generous bound for a shared 2-core CI VM; measured ~30 ms.
    expect(ms).toBeLessThan(1_000);
  });

  it('prechecks query text for HTTP with the limits alone, leaving parse errors to Apollo', () => {
    expect(guard.precheck(DASHBOARD)).toEqual([]);
    expect(guard.precheck('{ me { ')).toEqual([]);
    expect(guard.precheck(undefined)).toEqual([]);
    const repeated = guard.precheck(`{ me { customer { ${'trunks { id } '.repeat(245)}} } }`);
    expect(repeated.map((e) => e.extensions.limit)).toEqual(['fieldRepeats']);
  });

  it('survives fragment cycles (graphql-js reports them)', () => {
    const cycle = 'query { me { customer { ...A } } } fragment A on Customer { trunks { customer { ...B } } } fragment B on Customer { id ...A }';
    expect(errorsOf(cycle).map((e) => e.message)).toEqual(['Cannot spread fragment "A" within itself via "B".']);
  });

  it('stops parsing at the token limit and reports it as QUERY_TOO_COMPLEX', () => {
    let message = '';
    try {
      parse(`{ me { ${'role '.repeat(5_000)}} }`, guard.parseOptions);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(asTokenLimitError({ message })).toEqual({
      message: 'Query too complex: the document has more than 1000 tokens (limit MAX_QUERY_TOKENS=1000)',
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens', max: 1000 },
    });
  });

  it('hides field suggestions in production only', () => {
    expect(errorsOf('{ me { rol } }').map((e) => e.message)).toEqual(['Cannot query field "rol" on type "Principal".']);
    const dev = createOperationGuard(schema, loadConfig({}));
    expect(errorsOf('{ me { rol } }', dev)[0].message).toContain('Did you mean "role"?');
  });

  it('knows the size of every list of objects in the schema', () => {
    expect(listFieldsWithoutSize(schema)).toEqual([]);
  });
});
