import { parse } from 'graphql';
import { submittedCdrCount } from './submitted-cdrs';

const count = (query: string, variables?: Record<string, unknown>, operationName?: string) => submittedCdrCount(parse(query), operationName, variables);
const cdr = '{ callId: "a", callee: "1", startedAt: "2026-01-01T00:00:00Z", duration: 1, disposition: ANSWERED, charge: "0" }';

describe('submittedCdrCount', () => {
  it('counts the records of a variable list', () => {
    expect(count('mutation ($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted } }', { c: [{}, {}, {}] })).toBe(3);
  });

  it('counts inline records and a single object variable (coerced to a list of one)', () => {
    expect(count(`mutation { submitCdrs(cdrs: [${cdr}, ${cdr}]) { accepted } }`)).toBe(2);
    expect(count('mutation ($c: CdrInput!) { submitCdrs(cdrs: $c) { accepted } }', { c: {} })).toBe(1);
  });

  it('adds every submitCdrs of the operation: aliases, inline fragments and fragment spreads', () => {
    const query = `
      mutation ($a: [CdrInput!]!, $b: [CdrInput!]!) {
        one: submitCdrs(cdrs: $a) { accepted }
        two: submitCdrs(cdrs: $b) { accepted }
        ... on Mutation { three: submitCdrs(cdrs: $a) { accepted } }
        ...More
      }
      fragment More on Mutation { four: submitCdrs(cdrs: $b) { accepted } }`;
    expect(count(query, { a: [{}, {}], b: [{}] })).toBe(2 + 1 + 2 + 1);
  });

  it('counts only the operation that runs, and nothing for queries', () => {
    const doc = 'mutation A($c: [CdrInput!]!) { submitCdrs(cdrs: $c) { accepted } } query B { me { role } }';
    expect(count(doc, { c: [{}, {}] }, 'A')).toBe(2);
    expect(count(doc, { c: [{}, {}] }, 'B')).toBe(0);
    expect(count(doc, { c: [{}, {}] })).toBe(0);
  });
});
