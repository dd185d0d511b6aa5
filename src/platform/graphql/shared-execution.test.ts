import { parse } from 'graphql';
import { JSONMessageReplacer, MessageType, stringifyMessage } from 'graphql-ws';
import { RequestContext, type Principal } from './context';
import { Role } from './role';
import { executeShared, executionKey, isSerialized, sharedPayloadMessage, sharedPayloadReplacer } from './shared-execution';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const ctx = (role: Role, customerId: string | null = null) => new RequestContext('r', { role, apiKeyId: 'k', customerId } satisfies Principal, logger);
const doc = parse(`subscription S($filter: AlertEventFilter, $after: String, $first: Int) {
  alertEvents(filter: $filter, after: $after) { id customer { alertStates(first: $first) { value } } }
}`);
const key = (c: RequestContext, variableValues: Record<string, unknown>) => executionKey({ schema: undefined as never, document: doc, contextValue: c, variableValues });

describe('executionKey', () => {
  it('ignores the root field arguments (they pick events) but not the variables the selection reads', () => {
    const noc = ctx(Role.NOC);
    expect(key(noc, { after: 'a', filter: { customerId: 'x' }, first: 5 })).toBe(key(noc, { after: 'b', first: 5 }));
    expect(key(noc, { first: 5 })).not.toBe(key(noc, { first: 6 }));
  });

  it('differs by role and by customer scope', () => {
    expect(key(ctx(Role.NOC), {})).not.toBe(key(ctx(Role.ADMIN), {}));
    expect(key(ctx(Role.CUSTOMER, 'c1'), {})).not.toBe(key(ctx(Role.CUSTOMER, 'c2'), {}));
    expect(key(ctx(Role.CUSTOMER, 'c1'), {})).toBe(key(ctx(Role.CUSTOMER, 'c1'), {}));
  });
});

describe('shared results', () => {
  it('executes once per event and key, and graphql-ws sends the shared JSON unchanged', async () => {
    const event = {};
    let runs = 0;
    const run = () => ({ data: { alertEvents: { id: String(++runs) } } });
    const [r1, r2] = await Promise.all([executeShared(event, 'k', run), executeShared(event, 'k', run)]);
    expect(runs).toBe(1);
    expect(r1).toBe(r2);
    expect(isSerialized(r1)).toBe(true);
    await executeShared(event, 'other', run);
    expect(runs).toBe(2);
    // The client's operation id may hold the marker text: only the payload is replaced.
    const id = '\u0000shared-result';
    const sent = sharedPayloadMessage(stringifyMessage({ id, type: MessageType.Next, payload: r1 }, sharedPayloadReplacer as JSONMessageReplacer));
    expect(JSON.parse(sent)).toEqual({ id, type: 'next', payload: { data: { alertEvents: { id: '1' } } } });
    // A message without a shared payload passes as it is.
    const plain = stringifyMessage({ id: '2', type: MessageType.Complete }, sharedPayloadReplacer as JSONMessageReplacer);
    expect(sharedPayloadMessage(plain)).toBe(plain);
  });
});
