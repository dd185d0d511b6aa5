import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  AlertDefinitionDocument,
  AlertDefinitionsDocument,
  AlertEventsDocument,
  AlertsAdjustBalanceDocument,
  AlertsCustomerDocument,
  AlertsResetBalanceDocument,
  AlertsSetCustomerStatusDocument,
  AlertsSubmitCdrsDocument,
  CreateAlertDefinitionDocument,
  CreateApiKeyDocument,
  DeleteAlertDefinitionDocument,
  TestAlertDocument,
  UpdateAlertDefinitionDocument,
  type AlertDefinitionInput,
  type AlertEventFilter,
  type CallDisposition,
} from '../generated/graphql';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { callsWithAsr, chargeCalls, createCustomer, localId, runJob } from '../helpers/alert-fixtures';
import { restartWindowPasses, windowPassDone, windowPassStart } from '../../src/modules/alert/alert-window-passes';

describe('alert engine', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Schedulers run on demand here (runJob), so every event is accounted for.
    // Windows re-evaluated two customers per transaction, so that a pass over several takes several.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0', ALERT_WINDOW_CHUNK: '2' } });
  });

  const events = async (filter: AlertEventFilter) => (await server.http().data(AlertEventsDocument, { filter, first: 500 })).alertEvents.nodes;
  const define = async (input: AlertDefinitionInput) => (await server.http().data(CreateAlertDefinitionDocument, { input })).createAlertDefinition;
  const count = async (sql: string) => Number((await server.app.services.db.query<{ n: string }>(sql))[0].n);

  it('ASR LTE 30 reset 31: triggers when ASR drops to 30% and resolves only above 31%', async () => {
    const customerId = await createCustomer(server, { name: 'Acme ASR' });
    const def = await define({ title: 'ASR collapse', customerId, area: 'ASR', operator: 'LTE', threshold: '30', resetThreshold: '31', samplePeriod: 3600, minCalls: 100 });
    // 50 failed calls: 0% but fewer than minCalls, so not evaluated.
    await chargeCalls(server, callsWithAsr(customerId, 50, 0));
    expect(await events({ customerId })).toHaveLength(0);
    // 31 of 100 answered: 31% > 30.
    await chargeCalls(server, callsWithAsr(customerId, 50, 31));
    expect(await events({ customerId })).toHaveLength(0);
    // 33 of 110: exactly 30%.
    await chargeCalls(server, callsWithAsr(customerId, 10, 2));
    let evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.area, e.value, e.threshold])).toEqual([['TRIGGERED', 'ASR', '30', '30']]);
    expect(evts[0].subject).toBe("[Lineguard] ASR alert 'ASR collapse' triggered for Acme ASR: 30 <= 30");
    expect(evts[0].definition.id).toBe(def.id);
    expect(evts[0].customer.id).toBe(customerId);
    // 62 of 200: exactly 31%, not above it: still triggered, no event.
    await chargeCalls(server, callsWithAsr(customerId, 90, 29));
    expect(await events({ customerId })).toHaveLength(1);
    const { customer } = await server.http().data(AlertsCustomerDocument, { id: customerId });
    expect(customer?.alertStates.find((s) => s.definition.id === def.id)).toMatchObject({ triggered: true, value: '31' });
    // 63 of 201: 31.34% > 31: resolved.
    await chargeCalls(server, callsWithAsr(customerId, 1, 1));
    evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.value])).toEqual([
      ['TRIGGERED', '30'],
      ['RESOLVED', '31.3432835821'],
    ]);
    expect(evts[1].subject).toBe("[Lineguard] ASR alert 'ASR collapse' resolved for Acme ASR: 31.3432835821 > 31");
    const listed = await server.http().data(AlertDefinitionsDocument, { filter: { triggered: false, search: 'asr coll' } });
    expect(listed.alertDefinitions.nodes.map((d) => d.id)).toEqual([def.id]);
    expect(listed.alertDefinitions.nodes[0].states).toEqual([{ triggered: false, value: '31.3432835821', customer: { id: customerId } }]);
  });

  it('prepaidBalanceTrigger 100 triggers once accrued charges reach 100, and not again until resolved by resetBalance', async () => {
    const customerId = await createCustomer(server, { name: 'Prepaid Co', prepaidBalanceTrigger: '100', balance: '500' });
    const builtin = (await server.http().data(AlertDefinitionsDocument, { filter: { search: 'pre-paid balance trigger' } })).alertDefinitions.nodes[0];
    expect(builtin.builtin).toBe('PREPAID_BALANCE_TRIGGER');
    await chargeCalls(server, [{ customerId, duration: 60, charge: '99.9999999999' }]);
    expect(await events({ customerId })).toHaveLength(0);
    await chargeCalls(server, [{ customerId, duration: 60, charge: '0.0000000001' }]);
    let evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.area, e.value, e.threshold, e.definition.id])).toEqual([['TRIGGERED', 'ACCRUED_CHARGES', '100', '100', builtin.id]]);
    // More charges while triggered: nothing new.
    await chargeCalls(server, [{ customerId, duration: 60, charge: '50' }]);
    await server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '10' });
    expect(await events({ customerId })).toHaveLength(1);
    // resetBalance brings accrued charges to 0: resolved; reaching 100 again triggers again.
    await server.http().data(AlertsResetBalanceDocument, { customerId });
    await chargeCalls(server, [{ customerId, duration: 60, charge: '100' }]);
    evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.value])).toEqual([
      ['TRIGGERED', '100'],
      ['RESOLVED', '0'],
      ['TRIGGERED', '100'],
    ]);
    // The builtin is the customer's setting: it cannot be edited or deleted here.
    expect(await server.http().errorCode(DeleteAlertDefinitionDocument, { id: builtin.id })).toBe('BAD_USER_INPUT');
  });

  it('concurrent batches crossing a threshold produce exactly one TRIGGERED event', async () => {
    const customerId = await createCustomer(server, { name: 'Concurrent Co', prepaidBalanceTrigger: '100' });
    await Promise.all(Array.from({ length: 12 }, () => chargeCalls(server, [{ customerId, duration: 60, charge: '20' }])));
    const evts = await events({ customerId });
    expect(evts.map((e) => e.kind)).toEqual(['TRIGGERED']);
    expect(evts[0].value).toBe('100');
    expect((await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.accruedCharges).toBe('240');
  });

  it('callDurationTrigger 7200 fires for each 7200 s call and not for 7199 s', async () => {
    const customerId = await createCustomer(server, { name: 'Long Talker', callDurationTrigger: 7200 });
    await chargeCalls(server, [{ customerId, duration: 7199 }]);
    expect(await events({ customerId })).toHaveLength(0);
    const caused = await chargeCalls(server, [
      { customerId, duration: 7200 },
      { customerId, duration: 7199 },
      { customerId, duration: 9000 },
    ]);
    const evts = await events({ customerId });
    const byValue = (a: { value: string }, b: { value: string }) => Number(a.value) - Number(b.value);
    expect([...evts].sort(byValue).map((e) => [e.kind, e.area, e.value, e.threshold])).toEqual([
      ['TRIGGERED', 'CALL_DURATION', '7200', '7200'],
      ['TRIGGERED', 'CALL_DURATION', '9000', '7200'],
    ]);
    // submitCdrs reports the events its batch caused.
    expect(caused.map((e) => e.id)).toEqual(evts.map((e) => e.id));
    // CALL_DURATION keeps no state.
    const { customer } = await server.http().data(AlertsCustomerDocument, { id: customerId });
    expect(customer?.alertStates).toEqual([]);
  });

  it('CALL_DURATION rules of every operator fire for exactly the calls that meet them, however short or long the batch', async () => {
    const customerId = await createCustomer(server, { name: 'Duration Mix' });
    const other = await createCustomer(server, { name: 'Duration Other' });
    await define({ title: 'very short calls', customerId, area: 'CALL_DURATION', operator: 'LT', threshold: '5' });
    await define({ title: 'short calls', customerId, area: 'CALL_DURATION', operator: 'LTE', threshold: '5' });
    await define({ title: 'a minute exactly', customerId, area: 'CALL_DURATION', operator: 'EQ', threshold: '60' });
    await define({ title: 'over 59.5 s', customerId, area: 'CALL_DURATION', operator: 'GT', threshold: '59.5' });
    await define({ title: 'never', customerId, area: 'CALL_DURATION', operator: 'GTE', threshold: '100000' });
    // The other customer's calls (from 0 to 100000 s) must not make this customer's rules fire.
    await chargeCalls(server, [
      { customerId, duration: 3 },
      { customerId, duration: 5 },
      { customerId, duration: 60 },
      { customerId, duration: 100 },
      { customerId: other, duration: 0 },
      { customerId: other, duration: 100_000 },
    ]);
    const fired = (await events({ customerId })).map((e) => `${e.definition?.title} ${e.value}`).sort();
    expect(fired).toEqual(['a minute exactly 60', 'over 59.5 s 100', 'over 59.5 s 60', 'short calls 3', 'short calls 5', 'very short calls 3']);
    expect(await events({ customerId: other })).toEqual([]);
  });

  it('a penalty of 60 s suspends the customer, and the scheduler restores it when it expires', async () => {
    const customerId = await createCustomer(server, { name: 'Penalised', balance: '10' });
    await define({ title: 'Negative balance penalty', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 60 });
    const before = Date.now();
    await chargeCalls(server, [{ customerId, duration: 60, charge: '10.5' }]);
    const [evt] = await events({ customerId });
    expect(evt).toMatchObject({ kind: 'TRIGGERED', value: '-0.5', threshold: '0' });
    const until = new Date(evt.penaltyUntil!).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 59_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 60_000);
    let { customer } = await server.http().data(AlertsCustomerDocument, { id: customerId });
    expect(customer).toMatchObject({ status: 'SUSPENDED', suspendedUntil: evt.penaltyUntil });
    // Not expired yet: the job leaves it alone.
    await runJob(server, 'penalty-expiry');
    expect((await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.status).toBe('SUSPENDED');
    // Time passes (the penalty end moved into the past) and the job restores ACTIVE.
    await server.app.services.db.query(`UPDATE customers SET suspended_until = now() - interval '1 second' WHERE id = $1`, [localId(customerId)]);
    await runJob(server, 'penalty-expiry');
    ({ customer } = await server.http().data(AlertsCustomerDocument, { id: customerId }));
    expect(customer).toMatchObject({ status: 'ACTIVE', suspendedUntil: null });
  });

  it('does not lift a suspension an operator changed meanwhile', async () => {
    const customerId = await createCustomer(server, { name: 'Operator wins', balance: '1' });
    await define({ title: 'Penalty then operator', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 60 });
    await chargeCalls(server, [{ customerId, duration: 60, charge: '2' }]);
    expect((await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.status).toBe('SUSPENDED');
    await server.http().data(AlertsSetCustomerStatusDocument, { ids: [customerId], status: 'INACTIVE' });
    await server.app.services.db.query(`UPDATE customers SET suspended_until = now() - interval '1 second' WHERE id = $1`, [localId(customerId)]);
    await runJob(server, 'penalty-expiry');
    expect((await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.status).toBe('INACTIVE');
  });

  it('repeats every repeatInterval while triggered, once per due interval, and stops when resolved', async () => {
    const customerId = await createCustomer(server, { name: 'Repeat Co', balance: '5' });
    const def = await define({ title: 'Low credit repeat', customerId, area: 'AVAILABLE_CREDIT', operator: 'LT', threshold: '0', repeatInterval: 60 });
    await chargeCalls(server, [{ customerId, duration: 60, charge: '7' }]);
    await runJob(server, 'alert-repeats');
    expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED']);
    const age = () => server.app.services.db.query(`UPDATE alert_states SET last_notified_at = last_notified_at - interval '61 seconds' WHERE customer_id = $1`, [localId(customerId)]);
    await age();
    await Promise.all([runJob(server, 'alert-repeats'), runJob(server, 'alert-repeats'), runJob(server, 'alert-repeats')]);
    let evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.value])).toEqual([
      ['TRIGGERED', '-2'],
      ['REPEATED', '-2'],
    ]);
    expect(evts[1].subject).toBe("[Lineguard] AVAILABLE_CREDIT alert 'Low credit repeat' still triggered for Repeat Co: -2 < 0");
    await server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '3' });
    await age();
    await runJob(server, 'alert-repeats');
    evts = await events({ customerId, definitionId: def.id });
    expect(evts.map((e) => [e.kind, e.value])).toEqual([
      ['TRIGGERED', '-2'],
      ['REPEATED', '-2'],
      ['RESOLVED', '1'],
    ]);
  });

  it('slides windows with time: an alert resolves when its calls age out, with no new CDR', async () => {
    const customerId = await createCustomer(server, { name: 'Burst Co' });
    await define({ title: 'Call burst', customerId, area: 'CALL_COUNT', operator: 'GTE', threshold: '3', samplePeriod: 60, minCalls: 0 });
    await chargeCalls(server, [1, 2, 3].map(() => ({ customerId, duration: 10, ago: 30 })));
    expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '3']]);
    await runJob(server, 'alert-windows');
    expect(await events({ customerId })).toHaveLength(1);
    // Compacted into buckets, the calls still count the same.
    await runJob(server, 'alert-bucket-compaction');
    await runJob(server, 'alert-windows');
    expect(await events({ customerId })).toHaveLength(1);
    // A minute later the calls started 90 s ago: outside the 60 s window (calls and their minute totals move back in time).
    await server.app.services.db.query(`UPDATE cdrs SET started_at = started_at - interval '60 seconds' WHERE customer_id = $1`, [localId(customerId)]);
    await server.app.services.db.query(`UPDATE alert_call_buckets SET minute = minute - interval '60 seconds' WHERE customer_id = $1`, [localId(customerId)]);
    await runJob(server, 'alert-windows');
    expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([
      ['TRIGGERED', '3'],
      ['RESOLVED', '0'],
    ]);
  });

  it('slides the windows of many customers in one pass, a few customers per transaction', async () => {
    // Five customers, two per transaction here (ALERT_WINDOW_CHUNK=2): three transactions in one pass.
    const ids = await Promise.all([1, 2, 3, 4, 5].map((n) => createCustomer(server, { name: `Chunk Co ${n}` })));
    for (const [n, customerId] of ids.entries()) {
      await define({ title: `Chunked burst ${n}`, customerId, area: 'CALL_COUNT', operator: 'GTE', threshold: '2', samplePeriod: 60, minCalls: 0 });
    }
    await chargeCalls(server, ids.flatMap((customerId) => [1, 2].map(() => ({ customerId, duration: 10, ago: 30 }))));
    for (const customerId of ids) expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED']);
    const locals = ids.map(localId);
    await server.app.services.db.query(`UPDATE cdrs SET started_at = started_at - interval '60 seconds' WHERE customer_id = ANY($1::uuid[])`, [locals]);
    await server.app.services.db.query(`UPDATE alert_call_bucket_deltas SET minute = minute - interval '60 seconds' WHERE customer_id = ANY($1::uuid[])`, [locals]);
    await runJob(server, 'alert-windows');
    for (const customerId of ids) {
      expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([
        ['TRIGGERED', '2'],
        ['RESOLVED', '0'],
      ]);
    }
    // Nothing left to resolve: a second pass writes nothing.
    await runJob(server, 'alert-windows');
    for (const customerId of ids) expect(await events({ customerId })).toHaveLength(2);
  });

  it('locks only the customers whose windows have something to do: a quiet one another transaction holds does not hold up the pass', async () => {
    const [quiet, busy] = await Promise.all(['Quiet Co', 'Sliding Co'].map((name) => createCustomer(server, { name })));
    // Quiet: calls in its windows, but too few for either rule to come near (100 calls; 50 for its ASR).
    await define({ title: 'Quiet burst', customerId: quiet, area: 'CALL_COUNT', operator: 'GTE', threshold: '100', samplePeriod: 60, minCalls: 0 });
    await define({ title: 'Quiet ASR', customerId: quiet, area: 'ASR', operator: 'LTE', threshold: '50', samplePeriod: 300, minCalls: 50 });
    // Busy: three calls in its two minutes, one of which leaves the window in the pass, so the
    // pass has its state to keep current (3 calls, then 2) and no event to write (it stays triggered).
    await define({ title: 'Two-minute burst', customerId: busy, area: 'CALL_COUNT', operator: 'GTE', threshold: '2', samplePeriod: 120, minCalls: 0 });
    const shift = async (customers: string[]) => {
      const locals = customers.map(localId);
      await server.app.services.db.query(`UPDATE cdrs SET started_at = started_at - interval '60 seconds' WHERE customer_id = ANY($1::uuid[])`, [locals]);
      await server.app.services.db.query(`UPDATE alert_call_bucket_deltas SET minute = minute - interval '60 seconds' WHERE customer_id = ANY($1::uuid[])`, [locals]);
    };
    await chargeCalls(server, [{ customerId: busy, duration: 10, ago: 30 }]);
    await shift([busy]);
    await chargeCalls(server, [quiet, busy, quiet, busy].map((customerId) => ({ customerId, duration: 10, ago: 30 })));
    expect((await events({ customerId: busy })).map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '3']]);
    await runJob(server, 'alert-windows');
    const busyValue = async () => (await server.app.services.db.query<{ value: string }>(`SELECT value FROM alert_states WHERE customer_id = $1`, [localId(busy)]))[0].value;
    expect(await busyValue()).toBe('3');
    await shift([quiet, busy]);
    // Another transaction (a payment, a CDR batch) holds the quiet customer for the whole pass.
    const other = new Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id FROM customers WHERE id = $1 FOR NO KEY UPDATE`, [localId(quiet)]);
      const outcome = await Promise.race([
        runJob(server, 'alert-windows').then(() => 'pass done'),
        new Promise((resolve) => setTimeout(resolve, 5_000, 'pass waiting for the held customer')),
      ]);
      expect(outcome).toBe('pass done');
      expect(await busyValue()).toBe('2');
    } finally {
      await other.query('COMMIT');
      await other.end();
    }
    expect((await events({ customerId: busy })).map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '3']]);
    expect(await events({ customerId: quiet })).toHaveLength(0);
  });

  describe('after a complete pass, the next reads the calls that left a window since', () => {
    const mark = async () =>
      (await server.app.services.db.query<{ evaluated_through: Date | null; rules_version: string }>(`SELECT evaluated_through, rules_version FROM alert_window_passes`))[0];
    /** Time passes by `secs` for the stored calls of `customers` and for the pass's mark alike. */
    const age = async (customers: string[], secs: number) => {
      const db = server.app.services.db;
      const locals = customers.map(localId);
      await db.query(`UPDATE cdrs SET started_at = started_at - make_interval(secs => $2) WHERE customer_id = ANY($1::uuid[])`, [locals, secs]);
      await db.query(`UPDATE alert_call_bucket_deltas SET minute = minute - make_interval(secs => $2) WHERE customer_id = ANY($1::uuid[])`, [locals, secs]);
      await db.query(`UPDATE alert_call_buckets SET minute = minute - make_interval(secs => $2) WHERE customer_id = ANY($1::uuid[])`, [locals, secs]);
      await db.query(`UPDATE alert_window_passes SET evaluated_through = evaluated_through - make_interval(secs => $1)`, [secs]);
    };

    it('raises an alert when a call leaving the window makes it hold, on a pass that lists only such calls', async () => {
      const customerId = await createCustomer(server, { name: 'Thinning Co' });
      await define({ title: 'At most one call in three minutes', customerId, area: 'CALL_COUNT', operator: 'LTE', threshold: '1', samplePeriod: 180, minCalls: 0 });
      await chargeCalls(server, [{ customerId, duration: 10, ago: 30 }]);
      expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED']);
      // A second call: two in the window, resolved. (Time moves in whole minutes: the buckets are by minute.)
      await age([customerId], 60);
      await chargeCalls(server, [{ customerId, duration: 10, ago: 30 }]);
      expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
      // The rule's creation cleared the mark: this pass reads every customer with calls, and sets it.
      expect((await mark()).evaluated_through).toBeNull();
      await runJob(server, 'alert-windows');
      expect((await mark()).evaluated_through).not.toBeNull();
      // 60 s on, no call has left (at 150 s and 90 s): nothing. 60 s more, the first one has (at 210 s, the other at 150 s).
      await age([customerId], 60);
      await runJob(server, 'alert-windows');
      expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
      await age([customerId], 60);
      expect((await mark()).evaluated_through).not.toBeNull();
      await runJob(server, 'alert-windows');
      expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([
        ['TRIGGERED', '1'],
        ['RESOLVED', '2'],
        ['TRIGGERED', '1'],
      ]);
    });

    it('reads every customer again after a rule changes: a new rule met by calls already stored fires on the next pass', async () => {
      const customerId = await createCustomer(server, { name: 'Steady Co' });
      await chargeCalls(server, [1, 2, 3].map(() => ({ customerId, duration: 10, ago: 600 })));
      await runJob(server, 'alert-windows');
      const before = await mark();
      expect(before.evaluated_through).not.toBeNull();
      // None of these calls leaves an hour's window soon, so only the cleared mark brings the customer in.
      await define({ title: 'Three calls an hour', customerId, area: 'CALL_COUNT', operator: 'GTE', threshold: '3', samplePeriod: 3600, minCalls: 0 });
      const after = await mark();
      expect(after.evaluated_through).toBeNull();
      expect(BigInt(after.rules_version)).toBe(BigInt(before.rules_version) + 1n);
      await runJob(server, 'alert-windows');
      expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '3']]);
    });

    it('does not advance the mark past a rule change made while the pass ran', async () => {
      const db = server.app.services.db;
      await runJob(server, 'alert-windows');
      const start = await db.transaction((uow) => windowPassStart(uow));
      await db.transaction((uow) => restartWindowPasses(uow));
      await db.transaction((uow) => windowPassDone(uow, start));
      expect((await mark()).evaluated_through).toBeNull();
      // From the version it read, a pass does advance it.
      const next = await db.transaction((uow) => windowPassStart(uow));
      await db.transaction((uow) => windowPassDone(uow, next));
      expect((await mark()).evaluated_through).toEqual(next.asOf);
    });
  });

  it('windowed rules left out by their upper bound (calls since the longest window began) still fire on the call that meets them', async () => {
    const customerId = await createCustomer(server, { name: 'Bound Co' });
    await define({ title: 'Spend over 1', customerId, area: 'SPEND', operator: 'GT', threshold: '1', samplePeriod: 300 });
    await define({ title: 'Exactly 3 calls', customerId, area: 'CALL_COUNT', operator: 'EQ', threshold: '3', samplePeriod: 900, minCalls: 0 });
    await define({ title: 'ASR down', customerId, area: 'ASR', operator: 'LTE', threshold: '10', samplePeriod: 3600, minCalls: 4 });
    const fired = async () => (await events({ customerId })).map((e) => [e.area, e.kind, e.value]).sort();
    // 20 minutes ago: inside the hour only, yet in every rule's bound (0.9 of spend, one call).
    await chargeCalls(server, [{ customerId, duration: 0, answered: false, charge: '0.9', ago: 1200 }]);
    // Bound spend 1.5 reaches the threshold, the 5-minute spend (0.6) does not.
    await chargeCalls(server, [{ customerId, duration: 0, answered: false, charge: '0.6', ago: 10 }]);
    expect(await fired()).toEqual([]);
    // Spend exactly 1 (not over it); 3 calls in 15 minutes; 4 calls in the hour, none answered.
    await chargeCalls(server, [1, 2].map(() => ({ customerId, duration: 0, answered: false, charge: '0.2', ago: 5 })));
    expect(await fired()).toEqual([
      ['ASR', 'TRIGGERED', '0'],
      ['CALL_COUNT', 'TRIGGERED', '3'],
    ]);
    await chargeCalls(server, [{ customerId, duration: 0, answered: false, charge: '0.01', ago: 1 }]);
    expect(await fired()).toEqual([
      ['ASR', 'TRIGGERED', '0'],
      ['CALL_COUNT', 'RESOLVED', '4'],
      ['CALL_COUNT', 'TRIGGERED', '3'],
      ['SPEND', 'TRIGGERED', '1.01'],
    ]);
  });

  it('testAlert evaluates now, renders, lists recipients, and with deliver stores a test event', async () => {
    const customerId = await createCustomer(server, { name: 'Tested', balance: '-3', nocEmail: 'noc@tested.example' });
    // Disabled: an enabled rule would fire on creation (the customer is already below zero);
    // testAlert renders and delivers whatever the rule's state.
    const def = await define({
      title: 'Balance below zero',
      enabled: false,
      customerId,
      area: 'BALANCE',
      operator: 'LT',
      threshold: '0',
      emails: ['ops@carrier.example'],
      phones: ['+14155550100'],
      webhookUrls: ['https://hooks.carrier.example/alerts'],
      notifyCustomer: true,
    });
    const dry = (await server.http().data(TestAlertDocument, { id: def.id, customerId })).testAlert;
    expect(dry).toMatchObject({ value: '-3', wouldTrigger: true, delivered: false, customer: { id: customerId }, definition: { id: def.id } });
    expect(dry.subject).toBe("[Lineguard TEST] BALANCE alert 'Balance below zero' triggered for Tested: -3 < 0");
    expect(dry.recipients).toEqual(['ops@carrier.example', '+14155550100', 'https://hooks.carrier.example/alerts', 'noc@tested.example']);
    expect(await events({ customerId })).toHaveLength(0);
    const sent = (await server.http().data(TestAlertDocument, { id: def.id, customerId, deliver: true })).testAlert;
    expect(sent.delivered).toBe(true);
    const evts = await events({ customerId });
    expect(evts).toHaveLength(1);
    expect(evts[0]).toMatchObject({ kind: 'TRIGGERED', test: true, value: '-3', subject: dry.subject });
    // A test changes no state.
    expect((await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.alertStates).toEqual([]);
    await server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '5' });
    const now = (await server.http().data(TestAlertDocument, { id: def.id, customerId })).testAlert;
    expect(now).toMatchObject({ value: '2', wouldTrigger: false });
    expect(await server.http().errorCode(TestAlertDocument, { id: 'alr_00000000-0000-4000-8000-000000000000', customerId })).toBe('NOT_FOUND');
    expect(await server.http().errorCode(TestAlertDocument, { id: def.id, customerId: 'cus_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    expect(await server.http().errorCode(TestAlertDocument, { id: def.id, customerId: 'not-an-id' })).toBe('NOT_FOUND');
  });

  it('validates definitions: typed errors and nothing stored', async () => {
    const customerId = await createCustomer(server);
    const before = await count(`SELECT count(*) AS n FROM alert_definitions`);
    const base: AlertDefinitionInput = { title: 'Valid', area: 'BALANCE', operator: 'LT', threshold: '0' };
    const admin = server.http();
    const code = (input: AlertDefinitionInput) => admin.errorCode(CreateAlertDefinitionDocument, { input });
    expect(await code({ ...base, area: 'ASR' })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, area: 'ASR', samplePeriod: 0 })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, samplePeriod: 60 })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, resetThreshold: '-1' })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, area: 'ASR', operator: 'LTE', threshold: '30', resetThreshold: '29', samplePeriod: 60 })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, customerId, customerClassId: 'cls_00000000-0000-4000-8000-000000000000' })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, emails: ['not-an-email'] })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, phones: ['4155550100'] })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, webhookUrls: ['ftp://x.example/'] })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, penalty: 0 })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, title: '  ' })).toBe('BAD_USER_INPUT');
    expect(await code({ ...base, customerId: 'cus_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    expect(await code({ ...base, customerClassId: 'cls_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    expect(await code({ ...base, templateId: 'tpl_00000000-0000-4000-8000-000000000000' })).toBe('NOT_FOUND');
    expect(await count(`SELECT count(*) AS n FROM alert_definitions`)).toBe(before);
    const created = await define({ ...base, title: 'Unique title', customerId });
    expect(await code({ ...base, title: 'UNIQUE TITLE' })).toBe('CONFLICT');
    expect(await admin.errorCode(UpdateAlertDefinitionDocument, { id: 'alr_00000000-0000-4000-8000-000000000000', input: base })).toBe('NOT_FOUND');
    const other = await define({ ...base, title: 'Other title' });
    expect(await admin.errorCode(UpdateAlertDefinitionDocument, { id: other.id, input: { ...base, title: 'unique title' } })).toBe('CONFLICT');
    expect(await count(`SELECT count(*) AS n FROM alert_definitions`)).toBe(before + 2);
    // Roles: NOC reads, only ADMIN writes; CUSTOMER and INGEST read no definitions.
    const noc = server.http((await admin.data(CreateApiKeyDocument, { name: 'noc', role: 'NOC' })).createApiKey.secret);
    expect(await noc.errorCode(CreateAlertDefinitionDocument, { input: { ...base, title: 'noc' } })).toBe('FORBIDDEN');
    expect(await noc.errorCode(DeleteAlertDefinitionDocument, { id: created.id })).toBe('FORBIDDEN');
    expect((await noc.data(AlertDefinitionDocument, { id: created.id })).alertDefinition?.title).toBe('Unique title');
    const ingest = server.http((await admin.data(CreateApiKeyDocument, { name: 'ingest', role: 'INGEST' })).createApiKey.secret);
    expect(await ingest.errorCode(AlertEventsDocument, {})).toBe('FORBIDDEN');
    const cust = server.http((await admin.data(CreateApiKeyDocument, { name: 'c', role: 'CUSTOMER', customerId })).createApiKey.secret);
    expect(await cust.errorCode(AlertDefinitionsDocument, {})).toBe('FORBIDDEN');
    expect(await cust.errorCode(AlertEventsDocument, { filter: { customerId: other.id.replace('alr_', 'cus_') } })).toBe('NOT_FOUND');
    // Update replaces the rule; delete removes it.
    const updated = (await admin.data(UpdateAlertDefinitionDocument, { id: created.id, input: { ...base, title: 'Renamed', area: 'SPEND', operator: 'GT', threshold: '1000', samplePeriod: 3600, enabled: false } })).updateAlertDefinition;
    expect(updated).toMatchObject({ title: 'Renamed', area: 'SPEND', samplePeriod: 3600, enabled: false, minCalls: 1, customer: null });
    expect((await admin.data(DeleteAlertDefinitionDocument, { id: created.id })).deleteAlertDefinition).toBe(true);
    expect((await admin.data(AlertDefinitionDocument, { id: created.id })).alertDefinition).toBeNull();
    expect(await admin.errorCode(DeleteAlertDefinitionDocument, { id: created.id })).toBe('NOT_FOUND');
  });

  it('scopes by account type, and a CUSTOMER key sees only its own events and states', async () => {
    const a = await createCustomer(server, { name: 'Carrier A', type: 'CARRIER', balance: '1' });
    const b = await createCustomer(server, { name: 'Customer B', balance: '1' });
    await define({ title: 'Carriers below zero', accountType: 'CARRIER', area: 'BALANCE', operator: 'LT', threshold: '0' });
    await chargeCalls(server, [
      { customerId: a, duration: 1, charge: '2' },
      { customerId: b, duration: 1, charge: '2' },
    ]);
    const all = await events({ kinds: ['TRIGGERED'] });
    expect(all.filter((e) => e.definition.title === 'Carriers below zero').map((e) => e.customer.id)).toEqual([a]);
    const key = (await server.http().data(CreateApiKeyDocument, { name: 'a portal', role: 'CUSTOMER', customerId: a })).createApiKey.secret;
    const mine = (await server.http(key).data(AlertEventsDocument, { first: 500 })).alertEvents;
    expect(mine.nodes.every((e) => e.customer.id === a)).toBe(true);
    expect(mine.totalCount).toBe(mine.nodes.length);
    expect(mine.totalCount).toBeGreaterThan(0);
  });

  it('deleting a rule stops it and frees its title, but its events keep naming it', async () => {
    const customerId = await createCustomer(server, { name: 'History Kept', balance: '1' });
    const rule = await define({ title: 'History rule', customerId, area: 'BALANCE', operator: 'LT', threshold: '0' });
    await chargeCalls(server, [{ customerId, duration: 1, charge: '2' }]);
    const fired = await events({ definitionId: rule.id });
    expect(fired.map((e) => [e.kind, e.definition.title, e.definition.deletedAt])).toEqual([['TRIGGERED', 'History rule', null]]);

    expect((await server.http().data(DeleteAlertDefinitionDocument, { id: rule.id })).deleteAlertDefinition).toBe(true);
    const kept = await events({ definitionId: rule.id });
    // Its events stay; deleting it resolves its triggered state, with a RESOLVED that says why (issue 13).
    expect(kept.slice(0, fired.length).map((e) => e.id)).toEqual(fired.map((e) => e.id));
    expect(kept.slice(fired.length).map((e) => [e.kind, e.subject])).toEqual([['RESOLVED', "[Lineguard] BALANCE alert 'History rule' resolved for History Kept: the rule was deleted"]]);
    expect(kept[0].definition.title).toBe('History rule');
    expect(kept[0].definition.deletedAt).not.toBeNull();
    expect((await server.http().data(AlertDefinitionDocument, { id: rule.id })).alertDefinition).toBeNull();
    const listed = (await server.http().data(AlertDefinitionsDocument, { filter: { customerId } })).alertDefinitions.nodes;
    expect(listed.map((d) => d.id)).not.toContain(rule.id);
    expect(await count(`SELECT count(*) AS n FROM alert_states WHERE definition_id = '${rule.id.slice(4)}'`)).toBe(0);

    // The rule no longer runs; its title can be used again.
    await server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '10' });
    await chargeCalls(server, [{ customerId, duration: 1, charge: '20' }]);
    expect((await events({ definitionId: rule.id })).map((e) => e.id)).toEqual(kept.map((e) => e.id));
    const again = await define({ title: 'History rule', customerId, area: 'BALANCE', operator: 'LT', threshold: '0' });
    expect(again.id).not.toBe(rule.id);
  });

  it('measures AVAILABLE_CREDIT beyond 10^18 (balance + credit limit) without failing the balance change', async () => {
    const customerId = await createCustomer(server, { name: 'Huge credit', creditLimit: '999999999999999999', balance: '5' });
    // The rule looks now (issue 13): it fires at creation, at 10^18 + 4 exactly.
    await define({ title: 'Credit above one', area: 'AVAILABLE_CREDIT', operator: 'GT', threshold: '1', customerId });
    expect((await events({ customerId })).map((e) => [e.kind, e.area, e.value])).toEqual([['TRIGGERED', 'AVAILABLE_CREDIT', '1000000000000000004']]);
    // The balance change evaluates it again and keeps the state's value exact, without failing.
    expect((await server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '0.5' })).adjustBalance.balance).toBe('5.5');
    const states = (await server.http().data(AlertsCustomerDocument, { id: customerId })).customer?.alertStates;
    expect(states?.map((st) => [st.triggered, st.value])).toEqual([[true, '1000000000000000004.5']]);
  });

  it('refuses hand-made definition and event cursors that do not fit the list', async () => {
    const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const key of [['title', 'not-a-uuid'], ['title', 7], [['nested'], randomUUID()], ['t\u0000', randomUUID()]]) {
      const r = await server.http().request(AlertDefinitionsDocument, { after: forge(key) });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    for (const key of [['-1'], [1e21], ['99999999999999999999'], ['NaN']]) {
      const r = await server.http().request(AlertEventsDocument, { after: forge(key) });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('pages events by an opaque, increasing cursor', async () => {
    const page1 = (await server.http().data(AlertEventsDocument, { first: 2 })).alertEvents;
    expect(page1.nodes).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await server.http().data(AlertEventsDocument, { first: 2, after: page1.pageInfo.endCursor })).alertEvents;
    const ids = [...page1.nodes, ...page2.nodes].map((e) => Number(localId(e.id)));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(4);
    expect(page2.totalCount).toBe(page1.totalCount);
    expect(await server.http().errorCode(AlertEventsDocument, { after: 'garbage' })).toBe('BAD_USER_INPUT');
  });

  it('adds each new call to its customer and UTC minute exactly once, with exact spend, before and after compaction', async () => {
    const a = await createCustomer(server, { name: 'Buckets A' });
    const b = await createCustomer(server, { name: 'Buckets B' });
    const m0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const at = (ms: number) => new Date(m0 + ms).toISOString();
    const call = (customerId: string, startedAt: string, duration: number, disposition: CallDisposition, charge: string) => ({
      callId: randomUUID(), customerId, callee: '15550100', startedAt, duration, disposition, charge,
    });
    const first = [
      call(a, at(59_999), 30, 'ANSWERED', '0.1'),
      call(a, at(60_000), 12, 'ANSWERED', '0.0000000001'),
      call(a, at(0), 99, 'BUSY', '0.2'),
      call(b, at(90_000), 7, 'ANSWERED', '99999999.9999999999'),
      call(a, at(30_000), 0, 'NO_ANSWER', '0'),
    ];
    const submit = async (cdrs: ReturnType<typeof call>[]) => (await server.http().data(AlertsSubmitCdrsDocument, { cdrs })).submitCdrs;
    expect((await submit(first)).accepted).toBe(5);
    expect((await submit(Array.from({ length: 10_000 }, () => call(b, at(120_000), 1, 'ANSWERED', '0.000001')))).accepted).toBe(10_000);
    // A replay (and a conflicting record) adds nothing.
    expect((await submit([...first, { ...first[0], charge: '5' }])).accepted).toBe(0);
    const minutes = (table: string) =>
      server.app.services.db.query<Record<string, unknown>>(
        `SELECT customer_id, extract(epoch FROM minute)::bigint * 1000 AS minute, sum(attempts)::int AS attempts, sum(answered)::int AS answered,
                sum(answered_seconds)::int AS seconds, trim_scale(sum(spend))::text AS spend, count(*)::int AS rows
           FROM ${table} WHERE customer_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY customer_id = $2 DESC, minute`,
        [[localId(a), localId(b)], localId(a)],
      );
    const expected = [
      { customer_id: localId(a), minute: String(m0), attempts: 3, answered: 1, seconds: 30, spend: '0.3' },
      { customer_id: localId(a), minute: String(m0 + 60_000), attempts: 1, answered: 1, seconds: 12, spend: '0.0000000001' },
      { customer_id: localId(b), minute: String(m0 + 60_000), attempts: 1, answered: 1, seconds: 7, spend: '99999999.9999999999' },
      { customer_id: localId(b), minute: String(m0 + 120_000), attempts: 10_000, answered: 10_000, seconds: 10_000, spend: '0.01' },
    ];
    const sums = (rows: Record<string, unknown>[]) => rows.map(({ rows: _, ...sum }) => sum);
    // Appended by the batches, not compacted yet: all of it in deltas.
    expect(sums(await minutes('alert_call_minutes'))).toEqual(expected);
    expect(await minutes('alert_call_buckets')).toEqual([]);
    // The rule statements read the deltas through call_bucket_deltas: summed per customer
    // and minute from `since` on; NULL customers: every customer's; NULL since: none.
    const viaFunction = (customers: string | null, since: string | null) =>
      server.app.services.db.query<Record<string, unknown>>(
        `SELECT customer_id, extract(epoch FROM minute)::bigint * 1000 AS minute, attempts::int, answered::int, answered_seconds::int AS seconds, trim_scale(spend)::text AS spend
           FROM call_bucket_deltas(${customers}, ${since}) WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id = $2 DESC, minute`,
        [[localId(a), localId(b)], localId(a)],
      );
    expect(await viaFunction('$1::uuid[]', `to_timestamp(${m0 / 1000})`)).toEqual(expected);
    expect(await viaFunction('NULL', `to_timestamp(${m0 / 1000})`)).toEqual(expected);
    expect(await viaFunction('$1::uuid[]', `to_timestamp(${(m0 + 60_000) / 1000})`)).toEqual(expected.slice(1));
    expect(await viaFunction('$1::uuid[]', 'NULL')).toEqual([]);
    // A late call's delta older than every window (and a day), and one of a customer that no longer exists: compaction drops both.
    const stray = '00000000-0000-4000-8000-00000000beef';
    await server.app.services.db.query(
      `INSERT INTO alert_call_bucket_deltas VALUES ($1, date_bin('1 minute', now() - interval '2 days', timestamptz 'epoch'), 1, 1, 60, 1), ($2, date_bin('1 minute', now(), timestamptz 'epoch'), 1, 1, 60, 1)`,
      [localId(a), stray],
    );
    await runJob(server, 'alert-bucket-compaction');
    expect(await server.app.services.db.query(`SELECT customer_id FROM alert_call_buckets WHERE customer_id = $1`, [stray])).toEqual([]);
    expect(await server.app.services.db.query(`SELECT count(*)::int AS n FROM alert_call_bucket_deltas`)).toEqual([{ n: 0 }]);
    // Folded into one bucket row per customer and minute, the same sums.
    const compacted = await minutes('alert_call_buckets');
    expect(sums(compacted)).toEqual(expected);
    expect(compacted.map((r) => r.rows)).toEqual([1, 1, 1, 1]);
    expect(await minutes('alert_call_bucket_deltas')).toEqual([]);
    expect(sums(await minutes('alert_call_minutes'))).toEqual(expected);
  });

  it('compaction running alongside concurrent batches loses and doubles no call', async () => {
    const customerId = await createCustomer(server, { name: 'Compaction Co' });
    const m0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const batch = (b: number) =>
      Array.from({ length: 200 }, (_, i) => ({
        callId: randomUUID(), customerId, callee: '15550100', startedAt: new Date(m0 + ((b * 37 + i * 13) % 300) * 1000).toISOString(),
        duration: i % 7, disposition: (i % 3 ? 'ANSWERED' : 'BUSY') as CallDisposition, charge: `0.${String((b * 200 + i) % 1000).padStart(3, '0')}1`,
      }));
    let ingesting = true;
    const compacting = (async () => {
      while (ingesting) await runJob(server, 'alert-bucket-compaction');
    })();
    const submitted = await Promise.all(Array.from({ length: 8 }, (_, b) => server.http().data(AlertsSubmitCdrsDocument, { cdrs: batch(b) })));
    ingesting = false;
    await compacting;
    expect(submitted.map((r) => r.submitCdrs.accepted)).toEqual(Array(8).fill(200));
    await runJob(server, 'alert-bucket-compaction');
    const perMinute = (sql: string) => server.app.services.db.query<Record<string, unknown>>(sql, [localId(customerId)]);
    const fromCalls = await perMinute(
      `SELECT date_bin('1 minute', started_at, timestamptz 'epoch') AS minute, count(*)::int AS attempts, (count(*) FILTER (WHERE disposition = 'ANSWERED'))::int AS answered,
              coalesce(sum(duration) FILTER (WHERE disposition = 'ANSWERED'), 0)::int AS seconds, trim_scale(sum(charge))::text AS spend
         FROM cdrs WHERE customer_id = $1 GROUP BY 1 ORDER BY 1`,
    );
    const fromBuckets = await perMinute(
      `SELECT minute, attempts, answered, answered_seconds::int AS seconds, trim_scale(spend)::text AS spend FROM alert_call_buckets WHERE customer_id = $1 ORDER BY 1`,
    );
    expect(fromCalls).toHaveLength(5);
    expect(fromBuckets).toEqual(fromCalls);
    expect(await perMinute(`SELECT * FROM alert_call_bucket_deltas WHERE customer_id = $1`)).toEqual([]);
  });
});
