/**
 * Property-based fuzzing of every query and mutation. The operations come from the
 * built schema, not from a list: each root Query and Mutation field is called with a
 * small selection of its result (leaves, and the leaves of objects one level down) and
 * variables generated from its arguments' types: hostile strings (NUL, lone surrogates,
 * huge, empty, SQL-ish, template-ish), ints at and past 32 bits, Decimals out of range
 * or in exponent form, odd DateTimes, ids of every type and malformed ones, hand-made
 * cursors, bad enum values, empty and long lists, input objects with fields missing or
 * extra. Mostly with an ADMIN key (it may do everything, so most requests get past
 * authorization), some with NOC, INGEST and CUSTOMER keys.
 *
 * Asserted for every request: no INTERNAL_SERVER_ERROR, and a request answered with
 * errors changed nothing. Background jobs are off (SCHEDULER_INTERVAL_MS=0), requests
 * run one at a time, and the digest of every table is taken after every request: the
 * baseline is always the state the previous request left, so a difference after an
 * erroring request was made by that request (a successful one moves the baseline on).
 */
import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type IntrospectionQuery,
} from 'graphql';
import { ID_PREFIX } from '../../src/platform/common/global-id';
import { allTables, databaseDigest } from '../helpers/db-state';
import { FUZZ_SETTINGS } from '../helpers/test-env';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Requests in all (FUZZ_RUNS): 2,500 take about 75 s on an idle 2-core VM. */
const RUNS = FUZZ_SETTINGS.runs;

interface Response {
  data?: unknown;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[];
}

async function post(url: string, key: string, query: string, variables: unknown): Promise<{ status: number; body: Response }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Response };
}

/** Real ids and cursors met so far, by type: generated ids are sometimes ones that exist. */
const known: Record<string, string[]> = {};
const cursors: string[] = [];
/** The ids of the keys the fuzzer calls with: never offered to revokeApiKey. */
const protectedIds = new Set<string>();
function remember(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(remember);
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'id' && typeof v === 'string' && !protectedIds.has(v)) {
      const prefix = v.split('_', 1)[0];
      const list = (known[prefix] ??= []);
      if (!list.includes(v) && list.length < 50) list.push(v);
    } else if ((k === 'endCursor' || k === 'cursor') && typeof v === 'string' && cursors.length < 50 && !cursors.includes(v)) {
      cursors.push(v);
    } else remember(v);
  }
}

// ---- values by type ----------------------------------------------------------------

const hostileText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udc00y',
    '\udbff\udfff',
    '😀',
    'ümlaut ÆØÅ 中文 עברית',
    "'; DROP TABLE customers; --",
    "' OR '1'='1",
    '%',
    '_',
    '\\',
    '$1',
    '{{log "forged"}}',
    '{{> partial}}',
    '{{#each (lookup this "x")}}{{/each}}',
    '{{constructor.constructor}}',
    'a@b.test',
    'not-an-email',
    'http://127.0.0.1:1/hook',
    'http://169.254.169.254/latest',
    '10.0.0.0/8',
    '::ffff:10.0.0.1',
    '0x7f.1',
    '1e400',
    'NaN',
    '-0',
    'null',
    'true',
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 8 }),
  fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)),
);
const plainText = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9 -]{0,15}$/), fc.constantFrom('fuzz-trunk', 'Fuzz Co', 'ops@fuzz.test'));

const ints = fc.oneof(
  fc.integer({ min: -5, max: 600 }),
  fc.constantFrom(0, 1, 50, 500, 501, -1, 2147483647, -2147483648, 2147483648, -2147483649, 9007199254740991, 1e21, 1.5),
);

const decimals = fc.oneof(
  fc.constantFrom('0', '1', '-1', '0.5', '12.3456789012', '999999999999999999', '-999999999999999999', '999999999999999999.9999999999', '1000000000000000000'),
  fc.constantFrom('1e5', '1E-3', 'NaN', 'Infinity', '-0', '+1', ' 5 ', '1.', '.5', '0x10', '1'.repeat(40), '0.' + '1'.repeat(20), ''),
  fc.constantFrom(12, 1.5, -3, 1e300),
  fc.tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.nat(9999)).map(([i, f]) => `${i}.${f}`),
);

