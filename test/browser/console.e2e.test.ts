/// <reference lib="dom" />
/**
 * The NOC console in Debian's Chromium (issue 14): sign-in, the live incident board across
 * two browsers, a connection cut through a proxy the test controls, what a CUSTOMER key
 * sees, and, in production mode, that the console and the explorer reach no other origin.
 */
import type { Browser, Page } from 'playwright-core';
import {
  AlertsAdjustBalanceDocument,
  CreateAlertDefinitionDocument,
  CreateApiKeyDocument,
  IncAcknowledgeDocument,
  IncEventsDocument,
  IncIncidentsDocument,
} from '../generated/graphql';
import { chargeCalls, createCustomer, localId, runJob } from '../helpers/alert-fixtures';
import { launchBrowser, RequestLog, signIn } from '../helpers/browser';
import { eventually } from '../helpers/graphql-client';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { startTestServer, type TestServer } from '../helpers/test-server';

jest.setTimeout(120_000);

/** Milliseconds from submitCdrs answering to the incident's row on the board, per run (reported at the end). */
const appearTimes: number[] = [];

describe('NOC console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let origin: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    origin = new URL(server.url).origin;
    alice = await keyOf(server, 'noc-alice', 'NOC');
    bob = await keyOf(server, 'noc-bob', 'NOC');
    browser = await launchBrowser();
  });

  afterAll(() => {
    if (appearTimes.length) process.stdout.write(`console: incident on the board ${appearTimes.map((t) => `${t} ms`).join(', ')} after submitCdrs answered\n`);
  });

  async function page(key: string, at = origin): Promise<Page> {
    const context = await browser.newContext();
    const p = await context.newPage();
    await signIn(p, at, key);
    await p.getByRole('region', { name: 'Incident board' }).waitFor();
    await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
    return p;
  }

  const row = (p: Page, incidentId: string) => p.locator(`tr[data-incident-id="${incidentId}"]`);

  it('signing in with a NOC key shows the board; an invalid key shows a clear message', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await signIn(p, origin, 'lg_not_a_real_key');
    await expectText(p.getByRole('alert'), /not valid: it is unknown or has been revoked/);
    await expect(p.getByRole('region', { name: 'Incident board' }).count()).resolves.toBe(0);

    await p.getByLabel('API key').fill(alice);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('region', { name: 'Incident board' }).waitFor();
    await expectText(p.getByTestId('who'), /noc-alice · NOC/);
    await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
    // The key is the tab's: a reload keeps the session, a new tab (another context here) does not have it.
    await p.reload();
    await p.getByRole('region', { name: 'Incident board' }).waitFor();
    const other = await (await browser.newContext()).newPage();
    await other.goto(origin);
    await other.getByLabel('API key').waitFor();
  });

  it('an incident from a submitCdrs by another client appears on the board within 2 s, highlighted as new', async () => {
    const p = await page(alice);
    for (let i = 0; i < 3; i++) {
      const { incidentId, answeredAt } = await triggerIncident(server, `Appear ${i}`);
      await row(p, incidentId).waitFor({ timeout: 2_000 });
      appearTimes.push(Date.now() - answeredAt);
      await expect(row(p, incidentId).getAttribute('class')).resolves.toContain('fresh');
      await expectText(row(p, incidentId), /New/);
    }
    await expectText(p.getByTestId('new-count'), /3 new/);
  });

  it('acknowledging in one browser updates a second browser live, and repeats stop', async () => {
    const { customerId, incidentId } = await triggerIncident(server, 'Ack Live');
    const [a, b] = await Promise.all([page(alice), page(bob)]);
    await Promise.all([row(a, incidentId).waitFor(), row(b, incidentId).waitFor()]);
    expect(await repeatNow(server, customerId)).toBe(1);

    await row(a, incidentId).getByRole('button', { name: 'Acknowledge' }).click();
    await b.locator(`tr[data-incident-id="${incidentId}"][data-status="ACKNOWLEDGED"]`).waitFor({ timeout: 2_000 });
    await expectText(row(b, incidentId), /ack noc-alice/);
    await expect(row(b, incidentId).getByRole('button', { name: 'Acknowledge' }).count()).resolves.toBe(0);

    // The repeat is due again, and nothing repeats: the acknowledgement stopped it.
    expect(await repeatNow(server, customerId)).toBe(1);
    const { alertIncidents } = await server.http().data(IncIncidentsDocument, { filter: { customerId } });
    expect(alertIncidents.nodes[0]).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'noc-alice' });
  });

  it('assign, snooze and comment from the board; the incident page shows the timeline and notes', async () => {
    const { incidentId } = await triggerIncident(server, 'Operator Actions');
    const a = await page(alice);
    const r = row(a, incidentId);
    await r.getByRole('button', { name: 'Assign' }).click();
    await r.getByLabel('Assignee').fill('carol');
    await r.getByRole('button', { name: 'Save' }).click();
    await expectText(r, /→ carol/);
    await r.getByRole('button', { name: 'Comment' }).click();
    await r.getByLabel('Comment').fill('Called the customer, top-up on its way');
    await r.getByRole('button', { name: 'Add' }).click();
    await r.getByRole('button', { name: 'Snooze' }).click();
    await r.getByLabel('Snooze for').selectOption({ label: '1 hour' });
    await r.getByRole('button', { name: 'Snooze', exact: true }).last().click();
    await a.locator(`tr[data-incident-id="${incidentId}"][data-status="SNOOZED"]`).waitFor();

    await r.getByRole('link', { name: 'Operator Actions negative' }).click();
    const timeline = a.getByRole('list', { name: 'Timeline' });
    await expectText(timeline, /Triggered[\s\S]*Assigned by noc-alice[\s\S]*Commented by noc-alice[\s\S]*Snoozed by noc-alice/);
    await expectText(a.locator('.notes'), /Called the customer, top-up on its way/);
    await expectText(a.getByTestId('incident-status'), /Snoozed/);
  });

  it('after a connection cut while incidents open, resolve and are acknowledged, the board shows exactly the right incidents, none twice', async () => {
    const proxy = await startTcpProxy(server.url);
    const before = await Promise.all([triggerIncident(server, 'Cut Ack'), triggerIncident(server, 'Cut Resolve')]);
    const p = await page(bob, proxy.url);
    for (const b of before) await row(p, b.incidentId).waitFor();

    proxy.cut();
    await p.locator('[data-testid="connection"][data-status="reconnecting"]').waitFor({ timeout: 5_000 });
    const during = [await triggerIncident(server, 'Cut New 1'), await triggerIncident(server, 'Cut New 2')];
    await server.http().data(IncAcknowledgeDocument, { id: before[0].incidentId, note: 'handled during the cut' });
    await server.http().data(AlertsAdjustBalanceDocument, { customerId: before[1].customerId, amount: '100' });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await p.locator(`tr[data-incident-id="${during[0].incidentId}"]`).count()).toBe(0);
    proxy.restore();

    await p.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 15_000 });
    const { alertIncidents } = await server.http().data(IncIncidentsDocument, { filter: { status: ['OPEN', 'ACKNOWLEDGED'] }, first: 500 });
    const expected = new Map(alertIncidents.nodes.map((i) => [i.id, i.snoozedUntil && Date.parse(i.snoozedUntil) > Date.now() ? 'SNOOZED' : i.status]));
    expect(expected.get(before[0].incidentId)).toBe('ACKNOWLEDGED');
    expect(expected.has(before[1].incidentId)).toBe(false);
    await eventually(async () => sameBoard(await boardRows(p), expected), 10_000, 'the board to match the server after the reconnect');
    const rows = await boardRows(p);
    expect(rows.length).toBe(new Set(rows.map(([id]) => id)).size);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });

  it('the customers board: lowest available credit first, balances moving live, penalties with their time left, lifted from the board', async () => {
    const low = await createCustomer(server, { name: 'Board Low', balance: '5' });
    const high = await createCustomer(server, { name: 'Board High', balance: '50' });
    const p = await page(alice);
    await p.getByRole('link', { name: 'Customers' }).click();
    const table = p.getByTestId('customers-table');
    await table.locator(`tr[data-customer-id="${high}"]`).waitFor();
    const order = () => table.locator('tr[data-customer-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-customer-id')));
    let ids = await order();
    expect(ids.indexOf(low)).toBeLessThan(ids.indexOf(high));

    // A charge moves High below Low, live: no reload.
    await chargeCalls(server, [{ customerId: high, duration: 60, charge: '60' }]);
    await expectText(table.locator(`tr[data-customer-id="${high}"] [data-testid="available-credit"]`), /^-10\.00$/);
    ids = await order();
    expect(ids.indexOf(high)).toBeLessThan(ids.indexOf(low));

    // A penalty: the customer shows as suspended with its time left; the NOC lifts it from the board.
    const penalised = await createCustomer(server, { name: 'Board Penalised', balance: '1' });
    await server.http().data(CreateAlertDefinitionDocument, { input: { title: 'Penalty rule', customerId: penalised, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 1800 } });
    await chargeCalls(server, [{ customerId: penalised, duration: 30, charge: '3' }]);
    const suspendedRow = p.getByTestId('suspended-table').locator(`tr[data-customer-id="${penalised}"]`);
    await expectText(suspendedRow, /Suspended[\s\S]*(29m \d+s|30m) left/);
    p.once('dialog', (d) => void d.accept('customer paid'));
    await suspendedRow.getByRole('button', { name: 'Lift penalty' }).click();
    await eventually(async () => (await suspendedRow.count()) === 0, 5_000, 'the lifted customer to leave the suspended list');
    await expect(table.locator(`tr[data-customer-id="${penalised}"]`).getAttribute('data-status')).resolves.toBe('ACTIVE');

    // Its page: balance, traffic over the window and the ledger.
    await table.locator(`tr[data-customer-id="${high}"] a`).first().click();
    await p.locator(`article[data-customer-id="${high}"]`).waitFor();
    await expectText(p.getByTestId('calls'), /^1$/);
    await expectText(p.getByTestId('ledger'), /-60\.00/);
  });

  it('a CUSTOMER key sees its own account, no incidents and no other customer', async () => {
    const own = await createCustomer(server, { name: 'Portal Customer', balance: '25' });
    const { customerId: otherId } = await triggerIncident(server, 'Someone Else');
    const key = await keyOf(server, 'portal', 'CUSTOMER', own);
    const p = await (await browser.newContext()).newPage();
    await signIn(p, origin, key);
    await p.locator(`article[data-customer-id="${own}"]`).waitFor();
    await expectText(p.getByRole('heading', { level: 2 }), /Portal Customer/);
    await expectText(p.getByTestId('available-credit').first(), /25\.00/);
    expect(await p.getByRole('link', { name: 'Incidents' }).count()).toBe(0);
    expect(await p.locator('[data-incident-id]').count()).toBe(0);

    await p.goto(`${origin}/customers/${encodeURIComponent(otherId)}`);
    await expectText(p.getByRole('alert'), /No such customer|not found/i);
    await p.goto(`${origin}/`);
    await p.locator(`article[data-customer-id="${own}"]`).waitFor();
    await p.goto(`${origin}/customers`);
    await p.locator(`article[data-customer-id="${own}"]`).waitFor();
    expect(await p.content()).not.toContain('Someone Else');
    expect(await p.locator('[data-incident-id]').count()).toBe(0);
  });
});

