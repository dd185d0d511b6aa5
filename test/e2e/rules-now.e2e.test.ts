/**
 * Rules look now: a rule's creation, change, enabling, disabling and deletion, and a
 * customer's triggers, thresholds and class, are evaluated in the request that makes
 * them, as the current values say; windowed rules wait for their next pass.
 */
import {
  AlertDefinitionDocument,
  AlertEventsDocument,
  AlertsAdjustBalanceDocument,
  AlertsCustomerDocument,
  CreateAlertDefinitionDocument,
  DeleteAlertDefinitionDocument,
  NotificationsDocument,
  RulesNowCreateClassDocument,
  RulesNowUpdateCustomerDocument,
  UpdateAlertDefinitionDocument,
  type AlertDefinitionInput,
  type AlertEventFilter,
  type UpdateCustomerInput,
} from '../generated/graphql';
import { startMailCatcher, type MailCatcher } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { callsWithAsr, chargeCalls, createCustomer, localId, runJob } from '../helpers/alert-fixtures';

describe('rules look now', () => {
  let server: TestServer;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = await startMailCatcher();
    // Schedulers run on demand (runJob), so every event seen is the request's own.
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0', SMTP_URL: mail.url, MAIL_FROM: 'Lineguard <noc@carrier.test>' } });
  });

  const events = async (filter: AlertEventFilter) => (await server.http().data(AlertEventsDocument, { filter, first: 500 })).alertEvents.nodes;
  const define = async (input: AlertDefinitionInput) => (await server.http().data(CreateAlertDefinitionDocument, { input })).createAlertDefinition;
  const change = async (id: string, input: AlertDefinitionInput) => (await server.http().data(UpdateAlertDefinitionDocument, { id, input })).updateAlertDefinition;
  const updateCustomer = async (id: string, input: UpdateCustomerInput) => (await server.http().data(RulesNowUpdateCustomerDocument, { id, input })).updateCustomer;
  const customer = async (id: string) => (await server.http().data(AlertsCustomerDocument, { id })).customer!;
  const newClass = async (name: string) => (await server.http().data(RulesNowCreateClassDocument, { input: { name } })).createCustomerClass.id;
  const builtinId = async (customerId: string, title: string) => (await customer(customerId)).alertStates.find((s) => s.definition.title === title)?.definition.id;

  it('a new BALANCE LT 0 rule on a customer at -5 fires within the creating request, and its message is queued once', async () => {
    const customerId = await createCustomer(server, { name: 'Already Negative', balance: '-5' });
    const rule = await define({ title: 'Below zero now', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', emails: ['ops@carrier.test'] });
    // The answer reads the state the request wrote.
    expect(rule.states).toEqual([{ triggered: true, value: '-5', customer: { id: customerId } }]);
    const fired = await events({ definitionId: rule.id });
    expect(fired.map((e) => [e.kind, e.area, e.value, e.threshold, e.customer.id])).toEqual([['TRIGGERED', 'BALANCE', '-5', '0', customerId]]);
    expect(fired[0].subject).toBe("[Lineguard] BALANCE alert 'Below zero now' triggered for Already Negative: -5 < 0");
    // The same transaction queued the rule's message, once; the outbox delivers it to the real SMTP server.
    const queued = (await server.http().data(NotificationsDocument, { filter: { customerId, kind: ['ALERT'] } })).notifications.nodes;
    expect(queued.map((n) => n.recipient)).toEqual(['ops@carrier.test']);
    await runJob(server, 'notification-outbox');
    const subject = '[TRIGGERED] Below zero now: Already Negative';
    await mail.until((m) => m.some((x) => x.subject === subject), 10_000, 'the alert mail');
    expect(mail.messages.filter((x) => x.subject === subject).map((x) => x.rcptTo)).toEqual([['ops@carrier.test']]);
    // A second look at the same values changes nothing.
    await change(rule.id, { title: 'Below zero now', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', emails: ['ops@carrier.test'] });
    expect(await events({ definitionId: rule.id })).toHaveLength(1);
  });

  it('lowering prepaidBalanceTrigger below the accrued charges fires at once; raising it above resolves at once; clearing it resolves', async () => {
    const customerId = await createCustomer(server, { name: 'Trigger Mover', prepaidBalanceTrigger: '100', balance: '500' });
    await chargeCalls(server, [{ customerId, duration: 60, charge: '60' }]);
    expect(await events({ customerId })).toEqual([]);

    let answer = await updateCustomer(customerId, { prepaidBalanceTrigger: '50' });
    expect(answer.alertStates.map((s) => [s.definition.title, s.triggered, s.value])).toEqual([['Pre-paid balance trigger', true, '60']]);
    expect((await events({ customerId })).map((e) => [e.kind, e.area, e.value, e.threshold])).toEqual([['TRIGGERED', 'ACCRUED_CHARGES', '60', '50']]);

    answer = await updateCustomer(customerId, { prepaidBalanceTrigger: '80' });
    expect(answer.alertStates.map((s) => [s.triggered, s.value])).toEqual([[false, '60']]);
    let evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.value, e.threshold])).toEqual([
      ['TRIGGERED', '60', '50'],
      ['RESOLVED', '60', '80'],
    ]);
    expect(evts[1].subject).toBe("[Lineguard] ACCRUED_CHARGES alert 'Pre-paid balance trigger' resolved for Trigger Mover: 60 < 80");

    // Exactly at the trigger: GTE holds.
    await updateCustomer(customerId, { prepaidBalanceTrigger: '60' });
    // Turned off while triggered: the state goes, with a RESOLVED that says why (and the threshold it had).
    answer = await updateCustomer(customerId, { prepaidBalanceTrigger: null });
    expect(answer.alertStates).toEqual([]);
    evts = await events({ customerId });
    expect(evts.map((e) => [e.kind, e.value, e.threshold])).toEqual([
      ['TRIGGERED', '60', '50'],
      ['RESOLVED', '60', '80'],
      ['TRIGGERED', '60', '60'],
      ['RESOLVED', '60', '60'],
    ]);
    expect(evts[3].subject).toBe("[Lineguard] ACCRUED_CHARGES alert 'Pre-paid balance trigger' resolved for Trigger Mover: the customer's trigger was turned off");
    // A change of other fields looks at nothing.
    await updateCustomer(customerId, { company: 'Mover Ltd' });
    expect(await events({ customerId })).toHaveLength(4);
  });

  it('lowBalanceThreshold: a customer created below it, or whose threshold is raised above its balance, fires at once', async () => {
    const below = await createCustomer(server, { name: 'Born Low', lowBalanceThreshold: '10' });
    expect((await events({ customerId: below })).map((e) => [e.kind, e.area, e.value, e.threshold])).toEqual([['TRIGGERED', 'BALANCE', '0', '10']]);
    const customerId = await createCustomer(server, { name: 'Threshold Mover', balance: '20', lowBalanceThreshold: '5' });
    expect(await events({ customerId })).toEqual([]);
    await updateCustomer(customerId, { lowBalanceThreshold: '30' });
    expect((await events({ customerId })).map((e) => [e.kind, e.value, e.threshold])).toEqual([['TRIGGERED', '20', '30']]);
    const id = await builtinId(customerId, 'Low balance threshold');
    expect((await server.http().data(AlertDefinitionDocument, { id: id! })).alertDefinition?.builtin).toBe('LOW_BALANCE_THRESHOLD');
    await updateCustomer(customerId, { lowBalanceThreshold: '15' });
    expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
  });

  it('a customer moved into a class whose windowed rule its stored calls meet fires in the same request, and out of it resolves', async () => {
    const classId = await newClass('Rules Now Busy');
    await define({ title: 'Two calls an hour', customerClassId: classId, area: 'CALL_COUNT', operator: 'GTE', threshold: '2', samplePeriod: 3600, minCalls: 0 });
    const customerId = await createCustomer(server, { name: 'Mover Co' });
    await chargeCalls(server, [1, 2].map(() => ({ customerId, duration: 10, ago: 600 })));
    // A complete pass: the customer is in no scope yet, and the next pass would read only calls leaving a window.
    await runJob(server, 'alert-windows');
    const mark = async () => (await server.app.services.db.query<{ evaluated_through: Date | null }>(`SELECT evaluated_through FROM alert_window_passes`))[0].evaluated_through;
    const through = await mark();
    expect(through).not.toBeNull();
    expect(await events({ customerId })).toEqual([]);
    // No pass runs: the update evaluates the customer's windows itself, and leaves the
    // windows' mark alone (clearing it made the next pass read every customer with calls).
    await updateCustomer(customerId, { customerClassId: classId });
    expect((await events({ customerId })).map((e) => [e.kind, e.value])).toEqual([['TRIGGERED', '2']]);
    expect(await mark()).toEqual(through);
    // Out of the class: the state no longer applies and resolves, in the request too.
    await updateCustomer(customerId, { customerClassId: null });
    expect((await events({ customerId })).map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
    expect(await mark()).toEqual(through);
  });

  it('disabling a rule resolves its triggered states, enabling it fires again, deleting it resolves them too', async () => {
    const classId = await newClass('Rules Now Prepaid');
    const a = await createCustomer(server, { name: 'Class A', balance: '-5', customerClassId: classId });
    const b = await createCustomer(server, { name: 'Class B', balance: '-1', customerClassId: classId });
    const c = await createCustomer(server, { name: 'Class C', balance: '5', customerClassId: classId });
    const input: AlertDefinitionInput = { title: 'Class below zero', customerClassId: classId, area: 'BALANCE', operator: 'LT', threshold: '0' };
    const rule = await define(input);
    const byCustomer = (states: { triggered: boolean; value?: string | null; customer: { id: string } }[]) =>
      Object.fromEntries(states.map((s) => [s.customer.id, [s.triggered, s.value]]));
    expect(byCustomer(rule.states)).toEqual({ [a]: [true, '-5'], [b]: [true, '-1'] });

    const disabled = await change(rule.id, { ...input, enabled: false });
    expect(disabled.states).toEqual([]);
    const resolved = await events({ definitionId: rule.id, kinds: ['RESOLVED'] });
    expect(resolved.map((e) => [e.customer.id, e.value]).sort()).toEqual([[a, '-5'], [b, '-1']].sort());
    expect(resolved.every((e) => e.subject.endsWith(': the rule was disabled'))).toBe(true);
    expect(resolved[0].message).toContain('Status: resolved (the rule was disabled)');

    const enabled = await change(rule.id, { ...input, enabled: true });
    expect(byCustomer(enabled.states)).toEqual({ [a]: [true, '-5'], [b]: [true, '-1'] });

    // C goes below zero by an adjustment: the balance path fires it, as before.
    await server.http().data(AlertsAdjustBalanceDocument, { customerId: c, amount: '-6' });
    expect(await server.http().data(DeleteAlertDefinitionDocument, { id: rule.id })).toEqual({ deleteAlertDefinition: true });
    const all = await events({ definitionId: rule.id });
    expect(all.map((e) => e.kind)).toEqual(['TRIGGERED', 'TRIGGERED', 'RESOLVED', 'RESOLVED', 'TRIGGERED', 'TRIGGERED', 'TRIGGERED', 'RESOLVED', 'RESOLVED', 'RESOLVED']);
    expect(all.slice(-3).every((e) => e.subject.endsWith(': the rule was deleted'))).toBe(true);
    const states = await server.app.services.db.query(`SELECT 1 FROM alert_states WHERE definition_id = $1`, [localId(rule.id)]);
    expect(states).toEqual([]);
  });

  it('changing a rule: a threshold past the value resolves at once, a new area starts over, a new scope resolves those left out', async () => {
    const customerId = await createCustomer(server, { name: 'Rule Mover', balance: '-5' });
    const other = await createCustomer(server, { name: 'Rule Mover Other', balance: '-50' });
    const input: AlertDefinitionInput = { title: 'Moving rule', customerId, area: 'BALANCE', operator: 'LT', threshold: '0' };
    const rule = await define(input);
    await change(rule.id, { ...input, threshold: '-10' });
    await change(rule.id, { ...input, threshold: '-1' });
    expect((await events({ definitionId: rule.id })).map((e) => [e.kind, e.value, e.threshold])).toEqual([
      ['TRIGGERED', '-5', '0'],
      ['RESOLVED', '-5', '-10'],
      ['TRIGGERED', '-5', '-1'],
    ]);
    // BALANCE -> AVAILABLE_CREDIT (the same value here): the old state ends under the
    // condition it was under, and the new condition fires.
    await change(rule.id, { ...input, threshold: '-2', area: 'AVAILABLE_CREDIT' });
    let evts = await events({ definitionId: rule.id });
    expect(evts.slice(3).map((e) => [e.kind, e.area, e.value, e.threshold])).toEqual([
      ['RESOLVED', 'BALANCE', '-5', '-1'],
      ['TRIGGERED', 'AVAILABLE_CREDIT', '-5', '-2'],
    ]);
    expect(evts[3].subject).toBe("[Lineguard] BALANCE alert 'Moving rule' resolved for Rule Mover: the rule was changed");
    // Scope moved to the other customer: this one resolves, the other fires.
    await change(rule.id, { ...input, customerId: other, threshold: '-2', area: 'AVAILABLE_CREDIT' });
    evts = await events({ definitionId: rule.id });
    expect(evts.slice(5).map((e) => [e.kind, e.customer.id, e.value])).toEqual([
      ['RESOLVED', customerId, '-5'],
      ['TRIGGERED', other, '-50'],
    ]);
    expect(evts[5].subject).toContain(': the rule no longer applies to this customer');
  });

  it('a customer moving between classes leaves one class rule and meets the other at once', async () => {
    const from = await newClass('Rules Now From');
    const to = await newClass('Rules Now To');
    const customerId = await createCustomer(server, { name: 'Class Mover', balance: '-3', customerClassId: from });
    const fromRule = await define({ title: 'From class negative', customerClassId: from, area: 'BALANCE', operator: 'LT', threshold: '0' });
    const toRule = await define({ title: 'To class negative', customerClassId: to, area: 'BALANCE', operator: 'LT', threshold: '0' });
    const answer = await updateCustomer(customerId, { customerClassId: to });
    expect(answer.alertStates.map((s) => [s.definition.id, s.triggered])).toEqual([[toRule.id, true]]);
    expect((await events({ customerId })).map((e) => [e.definition.id, e.kind])).toEqual([
      [fromRule.id, 'TRIGGERED'],
      [fromRule.id, 'RESOLVED'],
      [toRule.id, 'TRIGGERED'],
    ]);
  });

  it('a penalty rule created over an already-breaching customer suspends it in the same request', async () => {
    const customerId = await createCustomer(server, { name: 'Penalised Now', balance: '-5' });
    const before = Date.now();
    await define({ title: 'Negative now penalty', customerId, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 600 });
    const [evt] = await events({ customerId });
    expect(evt).toMatchObject({ kind: 'TRIGGERED', value: '-5' });
    expect(new Date(evt.penaltyUntil!).getTime()).toBeGreaterThanOrEqual(before + 599_000);
    expect(await customer(customerId)).toMatchObject({ status: 'SUSPENDED', suspendedUntil: evt.penaltyUntil });
    // Moved into a penalised class by updateCustomer: the answer already says SUSPENDED.
    const classId = await newClass('Rules Now Penalty');
    await define({ title: 'Class penalty', customerClassId: classId, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 60 });
    const other = await createCustomer(server, { name: 'Penalised By Class', balance: '-1' });
    expect((await updateCustomer(other, { customerClassId: classId })).status).toBe('SUSPENDED');
  });

  it('windowed rules wait for their next pass, and CALL_DURATION does not look back at stored calls', async () => {
    const customerId = await createCustomer(server, { name: 'Window Waiter' });
    await chargeCalls(server, [...callsWithAsr(customerId, 10, 1), { customerId, duration: 9000 }]);
    const asr = await define({ title: 'ASR low now', customerId, area: 'ASR', operator: 'LT', threshold: '50', samplePeriod: 3600, minCalls: 5 });
    const long = await define({ title: 'Long call now', customerId, area: 'CALL_DURATION', operator: 'GTE', threshold: '3600' });
    expect(await events({ customerId })).toEqual([]);
    await runJob(server, 'alert-windows');
    expect((await events({ customerId })).map((e) => [e.definition.id, e.kind])).toEqual([[asr.id, 'TRIGGERED']]);
    expect(await events({ definitionId: long.id })).toEqual([]);
    // Disabling the windowed rule resolves its state in the request.
    await change(asr.id, { title: 'ASR low now', customerId, area: 'ASR', operator: 'LT', threshold: '50', samplePeriod: 3600, minCalls: 5, enabled: false });
    expect((await events({ definitionId: asr.id })).map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
  });

  it('a rule created while payments land on its customer ends as the last balance says', async () => {
    for (let i = 0; i < 6; i++) {
      const customerId = await createCustomer(server, { name: `Racer ${i}`, balance: '-5' });
      const [rule] = await Promise.all([
        define({ title: `Race rule ${i}`, customerId, area: 'BALANCE', operator: 'LT', threshold: '0' }),
        server.http().data(AlertsAdjustBalanceDocument, { customerId, amount: '10' }),
      ]);
      const kinds = (await events({ definitionId: rule.id })).map((e) => e.kind);
      expect([[], ['TRIGGERED', 'RESOLVED']]).toContainEqual(kinds);
      const state = (await customer(customerId)).alertStates.find((s) => s.definition.id === rule.id);
      expect(state?.triggered ?? false).toBe(false);
    }
  });
});