const dateTimes = fc.oneof(
  fc.integer({ min: Date.now() - 86_400_000 * 30, max: Date.now() }).map((t) => new Date(t).toISOString()),
  fc.constantFrom(
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00Z',
    '2026-11-23T10:15:00+25:00',
    '2026-11-23T24:00:00Z',
    '2026-11-23',
    'now',
    '',
    0,
    1e15,
  ),
);

const uuid = fc.uuid({ version: 4 });
const prefixes = Object.values(ID_PREFIX);
const ids = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...prefixes).chain((p) => (known[p]?.length ? fc.constantFrom(...known[p]) : uuid.map((u) => `${p}_${u}`))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...prefixes), uuid).map(([p, u]) => `${p}_${u}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...prefixes, 'nope', ''), fc.oneof(fc.nat().map(String), fc.constantFrom('0', '-1', '99999999999999999999', '1e3', 'NaN', ' 1'), hostileText)).map(([p, s]) => `${p}_${s}`) },
  { weight: 1, arbitrary: hostileText },
);

const cursorKeys = fc.array(
  fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.constant(null), uuid, fc.constantFrom('NAME', 'BALANCE', 'CREATED_AT', '2026-11-23T10:15:00Z', '10.0.0.0/8', 'NaN', '1e400', '\u0000')),
  { maxLength: 4 },
);
const afterCursors = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null).chain(() => (cursors.length ? fc.constantFrom(...cursors) : fc.constant(null))) },
  { weight: 4, arbitrary: cursorKeys.map((k) => Buffer.from(JSON.stringify(k)).toString('base64url')) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url')) },
  { weight: 1, arbitrary: hostileText },
);

/** The id prefix an argument or input field most likely wants, from its name and the operation's. */
function prefixFor(name: string, opName: string): string | undefined {
  const byName: Record<string, string> = { customerId: 'cus', ids: 'cus', customerClassId: 'cls', trunkId: 'trk', definitionId: 'alr', templateId: 'tpl' };
  if (byName[name]) return byName[name];
  if (name !== 'id') return undefined;
  const types = Object.entries(ID_PREFIX).sort((a, b) => b[0].length - a[0].length);
  return types.find(([type]) => opName.toLowerCase().includes(type.toLowerCase()))?.[1];
}

function idsFor(prefix: string | undefined): fc.Arbitrary<unknown> {
  if (!prefix) return ids;
  const own = fc.constant(null).chain(() => (known[prefix]?.length ? fc.constantFrom(...known[prefix]) : uuid.map((u) => `${prefix}_${u}`)));
  return fc.oneof({ weight: 3, arbitrary: own }, { weight: 1, arbitrary: ids });
}

/** Plausible values by field name, so that most input objects get past the services' checks and into SQL. */
function plausibleText(name: string): fc.Arbitrary<string> {
  const n = name.toLowerCase();
  if (n.includes('email') || n === 'emails' || n === 'bcc') return fc.constantFrom('ops@fuzz.test', 'a@b.test, c@d.test');
  if (n.includes('url')) return fc.constantFrom('http://127.0.0.1:9/hook', 'https://127.0.0.1/x');
  if (n === 'ip' || n === 'sourceip') return fc.constantFrom('10.9.1.2', '10.9.0.0/16', '::1', '192.0.2.1');
  if (n === 'phones' || n === 'phone') return fc.constantFrom('+4930123456');
  if (n === 'trunk') return fc.constantFrom('fuzz-trunk');
  return plainText;
}

function scalarValues(type: GraphQLNamedType, argName: string, opName: string): fc.Arbitrary<unknown> {
  switch (type.name) {
    case 'String':
      if (argName === 'after') return afterCursors;
      return fc.oneof({ weight: 6, arbitrary: plausibleText(argName) }, { weight: 1, arbitrary: hostileText });
    case 'ID':
      return idsFor(prefixFor(argName, opName));
    case 'Int':
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 1, arbitrary: ints });
    case 'Float':
      return fc.oneof(ints, fc.double());
    case 'Boolean':
      return fc.oneof({ weight: 9, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 0) });
    case 'Decimal':
      return fc.oneof({ weight: 3, arbitrary: fc.tuple(fc.nat(1000), fc.nat(99)).map(([i, f]) => `${i}.${f}`) }, { weight: 2, arbitrary: decimals });
    case 'DateTime':
      return dateTimes;
    default:
      return fc.oneof(hostileText, ints);
  }
}

const memo = new Map<string, fc.Arbitrary<unknown>>();

/** Values of an input type; argName steers strings (cursors for `after`). */
function valuesOf(type: GraphQLInputType, argName: string, opName: string, depth = 0): fc.Arbitrary<unknown> {
  const nullable = !isNonNullType(type);
  if (isNonNullType(type)) type = type.ofType;
  const present = ((): fc.Arbitrary<unknown> => {
    if (isListType(type)) {
      const item = valuesOf(type.ofType, argName, opName, depth + 1);
      return fc.oneof({ weight: 12, arbitrary: fc.array(item, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: 100, maxLength: 600 }) });
    }
    if (isEnumType(type)) {
      return fc.oneof({ weight: 15, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.value as string)) }, { weight: 1, arbitrary: hostileText });
    }
    if (isInputObjectType(type)) {
      const key = `${type.name}:${argName}:${opName}`;
      let arb = memo.get(key);
      if (!arb) {
        const fields = Object.values(type.getFields());
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const f of fields) {
          const v = valuesOf(f.type, f.name, opName, depth + 1);
          // Optional fields are left out half the time, so most inputs stay plausible.
          record[f.name] = isNonNullType(f.type) ? v : fc.oneof(fc.constant(undefined), v);
        }
        arb = fc
          .tuple(fc.record(record), fc.nat(40), fc.constantFrom(...fields.map((f) => f.name)))
          .map(([obj, dice, field]) => {
            const out: Record<string, unknown> = Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
            if (dice === 0) delete out[field]; // a required field missing
            if (dice === 1) out.notAField = 'x'; // a field the type does not have
            return out;
          });
        memo.set(key, arb);
      }
      return arb;
    }
    return scalarValues(type, argName, opName);
  })();
  // null where the type allows it now and then; where it does not, rarely (variable coercion refuses it).
  return fc.oneof({ weight: nullable ? 8 : 40, arbitrary: present }, { weight: 1, arbitrary: fc.constant(null) });
}

// ---- operations from the schema ----------------------------------------------------

function leaves(type: GraphQLNamedType): string[] {
  if (!isObjectType(type) && !isInterfaceType(type)) return [];
  return Object.values(type.getFields())
    .filter((f) => f.args.every((a) => !isNonNullType(a.type)) && isLeafType(getNamedType(f.type)))
    .map((f) => f.name);
}

/** Leaves of the type and the leaves of its object fields (one level): enough to run their resolvers, small enough for any cost limit. */
function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) return `{ __typename ${named.getTypes().map((t) => `... on ${t.name} { ${leaves(t).join(' ')} }`).join(' ')} }`;
  const own = leaves(named);
  const nested = Object.values((named as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields())
    .filter((f) => f.args.every((a) => !isNonNullType(a.type)) && !isLeafType(getNamedType(f.type)))
    .map((f) => {
      const inner = getNamedType(f.type);
      const innerLeaves = isUnionType(inner) ? ['__typename'] : leaves(inner);
      return innerLeaves.length ? `${f.name} { ${innerLeaves.join(' ')} }` : '';
    })
    .filter(Boolean);
  return `{ __typename ${[...own, ...nested].join(' ')} }`;
}

interface FuzzOperation {
  name: string;
  query: string;
  variables: fc.Arbitrary<Record<string, unknown>>;
}

/** The operations of the schema the server serves (read by introspection, as a client's tooling would). */
async function operations(server: TestServer): Promise<FuzzOperation[]> {
  const introspection = await post(server.url, server.adminKey, getIntrospectionQuery(), {});
  const schema = buildClientSchema(introspection.body.data as IntrospectionQuery);
  const out: FuzzOperation[] = [];
  for (const [kind, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root!.getFields())) {
      const defs = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const query = `${kind} Fuzz${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection(field.type)} }`;
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const a of field.args) record[a.name] = isNonNullType(a.type) ? valuesOf(a.type, a.name, field.name) : fc.oneof(fc.constant(undefined), valuesOf(a.type, a.name, field.name));
      out.push({ name: field.name, query, variables: fc.record(record) });
    }
  }
  return out;
}

// ---- the run -----------------------------------------------------------------------

/** JSON of a request and its answer with long strings shortened, for a readable counterexample. */
function compact(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 40)}...<${v.length} chars>` : v)).slice(0, 6000);
}

