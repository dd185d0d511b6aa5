/// <reference lib="dom" />
/**
 * The board with 1,000 open incidents (issue 14): they arrive live from one submitCdrs,
 * load with the page, and one more change renders as one row, not a refetch of the board.
 * Times are printed for the closing note; the assertions are on what the board shows.
 */
import { randomUUID } from 'node:crypto';
import { AlertsSubmitCdrsDocument, CreateAlertDefinitionDocument, CreateApiKeyDocument, CreateCustomerClassDocument, IncAcknowledgeDocument, IncIncidentsDocument } from '../generated/graphql';
import { createCustomer } from '../helpers/alert-fixtures';
import { launchBrowser, RequestLog, signIn } from '../helpers/browser';
import { startTestServer } from '../helpers/test-server';

jest.setTimeout(300_000);

const N = 1_000;

it('renders 1,000 open incidents and applies each further event to its row without refetching the board', async () => {
  const server = await startTestServer({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  const origin = new URL(server.url).origin;
  const { createCustomerClass } = await server.http().data(CreateCustomerClassDocument, { input: { name: 'Wholesale' } });
  const ids: string[] = [];
  for (let i = 0; i < N; i += 25) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(25, N - i) }, (_, k) => createCustomer(server, { name: `Carrier ${String(i + k).padStart(4, '0')}`, balance: '1', customerClassId: createCustomerClass.id })))));
  }
  await server.http().data(CreateAlertDefinitionDocument, { input: { title: 'Negative balance', customerClassId: createCustomerClass.id, area: 'BALANCE', operator: 'LT', threshold: '0' } });
  const { createApiKey } = await server.http().data(CreateApiKeyDocument, { name: 'noc-wall', role: 'NOC' });

  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const log = new RequestLog(context);
  const p = await context.newPage();
  await signIn(p, origin, createApiKey.secret);
  await p.getByRole('region', { name: 'Incident board' }).waitFor();
  await p.locator('[data-testid="connection"][data-status="live"]').waitFor();
  const rows = p.locator('tr[data-incident-id]');

  // 1,000 incidents open in one batch; the board receives them live.
  const now = Date.now();
  await server.http().data(AlertsSubmitCdrsDocument, {
    cdrs: ids.map((customerId) => ({ callId: randomUUID(), customerId, callee: '15550100', startedAt: new Date(now - 1000).toISOString(), duration: 30, disposition: 'ANSWERED' as const, charge: '3' })),
  });
  const submitted = Date.now();
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-incident-id]').length === n, N, { timeout: 60_000 });
  const liveMs = Date.now() - submitted;
  expect(await p.getByTestId('open-count').textContent()).toBe(`${N} open`);

  // A fresh page load: the board's 1,000 incidents read in pages of 500, then rendered.
  const loadStart = Date.now();
  await p.reload();
  await p.waitForFunction((n) => document.querySelectorAll('tr[data-incident-id]').length === n, N, { timeout: 60_000 });
  const loadMs = Date.now() - loadStart;
  await p.locator('[data-testid="connection"][data-status="live"]').waitFor();

  // One acknowledgement from elsewhere: its row changes; the board is not read again.
  const { alertIncidents } = await server.http().data(IncIncidentsDocument, { first: 1 });
  const target = alertIncidents.nodes[0].id;
  const boardReads = () => log.requests.length;
  const before = boardReads();
  const ackStart = Date.now();
  await server.http().data(IncAcknowledgeDocument, { id: target });
  await p.locator(`tr[data-incident-id="${target}"][data-status="ACKNOWLEDGED"]`).waitFor({ timeout: 5_000 });
  const ackMs = Date.now() - ackStart;
  expect(boardReads()).toBe(before);

  // The page stays responsive: a filter over 1,000 rows and back, timed inside the page.
  const filterMs = await p.evaluate(async () => {
    const input = document.querySelector<HTMLInputElement>('input[aria-label="Filter by customer"]')!;
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const t0 = performance.now();
    setter.call(input, 'Carrier 0999');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    const narrowed = document.querySelectorAll('tr[data-incident-id]').length;
    setter.call(input, '');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
    return { ms: performance.now() - t0, narrowed, restored: document.querySelectorAll('tr[data-incident-id]').length };
  });
  expect(filterMs.narrowed).toBe(1);
  expect(filterMs.restored).toBe(N);
  expect(await rows.count()).toBe(N);
  process.stdout.write(
    `console with ${N} incidents: live arrival ${liveMs} ms after submitCdrs answered; page load to ${N} rows ${loadMs} ms; ` +
      `acknowledgement elsewhere to its row ${ackMs} ms; filter and unfilter ${Math.round(filterMs.ms)} ms\n`,
  );
});
