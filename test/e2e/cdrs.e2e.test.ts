import { Client } from 'pg';
import { CdrNodeDocument, CdrsDocument, CreateApiKeyDocument, SubmitCdrsDocument, type CdrInput } from '../generated/graphql';
import { callId, cdr, cdrCount, createCustomer, createHost, createTrunk, ledgerCount, money, type TestCustomer } from '../helpers/cdr-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { BALANCE_CHANGED } from '../../src/modules/balance/balance.topics';

describe('submitCdrs', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  const submit = async (cdrs: CdrInput[]) => (await server.http().data(SubmitCdrsDocument, { cdrs })).submitCdrs;
  const key = async (role: 'NOC' | 'INGEST' | 'CUSTOMER', customer?: TestCustomer) =>
    (await server.http().data(CreateApiKeyDocument, { name: `${role} key`, role, customerId: customer?.id })).createApiKey.secret;

  it('resolves customers by id, ingress trunk name and most specific host block, and charges once per customer', async () => {
    const services = server.app.services;
    const a = await createCustomer(services, 'Resolve A', '100');
    const b = await createCustomer(services, 'Resolve B', '50');
    const c = await createCustomer(services, 'Resolve C');
    const trunkA = await createTrunk(services, a, 'resolve-a-in');
    const trunkB = await createTrunk(services, b, 'resolve-b-in');
    const egressC = await createTrunk(services, c, 'resolve-c-out', 'EGRESS');
    await createHost(services, trunkA, '10.20.0.0/16');
    await createHost(services, trunkB, '10.20.30.0/24'); // more specific than A's /16
    await createHost(services, trunkA, '10.20.30.40/32', false); // disabled: ignored
    await createHost(services, egressC, '10.20.30.41/32'); // egress: ignored
    const events: string[] = [];
    const stop = await services.events.listen(BALANCE_CHANGED, (p) => void events.push(`${p.customerId}:${p.delta}`));

    const batch = [
      cdr(a, { charge: '1.5' }),
      cdr(null, { trunk: 'resolve-a-in', charge: '0.25' }),
      cdr(null, { sourceIp: '10.20.99.1', charge: '2' }), // only A's /16
      cdr(null, { sourceIp: '10.20.30.40', charge: '0.1' }), // B's /24 beats A's /16; A's /32 is disabled
      cdr(null, { sourceIp: '10.20.30.41', charge: '0.2' }), // B's /24 (C's host is on an egress trunk)
    ];
    const result = await submit(batch);
    stop();
    expect(result).toMatchObject({ accepted: 5, duplicates: 0, rejected: [] });
    const changes = Object.fromEntries(result.balanceChanges.map((ch) => [ch.customer.id, ch]));
    expect(changes[a.id]).toMatchObject({ previousBalance: '100', balance: '96.25', delta: '-3.75', reason: 'CDR_CHARGES' });
    expect(changes[b.id]).toMatchObject({ previousBalance: '50', balance: '49.7', delta: '-0.3', reason: 'CDR_CHARGES' });
    expect(result.balanceChanges).toHaveLength(2);
    expect(await money(services, a)).toEqual({ balance: '96.25', accrued: '3.75', ledgerSum: '96.25' });
    expect(await money(services, b)).toEqual({ balance: '49.7', accrued: '0.3', ledgerSum: '49.7' });
    expect(await ledgerCount(services, a)).toBe(2); // the payment and one CDR_CHARGES row for five records
    expect(events.sort()).toEqual([`${a.localId}:-3.75`, `${b.localId}:-0.3`].sort());

    const list = await server.http().data(CdrsDocument, { filter: { customerId: b.id } });
    expect(list.cdrs.totalCount).toBe(2);
    expect(list.cdrs.nodes.map((n) => n.trunk?.name)).toEqual(['resolve-b-in', 'resolve-b-in']);
    const byTrunk = await server.http().data(CdrsDocument, { filter: { customerId: a.id } });
    expect(byTrunk.cdrs.nodes.map((n) => [n.charge, n.trunk?.name ?? null]).sort()).toEqual(
      [['1.5', null], ['0.25', 'resolve-a-in'], ['2', 'resolve-a-in']].sort(),
    );
  });

  it('reports every bad row with its code and field and applies only the good ones', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Mixed', '10');
    const other = await createCustomer(services, 'Mixed other');
    const stored = cdr(cust, { charge: '1' });
    expect((await submit([stored])).accepted).toBe(1);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const shared = callId();
    const batch: CdrInput[] = [
      cdr(cust, { charge: '0.5' }), // 0 ok
      cdr(null), // 1 no customer reference
      cdr(cust, { trunk: 'x' }), // 2 two references
      cdr(cust, { duration: -1 }), // 3
      cdr(cust, { duration: 2 * 86_400 + 1 }), // 4
      cdr(cust, { charge: '-1' }), // 5
      cdr(cust, { startedAt: future }), // 6
      cdr(cust, { startedAt: '1970-01-01T00:00:00Z' }), // 7
      cdr(cust, { callee: '  ' }), // 8
      cdr(cust, { callee: '1'.repeat(65) }), // 9
      cdr(cust, { callId: '' }), // 10
      cdr(cust, { callId: 'x'.repeat(129) }), // 11
      cdr(cust, { caller: '1'.repeat(65) }), // 12 (a NUL refuses the whole request: see below)
      cdr(null, { sourceIp: '10.0.0.300' }), // 13
      cdr(null, { customerId: 'cus_00000000-0000-4000-8000-000000000000' }), // 14 unknown id
      cdr(null, { customerId: 'cus_nope' }), // 15 malformed id
      cdr(null, { trunk: 'no-such-trunk' }), // 16
      cdr(null, { sourceIp: '192.0.2.77' }), // 17 no host covers it
      cdr(cust, { callId: stored.callId, charge: '2', startedAt: stored.startedAt }), // 18 stored with other data
      cdr(other, { callId: stored.callId, charge: '1', startedAt: stored.startedAt }), // 19 DUPLICATE_IN_BATCH (18 came first)
      cdr(cust, { callId: shared, charge: '0.25' }), // 20 ok
      cdr(cust, { callId: shared, charge: '0.25' }), // 21 same callId again
      { ...stored }, // 22 exact duplicate of the stored one... but its callId is already in this batch (18)
    ];
    const result = await submit(batch);
    expect(result.accepted).toBe(2);
    expect(result.duplicates).toBe(0);
    expect(result.rejected.map((r) => [r.index, r.code, r.field])).toEqual([
      [1, 'INVALID', 'customerId'],
      [2, 'INVALID', 'trunk'],
      [3, 'INVALID', 'duration'],
      [4, 'INVALID', 'duration'],
      [5, 'INVALID', 'charge'],
      [6, 'INVALID', 'startedAt'],
      [7, 'INVALID', 'startedAt'],
      [8, 'INVALID', 'callee'],
      [9, 'INVALID', 'callee'],
      [10, 'INVALID', 'callId'],
      [11, 'INVALID', 'callId'],
      [12, 'INVALID', 'caller'],
      [13, 'INVALID', 'sourceIp'],
      [14, 'UNKNOWN_CUSTOMER', 'customerId'],
      [15, 'UNKNOWN_CUSTOMER', 'customerId'],
      [16, 'UNKNOWN_CUSTOMER', 'trunk'],
      [17, 'UNKNOWN_CUSTOMER', 'sourceIp'],
      [18, 'DUPLICATE_CONFLICT', 'charge'],
      [19, 'DUPLICATE_IN_BATCH', 'callId'],
      [21, 'DUPLICATE_IN_BATCH', 'callId'],
      [22, 'DUPLICATE_IN_BATCH', 'callId'],
    ]);
    expect(result.rejected[0]).toMatchObject({ callId: batch[1].callId, reason: expect.stringContaining('exactly one') });
    expect(result.rejected.every((r) => r.reason.length > 0)).toBe(true);
    expect(await money(services, cust)).toEqual({ balance: '8.25', accrued: '1.75', ledgerSum: '8.25' });
    expect(await cdrCount(services, cust)).toBe(3);
    expect(await cdrCount(services, other)).toBe(0);
    const [{ charge }] = await services.db.query<{ charge: string }>(`SELECT trim_scale(charge)::text AS charge FROM cdrs WHERE call_id = $1`, [stored.callId]);
    expect(charge).toBe('1');
  });

  it('refuses a batch with a NUL or a lone surrogate in any record before anything is stored, naming the record and field', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Unsafe text', '10');
    const good = [cdr(cust), cdr(cust), cdr(cust)];
    for (const [bad, field] of [[{ caller: 'a\u0000b' }, 'cdrs[3].caller'], [{ callId: 'x\ud800' }, 'cdrs[3].callId'], [{ callee: '\udc00' }, 'cdrs[3].callee']] as const) {
      const r = await server.http().request(SubmitCdrsDocument, { cdrs: [...good, cdr(cust, bad)] });
      expect(r.status).toBe(400);
      expect(r.data).toBeUndefined();
      expect(r.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    expect(await cdrCount(services, cust)).toBe(0);
    expect(await money(services, cust)).toEqual({ balance: '10', accrued: '0', ledgerSum: '10' });
  });

  it('rejects the records of a customer whose balance would overflow (OVERFLOW) and charges the rest of the batch', async () => {
    const services = server.app.services;
    const near = await createCustomer(services, 'Near the floor', '-999999999999999990');
    const fine = await createCustomer(services, 'Ordinary', '100');
    const accrued = await createCustomer(services, 'Accrued near the top', '0');
    await services.db.query(`UPDATE customers SET accrued_charges = 999999999999999999 WHERE id = $1`, [accrued.localId]);
    const batch = [
      cdr(near, { charge: '4' }), // 0: with 1 the total is 10: -999999999999999990 - 10 overflows
      cdr(fine, { charge: '2.5' }), // 1
      cdr(near, { charge: '6' }), // 2
      cdr(accrued, { charge: '1' }), // 3: accrued charges would reach 10^18
      cdr(fine, { charge: '0.5' }), // 4
    ];
    const result = await submit(batch);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.code, r.field])).toEqual([
      [0, 'OVERFLOW', 'charge'],
      [2, 'OVERFLOW', 'charge'],
      [3, 'OVERFLOW', 'charge'],
    ]);
    expect(result.balanceChanges.map((c) => c.customer.id)).toEqual([fine.id]);
    expect(await money(services, fine)).toEqual({ balance: '97', accrued: '3', ledgerSum: '97' });
    expect(await money(services, near)).toEqual({ balance: '-999999999999999990', accrued: '0', ledgerSum: '-999999999999999990' });
    expect(await cdrCount(services, near)).toBe(0);
    expect(await cdrCount(services, accrued)).toBe(0);
    // Within range the same customer is charged as usual.
    expect((await submit([cdr(near, { charge: '9' })])).accepted).toBe(1);
    expect((await money(services, near)).balance).toBe('-999999999999999999');
  });

  it('refuses hand-made cursors whose values do not fit the list (BAD_USER_INPUT, not a failed cast)', async () => {
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const after of [forge(['yesterday', '1']), forge(['2026-01-01T00:00:00Z', 'x']), forge([1e308, 1]), forge(['2026-01-01T00:00:00Z', '99999999999999999999']), forge(['a\u0000', '1']), forge(['NaN', 'NaN'])]) {
      const r = await server.http().request(CdrsDocument, { after });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('calls a resubmission with other data DUPLICATE_CONFLICT naming the field', async () => {
    const cust = await createCustomer(server.app.services, 'Conflict');
    const first = cdr(cust, { duration: 30 });
    await submit([first]);
    const result = await submit([{ ...first, duration: 31 }, { ...first, callId: first.callId, disposition: 'BUSY' }]);
    expect(result.rejected.map((r) => [r.code, r.field])).toEqual([
      ['DUPLICATE_CONFLICT', 'duration'],
      ['DUPLICATE_IN_BATCH', 'callId'],
    ]);
    const again = await submit([{ ...first, callee: '999' }]);
    expect(again.rejected[0]).toMatchObject({ index: 0, callId: first.callId, code: 'DUPLICATE_CONFLICT', field: 'callee' });
  });

  it('keeps a callId unique within the UTC day of its start: another start that day is DUPLICATE_CONFLICT on startedAt, another day is another call', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'CallIdDay', '10');
    const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const yesterday = dayStart - 86_400_000;
    const first = cdr(cust, { startedAt: new Date(yesterday + 3_600_000).toISOString(), charge: '1' });
    expect(await submit([first])).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    const sameDay = await submit([{ ...first, startedAt: new Date(yesterday + 86_399_999).toISOString() }]);
    expect(sameDay).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(sameDay.rejected).toEqual([expect.objectContaining({ index: 0, callId: first.callId, code: 'DUPLICATE_CONFLICT', field: 'startedAt' })]);
    // Concurrent resends with other starts on that day: the day's unique index lets none through.
    const racing = await Promise.all([1, 2, 3].map((m) => submit([{ ...first, startedAt: new Date(yesterday + m * 60_000).toISOString() }])));
    expect(racing.map((r) => [r.accepted, r.rejected[0]?.code])).toEqual([
      [0, 'DUPLICATE_CONFLICT'],
      [0, 'DUPLICATE_CONFLICT'],
      [0, 'DUPLICATE_CONFLICT'],
    ]);
    expect((await money(services, cust)).balance).toBe('9');
    const nextDay = await submit([{ ...first, startedAt: new Date(dayStart + 60_000).toISOString() }]);
    expect(nextDay).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect((await money(services, cust)).balance).toBe('8');
    expect(await submit([{ ...first, startedAt: new Date(dayStart + 60_000).toISOString() }])).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
  });

  it('stores every start exact to the millisecond, whatever the span of the batch and the order of its callIds', async () => {
    const cust = await createCustomer(server.app.services, 'StartSpan', '10');
    const now = Date.now();
    // Starts go as offsets from the first record after the sort by callId (cdr-insert.ts):
    // "m" sorts first, so the others lie before it (years, and beyond 2^31 ms) and after it.
    const starts: Record<string, string> = {
      m: new Date(now - 86_400_000 - 1).toISOString(),
      a: '2000-01-01T00:00:00.001Z',
      b: new Date(now - 5 * 365 * 86_400_000 + 999).toISOString(),
      y: new Date(now - 1).toISOString(),
      z: new Date(now + 60_000 + 7).toISOString(), // ahead, within the clock skew allowed
    };
    const tag = callId();
    const batch = Object.entries(starts).map(([k, startedAt]) => cdr(cust, { callId: `${k === 'm' ? '0' : '1'}-${tag}-${k}`, startedAt }));
    expect(await submit(batch)).toMatchObject({ accepted: 5, duplicates: 0, rejected: [] });
    const list = await server.http().data(CdrsDocument, { filter: { customerId: cust.id } });
    const stored = Object.fromEntries(list.cdrs.nodes.map((n) => [n.callId.slice(-1), n.startedAt]));
    expect(stored).toEqual(starts);
    // And resent, each is the same call: the day and start it was stored under.
    expect(await submit([...batch].reverse())).toMatchObject({ accepted: 0, duplicates: 5, rejected: [] });
  });

  it('changes nothing on a 100% duplicate replay', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Replay', '20');
    const trunk = await createTrunk(services, cust, 'replay-in');
    await createHost(services, trunk, '198.51.100.0/24');
    const batch = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 0 ? cdr(cust, { charge: '0.01' }) : i % 3 === 1 ? cdr(null, { trunk: 'replay-in', charge: '0.02' }) : cdr(null, { sourceIp: '198.51.100.9', charge: '0.03' }),
    );
    const first = await submit(batch);
    expect(first).toMatchObject({ accepted: 300, duplicates: 0, rejected: [] });
    const before = { money: await money(services, cust), ledger: await ledgerCount(services, cust), cdrs: await cdrCount(services) };
    expect(before.money).toEqual({ balance: '14', accrued: '6', ledgerSum: '14' });
    const events: unknown[] = [];
    const stop = await services.events.listen(BALANCE_CHANGED, (p) => void events.push(p));
    const replay = await submit([...batch].reverse());
    stop();
    expect(replay).toMatchObject({ accepted: 0, duplicates: 300, rejected: [], balanceChanges: [] });
    expect({ money: await money(services, cust), ledger: await ledgerCount(services, cust), cdrs: await cdrCount(services) }).toEqual(before);
    expect(events).toEqual([]);
  });

  it('sums 10,000 charges of 0.000001 to exactly 0.01', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Exact', '1');
    const batch = Array.from({ length: 10_000 }, () => cdr(cust, { charge: '0.000001' }));
    const result = await submit(batch);
    expect(result).toMatchObject({ accepted: 10_000, duplicates: 0, rejected: [] });
    expect(result.balanceChanges).toEqual([
      { customer: { id: cust.id }, previousBalance: '1', balance: '0.99', delta: '-0.01', reason: 'CDR_CHARGES' },
    ]);
    expect(await money(services, cust)).toEqual({ balance: '0.99', accrued: '0.01', ledgerSum: '0.99' });
  });

  it('refuses a batch over MAX_CDR_BATCH whole, and a malformed scalar whole', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Oversize', '5');
    const before = await cdrCount(services);
    const big = Array.from({ length: server.config.maxCdrBatch + 1 }, () => cdr(cust, { charge: '0.01' }));
    const r = await server.http().request(SubmitCdrsDocument, { cdrs: big });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toContain('MAX_CDR_BATCH');
    const bad = await server.http().request(SubmitCdrsDocument, { cdrs: [cdr(cust), cdr(cust, { charge: '1e5' })] });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // Past 50 malformed values graphql-js stops with an error of its own: still the client's input, not an internal error.
    const many = await server.http().request(SubmitCdrsDocument, { cdrs: Array.from({ length: 60 }, () => cdr(cust, { charge: '1e5' })) });
    expect(many.status).toBe(400);
    expect(many.errors).toHaveLength(51);
    expect(many.errors?.every((e) => e.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(await cdrCount(services)).toBe(before);
    expect(await money(services, cust)).toEqual({ balance: '5', accrued: '0', ledgerSum: '5' });
  });

  it('lets ADMIN and INGEST submit, NOC not; INGEST cannot read; CUSTOMER reads only its own', async () => {
    const services = server.app.services;
    const mine = await createCustomer(services, 'Roles mine');
    const theirs = await createCustomer(services, 'Roles theirs');
    const ingest = server.http(await key('INGEST'));
    const noc = server.http(await key('NOC'));
    const portal = server.http(await key('CUSTOMER', mine));
    const ingested = await ingest.data(SubmitCdrsDocument, { cdrs: [cdr(mine), cdr(theirs)] });
    expect(ingested.submitCdrs.accepted).toBe(2);
    expect(await noc.errorCode(SubmitCdrsDocument, { cdrs: [cdr(mine)] })).toBe('FORBIDDEN');
    expect(await portal.errorCode(SubmitCdrsDocument, { cdrs: [cdr(mine)] })).toBe('FORBIDDEN');
    expect(await ingest.errorCode(CdrsDocument, {})).toBe('FORBIDDEN');
    expect(await cdrCount(services, mine)).toBe(1);

    const own = await portal.data(CdrsDocument, {});
    expect(own.cdrs.totalCount).toBe(1);
    expect(own.cdrs.nodes[0].customer.id).toBe(mine.id);
    expect((await portal.data(CdrsDocument, { filter: { customerId: theirs.id } })).cdrs.totalCount).toBe(0);
    const all = await noc.data(CdrsDocument, { filter: { customerId: theirs.id } });
    expect(all.cdrs.totalCount).toBe(1);
    const theirId = all.cdrs.nodes[0].id;
    expect(theirId).toMatch(/^cdr_\d+$/);
    expect((await portal.data(CdrNodeDocument, { id: theirId })).node).toBeNull();
    expect((await noc.data(CdrNodeDocument, { id: theirId })).node).toMatchObject({ id: theirId, charge: '0.25' });
  });

  it('filters and pages cdrs newest first', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Filters');
    const trunk = await createTrunk(services, cust, 'filters-in');
    const base = Date.UTC(2026, 0, 10, 12, 0, 0);
    const at = (min: number) => new Date(base + min * 60_000).toISOString();
    await submit([
      cdr(cust, { startedAt: at(0), duration: 10, disposition: 'ANSWERED', callee: '4930111' }),
      cdr(cust, { startedAt: at(1), duration: 0, disposition: 'BUSY', callee: '4930222' }),
      cdr(null, { trunk: 'filters-in', startedAt: at(2), duration: 300, disposition: 'ANSWERED', callee: '4420333' }),
      cdr(cust, { startedAt: at(3), duration: 0, disposition: 'NO_ANSWER', callee: '4420444' }),
      cdr(cust, { startedAt: at(3), duration: 5, disposition: 'FAILED', callee: '4420555' }),
    ]);
    const q = async (filter: Record<string, unknown>) => (await server.http().data(CdrsDocument, { filter: { customerId: cust.id, ...filter } })).cdrs;
    const callees = async (filter: Record<string, unknown>) => (await q(filter)).nodes.map((n) => n.callee);
    const all = (await q({})).nodes;
    expect(all.map((n) => n.startedAt)).toEqual([at(3), at(3), at(2), at(1), at(0)]);
    expect(Number(all[0].id.slice(4))).toBeGreaterThan(Number(all[1].id.slice(4))); // id breaks the tie
    expect(all.slice(0, 2).map((n) => n.callee).sort()).toEqual(['4420444', '4420555']);
    expect(await callees({ trunkId: `trk_${trunk}` })).toEqual(['4420333']);
    expect(await callees({ from: at(1), to: at(3) })).toEqual(['4420333', '4930222']);
    expect((await callees({ disposition: ['BUSY', 'NO_ANSWER'] })).sort()).toEqual(['4420444', '4930222']);
    expect((await callees({ minDuration: 5 })).sort()).toEqual(['4420333', '4420555', '4930111']);
    expect((await callees({ callee: '4420' })).sort()).toEqual(['4420333', '4420444', '4420555']);
    expect((await q({ callee: '4420', minDuration: 1 })).totalCount).toBe(2);

    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 3; page++) {
      const p = (await server.http().data(CdrsDocument, { filter: { customerId: cust.id }, first: 2, after })).cdrs;
      expect(p.totalCount).toBe(5);
      seen.push(...p.nodes.map((n) => n.id));
      expect(p.pageInfo.hasNextPage).toBe(page < 2);
      after = p.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((n) => n.id));
    expect(await server.http().errorCode(CdrsDocument, { first: 501 })).toBe('BAD_USER_INPUT');
    expect(await server.http().errorCode(CdrsDocument, { after: 'garbage' })).toBe('BAD_USER_INPUT');
  });

  it('never double-charges under 16 concurrent clients with overlapping batches', async () => {
    const services = server.app.services;
    const customers = await Promise.all(Array.from({ length: 6 }, (_, i) => createCustomer(services, `Concurrent ${i}`, '1000')));
    const cdrsBefore = await cdrCount(services);
    const randomCharge = () => `0.${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}`;
    const sharedPool = Array.from({ length: 1_500 }, () => cdr(customers[Math.floor(Math.random() * 6)], { charge: randomCharge() }));
    const unique = new Map<string, CdrInput>(sharedPool.map((c) => [c.callId, c]));
    const clients = 16;
    const rounds = 3;
    const perBatch = 400;
    const batches: CdrInput[][][] = [];
    for (let c = 0; c < clients; c++) {
      batches.push([]);
      for (let r = 0; r < rounds; r++) {
        const own = Array.from({ length: perBatch * 0.7 }, () => cdr(customers[Math.floor(Math.random() * 6)], { charge: randomCharge() }));
        own.forEach((x) => unique.set(x.callId, x));
        const shared = Array.from({ length: perBatch * 0.3 }, () => sharedPool[Math.floor(Math.random() * sharedPool.length)]);
        const batch = [...new Map([...own, ...shared].map((x) => [x.callId, x])).values()];
        batches[c].push(batch.sort(() => Math.random() - 0.5));
      }
    }
    const results = await Promise.all(
      batches.map(async (mine) => {
        const out = [];
        for (const batch of mine) out.push(await submit(batch));
        return out;
      }),
    );
    const flat = results.flat();
    const submittedIds = new Set(batches.flat(2).map((x) => x.callId));
    expect(flat.every((r) => r.rejected.length === 0)).toBe(true);
    expect(flat.reduce((s, r) => s + r.accepted, 0)).toBe(submittedIds.size);
    expect(flat.reduce((s, r) => s + r.accepted + r.duplicates, 0)).toBe(batches.flat(2).length);
    expect(await cdrCount(services)).toBe(cdrsBefore + submittedIds.size);
    for (const cust of customers) {
      const charged = [...submittedIds].map((id) => unique.get(id)!).filter((x) => x.customerId === cust.id);
      const expected = charged.reduce((sum, x) => sum + BigInt(x.charge.replace('0.', '')), 0n); // millionths
      const m = await money(services, cust);
      expect(m.balance).toBe(decimalOfMillionths(1000n * 1_000_000n - expected));
      expect(m.accrued).toBe(decimalOfMillionths(expected));
      expect(m.ledgerSum).toBe(m.balance);
      expect(await cdrCount(services, cust)).toBe(charged.length);
    }
  });

  it('applies nothing of a batch whose connection is killed mid-flight, and the retry applies it once', async () => {
    const services = server.app.services;
    const cust = await createCustomer(services, 'Killed', '10');
    const batch = Array.from({ length: 2_000 }, () => cdr(cust, { charge: '0.001' }));
    const before = { money: await money(services, cust), ledger: await ledgerCount(services, cust) };
    const blocker = new Client({ connectionString: server.databaseUrl });
    // pg_stat_activity is a snapshot per transaction: watch from a second connection.
    const watcher = new Client({ connectionString: server.databaseUrl });
    await Promise.all([blocker.connect(), watcher.connect()]);
    try {
      // Hold the customer's row lock: the batch inserts its CDRs, then waits for the lock
      // where its statement charges them (mid-transaction), and its backend is killed there.
      // NO KEY UPDATE, like the ledger, so the insert's foreign-key check (KEY SHARE) passes it.
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE', [cust.localId]);
      const pending = server.http().request(SubmitCdrsDocument, { cdrs: batch });
      let pid: number | undefined;
      for (let i = 0; i < 500 && pid === undefined; i++) {
        const rows = await watcher.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO cdrs%'`,
        );
        pid = rows.rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      if (pid === undefined) {
        // Say what the batch did instead of waiting on the row: once it was a 429 from the CDR budget (see RELAXED_RATE_LIMITS).
        const answer = await Promise.race([pending.then((r) => JSON.stringify(r).slice(0, 600)), new Promise<string>((r) => setTimeout(() => r('no answer yet'), 200))]);
        const sessions = await watcher.query(
          `SELECT pid, application_name, state, wait_event_type, wait_event, left(query, 100) AS query FROM pg_stat_activity WHERE datname = current_database()`,
        );
        throw new Error(`the batch never waited on the held row within 10 s; its answer: ${answer}; sessions: ${JSON.stringify(sessions.rows)}`);
      }
      // It is mid-transaction: it has written to cdrs (uncommitted) and waits to update the balance.
      const held = await watcher.query<{ mode: string }>(
        `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = $1 AND c.relname = 'cdrs' AND l.granted`,
        [pid],
      );
      expect(held.rows.map((r) => r.mode)).toContain('RowExclusiveLock');
      await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
      const failed = await pending;
      expect(failed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      await blocker.query('ROLLBACK');
    } finally {
      await Promise.all([blocker.end(), watcher.end()]);
    }
    expect(await cdrCount(services, cust)).toBe(0);
    expect({ money: await money(services, cust), ledger: await ledgerCount(services, cust) }).toEqual(before);

    const retry = await submit(batch);
    expect(retry).toMatchObject({ accepted: 2_000, duplicates: 0, rejected: [] });
    const again = await submit(batch);
    expect(again).toMatchObject({ accepted: 0, duplicates: 2_000 });
    expect(await money(services, cust)).toEqual({ balance: '8', accrued: '2', ledgerSum: '8' });
    expect(await ledgerCount(services, cust)).toBe(before.ledger + 1);
  });
});

function decimalOfMillionths(n: bigint): string {
  const negative = n < 0n;
  const abs = negative ? -n : n;
  const int = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}
