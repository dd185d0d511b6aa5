/// <reference lib="dom" />
/**
 * The README's pictures of the console, from a small realistic NOC: two classes, rules on
 * balance and ASR, incidents open, acknowledged, assigned and snoozed, a suspended customer.
 * Always run (it checks those pages render that state); `UPDATE_SCREENSHOTS=1` writes the
 * pictures into docs/images, otherwise into a temporary folder.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateAlertDefinitionDocument,
  CreateApiKeyDocument,
  CreateCustomerClassDocument,
  CreateHostDocument,
  CreateTrunkDocument,
  IncAcknowledgeDocument,
  IncAssignDocument,
  IncCommentDocument,
  IncIncidentsDocument,
  IncSnoozeDocument,
} from '../generated/graphql';
import { chargeCalls, callsWithAsr, createCustomer } from '../helpers/alert-fixtures';
import { launchBrowser, signIn } from '../helpers/browser';
import { startTestServer } from '../helpers/test-server';

jest.setTimeout(180_000);

const OUT = process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(__dirname, '../../docs/images') : mkdtempSync(path.join(tmpdir(), 'lineguard-shots-'));

it('the incident board and a customer page, as a NOC sees them', async () => {
  const server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  const admin = server.http();
  const origin = new URL(server.url).origin;
  const { createCustomerClass: wholesale } = await admin.data(CreateCustomerClassDocument, { input: { name: 'Wholesale A-Z' } });
  const { createCustomerClass: retail } = await admin.data(CreateCustomerClassDocument, { input: { name: 'Retail prepaid' } });
  await admin.data(CreateAlertDefinitionDocument, { input: { title: 'Prepaid deposit exhausted', customerClassId: retail.id, area: 'BALANCE', operator: 'LT', threshold: '0', repeatInterval: 900, penalty: 3600 } });
  await admin.data(CreateAlertDefinitionDocument, { input: { title: 'ASR collapse', customerClassId: wholesale.id, area: 'ASR', operator: 'LT', threshold: '25', samplePeriod: 900, minCalls: 10 } });

  const names = ['Atlantic Telecom', 'Baltic Voice', 'Carib Connect', 'Delta Carrier', 'Eastern Routes', 'Fjord Mobile'];
  const wholesaleIds = await Promise.all(names.slice(0, 3).map((name) => createCustomer(server, { name, customerClassId: wholesale.id, balance: '2500', creditLimit: '10000' })));
  const retailIds = await Promise.all(names.slice(3).map((name, i) => createCustomer(server, { name, customerClassId: retail.id, balance: ['40', '12.5', '80'][i] })));
  for (const [name, direction, hosts] of [
    ['BV-IN-FRA', 'INGRESS', ['203.0.113.10', '203.0.113.11']],
    ['BV-IN-AMS', 'INGRESS', ['198.51.100.32/29']],
    ['BV-OUT-LHR', 'EGRESS', ['192.0.2.44']],
  ] as const) {
    const { createTrunk } = await admin.data(CreateTrunkDocument, { input: { customerId: wholesaleIds[1], name, direction, callLimit: 600, cpsLimit: 40 } });
    for (const ip of hosts) await admin.data(CreateHostDocument, { input: { trunkId: createTrunk.id, ip, port: 5060 } });
  }
  // ASR falls to 10 % for two wholesale customers; one stays healthy.
  await chargeCalls(server, [...callsWithAsr(wholesaleIds[0], 20, 2), ...callsWithAsr(wholesaleIds[1], 30, 3), ...callsWithAsr(wholesaleIds[2], 20, 12)].map((c) => ({ ...c, charge: c.answered ? '0.42' : '0' })));
  // Two prepaid customers burn through their deposit; one is suspended by the penalty.
  await chargeCalls(server, [
    { customerId: retailIds[0], duration: 600, charge: '41.75' },
    { customerId: retailIds[1], duration: 240, charge: '13.1' },
    { customerId: retailIds[2], duration: 120, charge: '6.4' },
  ]);
  const { alertIncidents } = await admin.data(IncIncidentsDocument, { first: 50 });
  const byCustomer = new Map(alertIncidents.nodes.map((i) => [i.customer.id, i.id]));
  expect(byCustomer.size).toBe(4);
  const { createApiKey: noc } = await admin.data(CreateApiKeyDocument, { name: 'noc-maria', role: 'NOC' });
  const maria = server.http(noc.secret);
  await maria.data(IncAcknowledgeDocument, { id: byCustomer.get(wholesaleIds[0])!, note: 'Route to Tier-2 vendor down, rerouting' });
  await maria.data(IncAssignDocument, { id: byCustomer.get(wholesaleIds[0])!, assignee: 'maria' });
  await maria.data(IncSnoozeDocument, { id: byCustomer.get(retailIds[1])!, until: new Date(Date.now() + 2 * 3600_000).toISOString(), note: 'Top-up promised by 14:00' });
  await maria.data(IncCommentDocument, { id: byCustomer.get(retailIds[0])!, text: 'Billing called, awaiting wire transfer' });

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1360, height: 760 }, deviceScaleFactor: 1 });
  const p = await context.newPage();
  await signIn(p, origin, noc.secret);
  await p.locator('tr[data-incident-id]').nth(3).waitFor();
  await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
  // One incident opens while the board is on screen: it shows as new.
  const late = await createCustomer(server, { name: 'Gulf Transit', customerClassId: retail.id, balance: '3' });
  await chargeCalls(server, [{ customerId: late, duration: 90, charge: '4.2' }]);
  await p.locator('tr.fresh').waitFor();
  await p.waitForTimeout(300);
  await p.screenshot({ path: path.join(OUT, 'console-board.png') });

  await p.goto(`${origin}/customers/${encodeURIComponent(wholesaleIds[1])}`);
  await p.getByTestId('call-stats').waitFor();
  await p.getByTestId('ledger').locator('tbody tr').first().waitFor();
  expect(await p.getByTestId('calls').textContent()).toBe('30');
  expect(await p.getByText('198.51.100.32/29:5060').count()).toBe(1);
  await p.screenshot({ path: path.join(OUT, 'console-customer.png'), fullPage: true });

  await p.goto(`${origin}/customers`);
  await p.getByTestId('suspended-table').waitFor();
  await p.screenshot({ path: path.join(OUT, 'console-customers.png') });
});
