/**
 * Incidents (issue 14): opened by TRIGGERED, resolved by RESOLVED; operators (ADMIN, NOC)
 * acknowledge, assign, snooze and comment, each an AlertEvent in the one cursor-ordered
 * stream; liftPenalty ends a penalty through the status change path (status webhook).
 */
import {
  CreateAlertDefinitionDocument,
  CreateApiKeyDocument,
  IncAcknowledgeDocument,
  IncAssignDocument,
  IncCommentDocument,
  IncCustomerStatusDocument,
  IncEventsDocument,
  IncEventsFeedDocument,
  IncEventsFeedPlainDocument,
  IncEventsWithIncidentDocument,
  IncIncidentDocument,
  IncIncidentsDocument,
  IncLiftPenaltyDocument,
  IncNodeDocument,
  IncNodeIdDocument,
  IncSnoozeDocument,
  NtfAdjustBalanceDocument,
  UpdateSettingsDocument,
  type AlertEventKind,
} from '../generated/graphql';
import { eventually, type HttpClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { chargeCalls, createCustomer, localId, runJob } from '../helpers/alert-fixtures';
import { startHttpReceiver, type HttpReceiver } from '../helpers/notification-receivers';
import { ALERT_EVENT } from '../../src/modules/alert/alert.topics';
import type { DataSource } from 'typeorm';
import { fixedUuid, migrationHarness, type MigrationHarness } from '../helpers/migration-harness';
import { Incidents1732406401300 } from '../../migrations/1732406401300-incidents';

const ALL_KINDS: AlertEventKind[] = ['TRIGGERED', 'REPEATED', 'RESOLVED', 'ACKNOWLEDGED', 'ASSIGNED', 'SNOOZED', 'COMMENTED'];
const OPERATOR_KINDS: AlertEventKind[] = ['ACKNOWLEDGED', 'ASSIGNED', 'SNOOZED', 'COMMENTED'];

describe('incidents', () => {
  let server: TestServer;
  let hooks: HttpReceiver;
  let noc: HttpClient;
  let ingest: HttpClient;
  let statusUrl: string;

  beforeAll(async () => {
    hooks = await startHttpReceiver();
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0', DELIVERY_TIMEOUT_MS: '2000' } });
    statusUrl = `${hooks.url}/switch/status`;
    await server.http().data(UpdateSettingsDocument, { input: { statusWebhookUrls: [statusUrl] } });
    noc = server.http(await keyOf('noc-alice', 'NOC'));
    ingest = server.http(await keyOf('switch-1', 'INGEST'));
  });

  async function keyOf(name: string, role: 'NOC' | 'INGEST' | 'CUSTOMER', customerId?: string): Promise<string> {
    const { createApiKey } = await server.http().data(CreateApiKeyDocument, { name, role, customerId });
    return createApiKey.secret;
  }

  /** A customer whose negative balance triggers a rule (repeats every 60 s, optional penalty); returns its ids and the open incident. */
  async function triggered(name: string, penalty?: number) {
    const customerId = await createCustomer(server, { name, balance: '1' });
    const { createAlertDefinition } = await server.http().data(CreateAlertDefinitionDocument, {
      input: { title: `${name} negative`, customerId, area: 'BALANCE', operator: 'LT', threshold: '0', repeatInterval: 60, penalty },
    });
    await chargeCalls(server, [{ customerId, duration: 30, charge: '3' }]);
    const { alertIncidents } = await noc.data(IncIncidentsDocument, { filter: { customerId } });
    expect(alertIncidents.nodes).toHaveLength(1);
    return { customerId, definitionId: createAlertDefinition.id, incident: alertIncidents.nodes[0] };
  }

  /** Makes the repeat due (its interval passed) and runs the repeats job; returns the customer's REPEATED count. */
  async function repeatNow(customerId: string): Promise<number> {
    await server.app.services.db.query(`UPDATE alert_states SET last_notified_at = now() - interval '61 seconds' WHERE customer_id = $1`, [localId(customerId)]);
    await runJob(server, 'alert-repeats');
    return (await noc.data(IncEventsDocument, { filter: { customerId, kinds: ['REPEATED'] } })).alertEvents.nodes.length;
  }

  it('opens an incident on TRIGGERED, snooze holds repeats until its time, acknowledge stops them, RESOLVED resolves it; every action is an event', async () => {
    const { customerId, definitionId, incident } = await triggered('Incident One');
    expect(incident).toMatchObject({ status: 'OPEN', openedValue: '-2', lastValue: '-2', acknowledgedAt: null, assignee: null, resolvedAt: null, definition: { id: definitionId } });
    const [trig] = (await noc.data(IncEventsWithIncidentDocument, { filter: { customerId } })).alertEvents.nodes;
    expect(trig).toMatchObject({ kind: 'TRIGGERED', incident: { id: incident.id }, actor: null, note: null });

    // A repeat while open.
    expect(await repeatNow(customerId)).toBe(1);

    // Snooze: no repeat until the time, then they resume.
    const until = new Date(Date.now() + 3600_000).toISOString();
    const { snoozeIncident } = await noc.data(IncSnoozeDocument, { id: incident.id, until, note: 'carrier maintenance' });
    expect(snoozeIncident).toMatchObject({ status: 'OPEN', snoozedUntil: until });
    expect(await repeatNow(customerId)).toBe(1);
    // The snooze's time comes (moved into the past, as a clock would).
    await server.app.services.db.query(`UPDATE alert_incidents SET snoozed_until = now() - interval '1 second' WHERE id = $1`, [localId(incident.id)]);
    expect(await repeatNow(customerId)).toBe(2);

    // Acknowledge: no more repeats, whatever the time.
    const { acknowledgeIncident } = await noc.data(IncAcknowledgeDocument, { id: incident.id, note: 'looking into it' });
    expect(acknowledgeIncident).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'noc-alice' });
    expect(acknowledgeIncident.acknowledgedAt).not.toBeNull();
    expect(await repeatNow(customerId)).toBe(2);
    expect(await repeatNow(customerId)).toBe(2);
    expect(await noc.errorCode(IncAcknowledgeDocument, { id: incident.id })).toBe('CONFLICT');

    const { assignIncident } = await noc.data(IncAssignDocument, { id: incident.id, assignee: 'bob' });
    expect(assignIncident.assignee).toBe('bob');
    const { commentOnIncident } = await server.http().data(IncCommentDocument, { id: incident.id, text: 'customer called, paying today' });
    expect(commentOnIncident.notes.map((n) => [n.author, n.text])).toEqual([
      ['noc-alice', 'carrier maintenance'],
      ['noc-alice', 'looking into it'],
      [expect.any(String), 'customer called, paying today'],
    ]);
    expect((await noc.data(IncAssignDocument, { id: incident.id, assignee: null })).assignIncident.assignee).toBeNull();

    // The payment resolves the rule and the incident.
    await server.http().data(NtfAdjustBalanceDocument, { customerId, amount: '10' });
    const { alertIncident } = await noc.data(IncIncidentDocument, { id: incident.id });
    expect(alertIncident).toMatchObject({ status: 'RESOLVED', lastValue: '8', acknowledgedBy: 'noc-alice' });
    expect(alertIncident!.resolvedAt).not.toBeNull();
    expect(alertIncident!.events.nodes.map((e) => [e.kind, e.actor, e.note])).toEqual([
      ['TRIGGERED', null, null],
      ['REPEATED', null, null],
      ['SNOOZED', 'noc-alice', 'carrier maintenance'],
      ['REPEATED', null, null],
      ['ACKNOWLEDGED', 'noc-alice', 'looking into it'],
      ['ASSIGNED', 'noc-alice', null],
      ['COMMENTED', expect.any(String), 'customer called, paying today'],
      ['ASSIGNED', 'noc-alice', null],
      ['RESOLVED', null, null],
    ]);
    // Operator events repeat the incident's last value and the rule's threshold.
    const ack = alertIncident!.events.nodes.find((e) => e.kind === 'ACKNOWLEDGED')!;
    expect([ack.value, ack.threshold]).toEqual(['-2', '0']);
    // A resolved incident takes comments, not the other actions.
    expect(await noc.errorCode(IncSnoozeDocument, { id: incident.id, until })).toBe('CONFLICT');
    expect(await noc.errorCode(IncAssignDocument, { id: incident.id, assignee: 'x' })).toBe('CONFLICT');
    await noc.data(IncCommentDocument, { id: incident.id, text: 'post-mortem done' });

    // Triggering again opens a new incident.
    await chargeCalls(server, [{ customerId, duration: 30, charge: '20' }]);
    const all = (await noc.data(IncIncidentsDocument, { filter: { customerId } })).alertIncidents;
    expect(all.nodes.map((i) => i.status)).toEqual(['OPEN', 'RESOLVED']);
    expect(all.nodes[1].id).toBe(incident.id);
  });

  it('lists OPEN first, then ACKNOWLEDGED, then RESOLVED, newest first within each; filters narrow; node(id) loads one', async () => {
    const a = await triggered('Board A');
    const b = await triggered('Board B');
    const c = await triggered('Board C');
    await noc.data(IncAcknowledgeDocument, { id: a.incident.id });
    await noc.data(IncAssignDocument, { id: c.incident.id, assignee: 'carol' });
    const ids = [a, b, c].map((x) => x.incident.id);
    const { alertIncidents } = await noc.data(IncIncidentsDocument, { first: 500 });
    const ours = alertIncidents.nodes.filter((i) => ids.includes(i.id)).map((i) => i.id);
    expect(ours).toEqual([c.incident.id, b.incident.id, a.incident.id]);
    const statuses = alertIncidents.nodes.map((i) => i.status);
    expect([...statuses].sort((x, y) => ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'].indexOf(x) - ['OPEN', 'ACKNOWLEDGED', 'RESOLVED'].indexOf(y))).toEqual(statuses);
    expect((await noc.data(IncIncidentsDocument, { filter: { status: ['ACKNOWLEDGED'], customerId: a.customerId } })).alertIncidents.nodes.map((i) => i.id)).toEqual([a.incident.id]);
    expect((await noc.data(IncIncidentsDocument, { filter: { status: ['OPEN'], customerId: a.customerId } })).alertIncidents.totalCount).toBe(0);
    expect((await noc.data(IncIncidentsDocument, { filter: { assignee: 'carol' } })).alertIncidents.nodes.map((i) => i.id)).toEqual([c.incident.id]);
    expect((await noc.data(IncIncidentsDocument, { filter: { definitionId: b.definitionId, area: ['BALANCE'] } })).alertIncidents.nodes.map((i) => i.id)).toEqual([b.incident.id]);
    expect((await noc.data(IncIncidentsDocument, { filter: { definitionId: b.definitionId, area: ['ASR'] } })).alertIncidents.totalCount).toBe(0);
    expect((await noc.data(IncNodeDocument, { id: b.incident.id })).node).toMatchObject({ id: b.incident.id, status: 'OPEN' });
    expect((await noc.data(IncIncidentDocument, { id: 'inc_999999999' })).alertIncident).toBeNull();
  });

  it('validates input and changes nothing on error', async () => {
    const { incident } = await triggered('Validation');
    expect(await noc.errorCode(IncSnoozeDocument, { id: incident.id, until: new Date(Date.now() - 1000).toISOString() })).toBe('BAD_USER_INPUT');
    expect(await noc.errorCode(IncSnoozeDocument, { id: incident.id, until: new Date(Date.now() + 8 * 86400_000).toISOString() })).toBe('BAD_USER_INPUT');
    expect(await noc.errorCode(IncCommentDocument, { id: incident.id, text: '   ' })).toBe('BAD_USER_INPUT');
    expect(await noc.errorCode(IncCommentDocument, { id: incident.id, text: 'x'.repeat(2001) })).toBe('BAD_USER_INPUT');
    expect(await noc.errorCode(IncAssignDocument, { id: incident.id, assignee: '' })).toBe('BAD_USER_INPUT');
    expect(await noc.errorCode(IncAcknowledgeDocument, { id: 'inc_999999999' })).toBe('NOT_FOUND');
    expect(await noc.errorCode(IncAcknowledgeDocument, { id: 'cus_1' })).toBe('NOT_FOUND');
    const { alertIncident } = await noc.data(IncIncidentDocument, { id: incident.id });
    expect(alertIncident).toMatchObject({ status: 'OPEN', snoozedUntil: null, assignee: null, notes: [] });
    expect(alertIncident!.events.nodes.map((e) => e.kind)).toEqual(['TRIGGERED']);
  });

  it('roles: NOC acts, INGEST and CUSTOMER are refused; a CUSTOMER sees no incident, operator event, actor or note', async () => {
    const { customerId, incident } = await triggered('Roles', 600);
    const customer = server.http(await keyOf('portal', 'CUSTOMER', customerId));
    await noc.data(IncCommentDocument, { id: incident.id, text: 'internal: credit risk' });
    for (const client of [ingest, customer]) {
      expect(await client.errorCode(IncAcknowledgeDocument, { id: incident.id })).toBe('FORBIDDEN');
      expect(await client.errorCode(IncAssignDocument, { id: incident.id, assignee: 'me' })).toBe('FORBIDDEN');
      expect(await client.errorCode(IncSnoozeDocument, { id: incident.id, until: new Date(Date.now() + 60_000).toISOString() })).toBe('FORBIDDEN');
      expect(await client.errorCode(IncCommentDocument, { id: incident.id, text: 'hi' })).toBe('FORBIDDEN');
      expect(await client.errorCode(IncLiftPenaltyDocument, { customerId })).toBe('FORBIDDEN');
      expect(await client.errorCode(IncIncidentsDocument, {})).toBe('FORBIDDEN');
      expect(await client.errorCode(IncIncidentDocument, { id: incident.id })).toBe('FORBIDDEN');
    }
    // The customer's own events: rule kinds only, even when it asks for operator kinds, and no incident/actor/note fields.
    expect((await customer.data(IncEventsDocument, { filter: { kinds: ALL_KINDS } })).alertEvents.nodes.map((e) => e.kind)).toEqual(['TRIGGERED']);
    expect((await customer.data(IncEventsDocument, { filter: { kinds: OPERATOR_KINDS } })).alertEvents.nodes).toEqual([]);
    expect(await customer.errorCode(IncEventsWithIncidentDocument, {})).toBe('FORBIDDEN');
    expect((await customer.data(IncNodeIdDocument, { id: incident.id })).node).toBeNull();
    expect(await customer.errorCode(IncNodeDocument, { id: incident.id })).toBe('FORBIDDEN');
    // Its live subscription asking for every kind: the operator events (an acknowledgement)
    // are skipped, the RESOLVED after them arrives first.
    const portalKey = await keyOf('portal-2', 'CUSTOMER', customerId);
    const listeners = server.app.services.events.listenerCount(ALERT_EVENT);
    const sub = server.ws(portalKey).subscribe(IncEventsFeedPlainDocument, { filter: { kinds: ALL_KINDS }, after: null });
    await eventually(() => server.app.services.events.listenerCount(ALERT_EVENT) > listeners, 10_000, 'subscription live');
    await noc.data(IncAcknowledgeDocument, { id: incident.id, note: 'internal' });
    await noc.data(IncLiftPenaltyDocument, { customerId });
    await server.http().data(NtfAdjustBalanceDocument, { customerId, amount: '10' });
    const [first] = await sub.waitFor(1);
    expect(first.alertEvents.kind).toBe('RESOLVED');
    expect(sub.received.map((m) => m.alertEvents.kind)).toEqual(['RESOLVED']);
    expect(sub.errors).toEqual([]);
    // NOC nothing else new: still no rule changes (role-matrix covers every field).
    expect(await noc.errorCode(CreateAlertDefinitionDocument, { input: { title: 'x', customerId, area: 'BALANCE', operator: 'LT', threshold: '0' } })).toBe('FORBIDDEN');
    sub.close();
  });

  it('liftPenalty: the customer is ACTIVE again, the status webhook fires (PENALTY_LIFTED), the lift is recorded with its note', async () => {
    const { customerId } = await triggered('Penalised', 3600);
    expect((await noc.data(IncCustomerStatusDocument, { id: customerId })).customer).toMatchObject({ status: 'SUSPENDED' });
    const { liftPenalty } = await noc.data(IncLiftPenaltyDocument, { customerId, note: 'paid by wire' });
    expect(liftPenalty).toMatchObject({ id: customerId, status: 'ACTIVE', suspendedUntil: null });
    const about = () =>
      hooks.requests
        .filter((r) => r.path === '/switch/status')
        .map((r) => JSON.parse(r.body) as { data: { customerId: string; status: string; previousStatus: string; reason: string } })
        .filter((p) => p.data.customerId === customerId);
    // The status webhooks go out through the notification outbox (its job run on demand here).
    await runJob(server, 'notification-outbox');
    await hooks.until(() => about().length >= 2, 10_000, 'suspension and lift webhooks');
    expect(about().map((p) => [p.data.previousStatus, p.data.status, p.data.reason])).toEqual([
      ['ACTIVE', 'SUSPENDED', 'PENALTY'],
      ['SUSPENDED', 'ACTIVE', 'PENALTY_LIFTED'],
    ]);
    const lifts = await server.app.services.db.query<{ actor: string; note: string }>(`SELECT actor, note FROM penalty_lifts WHERE customer_id = $1`, [localId(customerId)]);
    expect(lifts).toEqual([{ actor: 'noc-alice', note: 'paid by wire' }]);
    // Not under a penalty any more (nor is a manually suspended customer): CONFLICT, nothing changes.
    expect(await noc.errorCode(IncLiftPenaltyDocument, { customerId })).toBe('CONFLICT');
    expect(await noc.errorCode(IncLiftPenaltyDocument, { customerId: 'cus_00000000-0000-0000-0000-000000000000' })).toBe('NOT_FOUND');
  });

  it('the alertEvents subscription carries operator events only when its kinds name them, with lossless catch-up by cursor after a reconnect', async () => {
    const { customerId, incident } = await triggered('Live Board');
    const listeners = () => server.app.services.events.listenerCount(ALERT_EVENT);
    const before = listeners();
    const c1 = server.ws(await keyOf('noc-wall', 'NOC'));
    const withOps = c1.subscribe(IncEventsFeedDocument, { filter: { customerId, kinds: ALL_KINDS } });
    const plain = server.ws(await keyOf('old-client', 'NOC')).subscribe(IncEventsFeedPlainDocument, { filter: { customerId } });
    await eventually(() => listeners() >= before + 2, 10_000, 'subscriptions live');

    await noc.data(IncSnoozeDocument, { id: incident.id, until: new Date(Date.now() + 600_000).toISOString(), note: 'wait' });
    const [snoozed] = await withOps.waitFor(1);
    expect(snoozed.alertEvents).toMatchObject({ kind: 'SNOOZED', actor: 'noc-alice', note: 'wait', incident: { id: incident.id } });
    withOps.close();
    await c1.close();

    // While disconnected: operator actions and the rule's events.
    await noc.data(IncAcknowledgeDocument, { id: incident.id, note: 'ack' });
    await noc.data(IncAssignDocument, { id: incident.id, assignee: 'dave' });
    await noc.data(IncCommentDocument, { id: incident.id, text: 'on it' });
    const resumed = server.ws(await keyOf('noc-wall-2', 'NOC')).subscribe(IncEventsFeedDocument, { filter: { customerId, kinds: ALL_KINDS }, after: snoozed.alertEvents.cursor });
    // Then live, after the catch-up: the payment resolves it.
    const caughtUp = await resumed.waitFor(3);
    expect(caughtUp.map((m) => m.alertEvents.kind)).toEqual(['ACKNOWLEDGED', 'ASSIGNED', 'COMMENTED']);
    await server.http().data(NtfAdjustBalanceDocument, { customerId, amount: '10' });
    const got = await resumed.waitFor(4);
    const stored = (await noc.data(IncEventsDocument, { filter: { customerId, kinds: ALL_KINDS }, after: snoozed.alertEvents.cursor, first: 100 })).alertEvents.nodes;
    expect(got.map((m) => m.alertEvents.id)).toEqual(stored.map((e) => e.id));
    expect(got.map((m) => m.alertEvents.kind)).toEqual(['ACKNOWLEDGED', 'ASSIGNED', 'COMMENTED', 'RESOLVED']);

    // The subscription without kinds (a client generated before incidents) got the RESOLVED only.
    const [onlyResolved] = await plain.waitFor(1);
    expect(onlyResolved.alertEvents.kind).toBe('RESOLVED');
    expect(plain.received.map((m) => m.alertEvents.kind)).toEqual(['RESOLVED']);
    // And a query without kinds lists rule events only.
    expect((await noc.data(IncEventsDocument, { filter: { customerId } })).alertEvents.nodes.map((e) => e.kind)).toEqual(['TRIGGERED', 'RESOLVED']);
    resumed.close();
    plain.close();
  });
});

describe('the incidents migration on existing data', () => {
  let harness: MigrationHarness;
  let dataSource: DataSource;

  beforeAll(async () => {
    harness = await migrationHarness(Incidents1732406401300);
    dataSource = harness.dataSource;
  });

  afterAll(() => harness?.close());

  const run = (step: 'up' | 'down') => harness.run(step);
  const id = fixedUuid;

  it('gives each triggered state an OPEN incident with its events, none to resolved states, and reverts', async () => {
    await dataSource.query(`INSERT INTO customers (id, name) VALUES ('${id(1)}', 'Old One'), ('${id(2)}', 'Old Two')`);
    await dataSource.query(`INSERT INTO alert_definitions (id, title, area, operator, threshold) VALUES ('${id(10)}', 'Old rule', 'BALANCE', 'LT', 0)`);
    await dataSource.query(`
      INSERT INTO alert_states (definition_id, customer_id, triggered, value, since, last_notified_at) VALUES
        ('${id(10)}', '${id(1)}', true, -5, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
        ('${id(10)}', '${id(2)}', false, 3, NULL, NULL)`);
    await dataSource.query(`
      INSERT INTO alert_events (kind, definition_id, customer_id, area, value, threshold, subject, message, occurred_at) VALUES
        ('TRIGGERED', '${id(10)}', '${id(1)}', 'BALANCE', -5, 0, 's', 'm', '2026-01-01T00:00:00Z'),
        ('TRIGGERED', '${id(10)}', '${id(2)}', 'BALANCE', -1, 0, 's', 'm', '2025-12-01T00:00:00Z'),
        ('RESOLVED', '${id(10)}', '${id(2)}', 'BALANCE', 3, 0, 's', 'm', '2025-12-02T00:00:00Z')`);
    await run('up');
    const incidents = await dataSource.query(`SELECT id, customer_id, status, opened_value::text, opened_at FROM alert_incidents`);
    expect(incidents).toEqual([{ id: expect.anything(), customer_id: id(1), status: 'OPEN', opened_value: '-5', opened_at: new Date('2026-01-01T00:00:00Z') }]);
    const events = await dataSource.query(`SELECT customer_id, kind, incident_id FROM alert_events ORDER BY id`);
    expect(events.map((e: { incident_id: string | null }) => e.incident_id)).toEqual([incidents[0].id, null, null]);
    await run('down');
    expect(await dataSource.query(`SELECT to_regclass('alert_incidents') AS t`)).toEqual([{ t: null }]);
    await run('up');
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM alert_incidents`)).toEqual([{ n: 1 }]);
  });
});