describe('NOC console in production mode', () => {
  it('the console and the explorer make no request to any other origin, and the explorer runs { me { role } }', async () => {
    const server = await startTestServer({ env: { NODE_ENV: 'production', WEBHOOK_SECRET: 'whsec_browser_test_only_0123456789abcdef' } });
    const origin = new URL(server.url).origin;
    const key = await keyOf(server, 'noc-prod', 'NOC');
    await triggerIncident(server, 'Production One');
    const browser = await launchBrowser();
    const context = await browser.newContext();
    const log = new RequestLog(context);
    const violations: string[] = [];
    const p = await context.newPage();
    p.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));

    await signIn(p, origin, key);
    await p.locator('tr[data-incident-id]').first().waitFor();
    await p.getByRole('link', { name: 'Customers' }).click();
    await p.getByTestId('customers-table').waitFor();
    await p.locator('[data-testid="customers-table"] a').first().click();
    await p.getByTestId('call-stats').waitFor();

    await p.getByRole('link', { name: 'Explorer' }).click();
    await p.locator('.graphiql-container').waitFor({ timeout: 30_000 });
    // The key field starts with the tab's key; the editor starts with { me { role } }.
    await expect(p.locator('input[name="explorerKey"]').inputValue()).resolves.toBe(key);
    await expectText(p.locator('.graphiql-query-editor'), /me\s*\{\s*role/, 30_000);
    await p.locator('.graphiql-execute-button').click();
    await expectText(p.locator('.graphiql-response'), /"role":\s*"NOC"/, 15_000);
    // A browser that opens /graphql itself lands on the explorer, not on a CDN page.
    await p.goto(`${origin}/graphql`);
    await p.locator('.graphiql-container').waitFor({ timeout: 30_000 });

    expect(log.requests.filter((u) => u.startsWith(origin)).length).toBeGreaterThan(5);
    expect(log.elsewhere(origin)).toEqual([]);
    expect(violations).toEqual([]);
  });
});

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeoutMs = 5_000): Promise<void> {
  await eventually(async () => pattern.test((await locator.textContent().catch(() => '')) ?? ''), timeoutMs, `text ${pattern}`);
}