describe('fuzzing every query and mutation with hostile arguments', () => {
  let server: TestServer;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const admin = (query: string, variables: Record<string, unknown> = {}) => post(server.url, server.adminKey, query, variables).then((r) => r.body);
    // A little of everything, so generated ids sometimes name rows that exist.
    const cls = await admin(`mutation { createCustomerClass(input: { name: "fuzz class" }) { id } }`);
    const tpl = await admin(`mutation { createNotificationTemplate(input: { name: "fuzz tpl", messages: [{ kind: LOW_BALANCE, subject: "s {{customer.name}}", body: "b" }] }) { id } }`);
    remember([cls, tpl]);
    for (const name of ['Fuzz A', 'Fuzz B']) {
      const c = await admin(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }`, {
        input: { name, balance: '100', creditLimit: '50', customerClassId: known.cls?.[0], mainEmail: 'a@fuzz.test' },
      });
      remember(c);
    }
    const [a, b] = known.cus;
    remember(await admin(`mutation($c: ID!) { createTrunk(input: { name: "fuzz-trunk", customerId: $c, direction: INGRESS }) { id } }`, { c: a }));
    remember(await admin(`mutation($t: ID!) { createHost(input: { trunkId: $t, ip: "10.9.0.0/16" }) { id } }`, { t: known.trk[0] }));
    remember(
      await admin(`mutation($c: ID!) { createAlertDefinition(input: { title: "fuzz rule", area: BALANCE, operator: LT, threshold: "10", customerId: $c }) { id } }`, {
        c: a,
      }),
    );
    // A rule of every area for every customer: each balance change and CDR then runs every evaluation path.
    for (const area of ['BALANCE', 'AVAILABLE_CREDIT', 'ACCRUED_CHARGES', 'SPEND', 'CALL_COUNT', 'ASR', 'ACD', 'CALL_DURATION']) {
      const windowed = ['SPEND', 'CALL_COUNT', 'ASR', 'ACD'].includes(area);
      remember(
        await admin(`mutation($input: AlertDefinitionInput!) { createAlertDefinition(input: $input) { id } }`, {
          input: { title: `fuzz ${area}`, area, operator: 'GT', threshold: '1', samplePeriod: windowed ? 300 : null, webhookUrls: ['http://127.0.0.1:9/hook'] },
        }),
      );
    }
    const now = Date.now();
    remember(
      await admin(`mutation($cdrs: [CdrInput!]!) { submitCdrs(cdrs: $cdrs) { accepted } }`, {
        cdrs: [a, b].map((customerId, i) => ({ callId: `fuzz-seed-${i}`, customerId, callee: '4930', startedAt: new Date(now - 60_000).toISOString(), duration: 30, disposition: 'ANSWERED', charge: '0.5' })),
      }),
    );
    for (const role of ['NOC', 'INGEST', 'CUSTOMER'] as const) {
      const r = (await admin(`mutation($role: Role!, $c: ID) { createApiKey(name: "fuzz ${role}", role: $role, customerId: $c) { secret } }`, {
        role,
        c: role === 'CUSTOMER' ? a : null,
      })) as { data: { createApiKey: { secret: string } } };
      keys[role] = r.data.createApiKey.secret;
    }
    // Sacrificial keys: the fuzzer may revoke these, never the ones it calls with.
    for (const n of [1, 2]) remember(await admin(`mutation { createApiKey(name: "spare ${n}", role: NOC) { apiKey { id } } }`));
    remember(await admin(`{ cdrs(first: 1) { edges { cursor node { id } } } customers(first: 1) { pageInfo { endCursor } } trunks(first: 1) { pageInfo { endCursor } } }`));
    keys.ADMIN = server.adminKey;
    for (const key of Object.values(keys)) {
      const me = (await post(server.url, key, '{ me { apiKey { id } } }', {})).body as { data: { me: { apiKey: { id: string } } } };
      protectedIds.add(me.data.me.apiKey.id);
    }
    known.key = (known.key ?? []).filter((id) => !protectedIds.has(id));
  }, 60_000);


  it('answers every request without INTERNAL_SERVER_ERROR, and a request with errors changes nothing', async () => {
    // FUZZ_ONLY=createCustomer,customers narrows a run to some operations (to chase one finding).
    const only = FUZZ_SETTINGS.only;
    const ops = (await operations(server)).filter((o) => !only || only.includes(o.name));
    const tables = await allTables(server);
    let baseline = await databaseDigest(server, tables);
    const stats = { requests: 0, executed: 0, succeeded: 0, refusedBeforeExecution: 0, erroredAfterExecution: 0 };
    const perOperation = new Map<string, { requests: number; executed: number }>();
    const codes = new Map<string, number>();

    const request = fc.record({
      op: fc.constantFrom(...ops),
      role: fc.oneof({ weight: 8, arbitrary: fc.constant('ADMIN') }, { weight: 2, arbitrary: fc.constantFrom('NOC', 'INGEST', 'CUSTOMER') }),
      seed: fc.nat(),
    });
    const run = await fc.check(
      fc.asyncProperty(
        request.chain(({ op, role }) => op.variables.map((variables) => ({ op, role, variables }))),
        async ({ op, role, variables }) => {
          const { status, body } = await post(server.url, keys[role], op.query, variables);
          const errors = body.errors ?? [];
          const internal = errors.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || !e.extensions?.code);
          const counterexample = () => compact({ status, errors: errors.slice(0, 3), operation: op.query, role, variables });
          if (internal.length || status >= 500) throw new Error(`internal error: ${compact(internal)} in ${counterexample()}`);

          // 'data' is in the answer once execution started (a resolver ran or was refused by one).
          const executed = 'data' in body;
          stats.requests++;
          const s = perOperation.get(op.name) ?? { requests: 0, executed: 0 };
          s.requests++;
          if (executed) {
            stats.executed++;
            s.executed++;
          }
          perOperation.set(op.name, s);
          for (const e of errors) codes.set(e.extensions!.code!, (codes.get(e.extensions!.code!) ?? 0) + 1);
          if (FUZZ_SETTINGS.trace) console.log(compact({ status, errors: errors.map((e) => e.message), variables }));
          remember(body.data);

          const after = await databaseDigest(server, tables);
          if (errors.length) {
            if (executed) stats.erroredAfterExecution++;
            else stats.refusedBeforeExecution++;
            const changed = Object.keys(after).filter((t) => after[t] !== baseline[t]);
            if (changed.length) throw new Error(`a request answered with errors changed ${changed.join(', ')}: ${counterexample()}`);
          } else stats.succeeded++;
          baseline = after;
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    // The error carries the counterexample, compacted (fast-check's own report prints every generated string in full).
    if (run.failed) throw run.errorInstance instanceof Error ? run.errorInstance : new Error(String(run.errorInstance));

    const share = (n: number) => `${((100 * n) / stats.requests).toFixed(1)}%`;
    const reached = [...perOperation].filter(([, s]) => s.executed > 0).map(([n]) => n);
    console.log(
      [
        `fuzz: ${stats.requests} requests over ${ops.length} operations (${perOperation.size} drawn, ${reached.length} reached execution)`,
        `executed (reached a resolver): ${stats.executed} (${share(stats.executed)}); succeeded: ${stats.succeeded} (${share(stats.succeeded)})`,
        `refused before execution (parse, validation, variable coercion, operation checks): ${stats.refusedBeforeExecution} (${share(stats.refusedBeforeExecution)})`,
        `errors after execution started: ${stats.erroredAfterExecution}; codes: ${JSON.stringify(Object.fromEntries(codes))}`,
        `never executed: ${ops.map((o) => o.name).filter((n) => !reached.includes(n)).join(', ') || 'none'}`,
      ].join('\n'),
    );
    expect(stats.requests).toBe(RUNS);
    // Every operation ran past validation at least once: the generators are not all refused at the door.
    expect(ops.map((o) => o.name).filter((n) => !reached.includes(n))).toEqual([]);
  }, 600_000);
});
