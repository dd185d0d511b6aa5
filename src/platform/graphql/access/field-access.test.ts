import { parse, type GraphQLSchema } from 'graphql';
import { Role } from '../role';
import { EventBus } from '../../pubsub/event-bus';
import { buildAppSchema } from '../../../app/schema';
import type { Principal } from '../context';
import { fieldAccessCheck } from './field-access';

const principal = (role: Role): Principal => ({ role, apiKeyId: 'k', customerId: role === Role.CUSTOMER ? 'c' : null });

describe('fieldAccessCheck', () => {
  let schema: GraphQLSchema;
  let check: ReturnType<typeof fieldAccessCheck>;
  const refused = (query: string, role: Role, operationName?: string) => {
    const errors = check(schema, { document: parse(query), operationName, variables: null, principal: principal(role) });
    return errors.length ? { code: errors[0].extensions.code, coordinate: errors[0].extensions.coordinate, message: errors[0].message } : null;
  };

  beforeAll(async () => {
    schema = await buildAppSchema(EventBus.inProcess('field-access-test').asTypeGraphQL());
    check = fieldAccessCheck(schema);
  });

  it('names the first refused field and the role', () => {
    expect(refused('{ customers { nodes { id name } } }', Role.INGEST)).toEqual({
      code: 'FORBIDDEN',
      coordinate: 'Query.customers',
      message: 'The INGEST role may not read Query.customers',
    });
    expect(refused('{ customers { nodes { id name taxId } } }', Role.CUSTOMER)).toBeNull();
  });

  it('follows fragment spreads and inline fragments, on objects and interfaces', () => {
    const viaFragment = 'query Q { alertEvents { nodes { ...E } } } fragment E on AlertEvent { definition { title ...R } } fragment R on AlertDefinition { phones }';
    expect(refused(viaFragment, Role.CUSTOMER)?.coordinate).toBe('AlertDefinition.phones');
    expect(refused(viaFragment, Role.NOC)).toBeNull();
    expect(refused('{ node(id: "x") { id ... on Customer { customerClass { customers { nodes { id } } } } } }', Role.CUSTOMER)?.coordinate).toBe('CustomerClass.customers');
    expect(refused('{ node(id: "x") { ... on AlertDefinition { ... on Node { id } webhookUrls } } }', Role.CUSTOMER)?.coordinate).toBe('AlertDefinition.webhookUrls');
  });

  it('always allows __typename and leaves introspection to its own rule', () => {
    expect(refused('{ __typename me { __typename role } }', Role.INGEST)).toBeNull();
    expect(refused('{ __schema { types { name } } __type(name: "Customer") { fields { name } } }', Role.INGEST)).toBeNull();
  });

  it('checks the operation that runs, and answers per role for one document', () => {
    const doc = parse('query Mine { me { role } } query Theirs { apiKeys { name } }');
    const run = (role: Role, operationName: string) => check(schema, { document: doc, operationName, variables: null, principal: principal(role) }).length;
    expect(run(Role.CUSTOMER, 'Mine')).toBe(0);
    expect(run(Role.CUSTOMER, 'Theirs')).toBe(1);
    expect(run(Role.NOC, 'Theirs')).toBe(0);
    // The cached answer for one role is not another role's.
    expect(run(Role.CUSTOMER, 'Theirs')).toBe(1);
    expect(run(Role.INGEST, 'Mine')).toBe(0);
  });

  it("keeps the README's INGEST selection and refuses the customer's details", () => {
    const readme =
      'mutation Submit($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted duplicates rejected { index callId code field reason } balanceChanges { customer { id } balance delta } alertEvents { kind subject } } }';
    expect(refused(readme, Role.INGEST)).toBeNull();
    expect(refused(readme.replace('customer { id }', 'customer { id name }'), Role.INGEST)?.coordinate).toBe('Customer.name');
    expect(refused(readme.replace('alertEvents { kind subject }', 'alertEvents { definition { emails } }'), Role.INGEST)?.coordinate).toBe('AlertDefinition.emails');
    expect(refused(readme, Role.NOC)?.coordinate).toBe('Mutation.submitCdrs');
  });
});