async function keyOf(server: TestServer, name: string, role: 'NOC' | 'CUSTOMER', customerId?: string): Promise<string> {
  const { createApiKey } = await server.http().data(CreateApiKeyDocument, { name, role, customerId });
  return createApiKey.secret;
}

let seq = 0;

/** A customer whose negative balance triggers its rule (repeats every 60 s): one submitCdrs opens the incident. */
async function triggerIncident(server: TestServer, name: string) {
  const customerId = await createCustomer(server, { name: `${name} ${++seq}`, balance: '1' });
  await server.http().data(CreateAlertDefinitionDocument, { input: { title: `${name} negative`, customerId, area: 'BALANCE', operator: 'LT', threshold: '0', repeatInterval: 60 } });
  await chargeCalls(server, [{ customerId, duration: 30, charge: '3' }]);
  const answeredAt = Date.now();
  const { alertIncidents } = await server.http().data(IncIncidentsDocument, { filter: { customerId } });
  expect(alertIncidents.nodes).toHaveLength(1);
  return { customerId, incidentId: alertIncidents.nodes[0].id, answeredAt };
}

/** Makes the repeat due and runs the repeats job; returns the customer's REPEATED count. */
async function repeatNow(server: TestServer, customerId: string): Promise<number> {
  await server.app.services.db.query(`UPDATE alert_states SET last_notified_at = now() - interval '61 seconds' WHERE customer_id = $1`, [localId(customerId)]);
  await runJob(server, 'alert-repeats');
  return (await server.http().data(IncEventsDocument, { filter: { customerId, kinds: ['REPEATED'] } })).alertEvents.nodes.length;
}

async function boardRows(p: Page): Promise<[string, string][]> {
  return p.$$eval('tr[data-incident-id]', (rows) => rows.map((r) => [r.getAttribute('data-incident-id')!, r.getAttribute('data-status')!] as [string, string]));
}

function sameBoard(rows: [string, string][], expected: Map<string, string>): boolean {
  return rows.length === expected.size && rows.every(([id, status]) => expected.get(id) === status);
}
