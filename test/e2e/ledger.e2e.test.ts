/**
 * The balance ledger (issue 13): a NOC screen that reconnects to ledgerEntryAdded with its
 * last cursor gets every entry it missed once, in order, payments and CDR charges committed
 * concurrently included; the cursor needs no lock on the CDR path (an open ledger
 * transaction does not hold back submitCdrs, only the readers); actor, references and notes
 * read back; BalanceChange.ledgerEntry.cursor resumes the feed; lists page from either end.
 */
import { randomUUID } from 'node:crypto';
import {
  AlertEventsPagedDocument,
  CdrsPagedDocument,
  CreateApiKeyDocument,
  CustomerLedgerDocument,
  CustomersWithLedgerDocument,
  LedgerAdjustBalanceDocument,
  LedgerBalanceChangedDocument,
  LedgerChargeCdrsDocument,
  LedgerEntriesActorDocument,
  LedgerEntriesDocument,
  LedgerEntriesOwnDocument,
  LedgerEntryAddedDocument,
  LedgerEntryAddedOwnDocument,
  LedgerEntryNodeDocument,
  LedgerRecordPaymentDocument,
  LedgerSubmitCdrsDocument,
  NotificationsPagedDocument,
  type CdrInput,
  type Role,
} from '../generated/graphql';
import { chargeCalls, createCustomer, localId } from '../helpers/alert-fixtures';
import { eventually, type HttpClient } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { quietFor } from '../helpers/waits';
import { BALANCE_CHANGED } from '../../src/modules/balance/balance.topics';

describe('the balance ledger', () => {
  let server: TestServer;
  /** An ADMIN key with a name of its own (the actor of its changes). */
  let billing: HttpClient;
  let billingSecret: string;
  let ingest: HttpClient;
  let nocSecret: string;

  const key = async (name: string, role: Role, customerId?: string) =>
    (await server.http().data(CreateApiKeyDocument, { name, role, customerId })).createApiKey.secret;
  /** Resolves once n listeners of BALANCE_CHANGED are live (the feeds' wake-ups), so nothing committed next is missed. */
  const listening = (n: number) => eventually(() => server.app.services.events.listenerCount(BALANCE_CHANGED) >= n, 10_000, `${n} ledger listeners`);
  const listeners = () => server.app.services.events.listenerCount(BALANCE_CHANGED);
  const calls = (customerId: string, charges: string[]): CdrInput[] =>
    charges.map((charge) => ({ callId: randomUUID(), customerId, callee: '15550100', startedAt: new Date(Date.now() - 1000).toISOString(), duration: 60, disposition: 'ANSWERED', charge }));
  const charge = async (customerId: string, charges: string[]) => {
    const { submitCdrs } = await ingest.data(LedgerChargeCdrsDocument, { cdrs: calls(customerId, charges) });
    expect(submitCdrs.rejected).toEqual([]);
  };
  const pay = (customerId: string, amount: string, reference?: string) => billing.data(LedgerRecordPaymentDocument, { customerId, amount, reference });
  /** Every entry after a cursor's entry, in the ledger's order, read from the table itself (all writers here have returned). */
  const storedAfter = async (cursor: string, customerIds?: string[]) => {
    const [tx, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as string[];
    // Ordered by the bigint columns (an `id::text` output column would sort "10" before "9").
    const rows = await server.app.services.db.query<{ entry_id: string }>(
      `SELECT id::text AS entry_id FROM balance_ledger WHERE (tx, id) > ($1::bigint, $2::bigint) AND ($3::uuid[] IS NULL OR customer_id = ANY($3::uuid[])) ORDER BY tx, id`,
      [tx, id, customerIds ? customerIds.map(localId) : null],
    );
    return rows.map((r) => `led_${r.entry_id}`);
  };

  beforeAll(async () => {
    server = await startTestServer();
    billingSecret = await key('billing desk', 'ADMIN');
    billing = server.http(billingSecret);
    ingest = server.http(await key('switch 1', 'INGEST'));
    nocSecret = await key('noc wall', 'NOC');
  });

  it('a NOC screen that reconnects with its last cursor gets every missed entry once, in order, concurrent payments and CDR charges included', async () => {
    const customers = await Promise.all(['North', 'South', 'East'].map((name) => createCustomer(server, { name: `Ledger ${name}` })));
    const noc = server.ws(nocSecret);
    const before = listeners();
    const first = noc.subscribe(LedgerEntryAddedDocument, {});
    await listening(before + 1);
    await pay(customers[0], '10', 'INV-0');
    const [seen] = await first.waitFor(1);
    expect(seen.ledgerEntryAdded).toMatchObject({ reason: 'PAYMENT', delta: '10', reference: 'INV-0', actor: 'billing desk', customer: { id: customers[0] } });
    first.close();
    await noc.close();

    // Away: payments and CDR batches on the same customers, many at once (committing in
    // an order nobody chose), an adjustment among them.
    const offline = customers.flatMap((c, i) => [
      pay(c, `${i + 1}.5`, `INV-${i}-a`),
      charge(c, ['0.25', '0.5']),
      pay(c, '3', `INV-${i}-b`),
      charge(c, ['1']),
      charge(c, ['0.125', '0.125', '0.125']),
    ]);
    await Promise.all([...offline, billing.data(LedgerAdjustBalanceDocument, { customerId: customers[1], amount: '-0.75', note: 'rounding, ticket 42' })]);
    const missed = await storedAfter(seen.ledgerEntryAdded.cursor);
    expect(missed).toHaveLength(16);

    // Back, from the last cursor it saw, while more arrive: catch-up and live overlap.
    const back = server.ws(nocSecret).subscribe(LedgerEntryAddedDocument, { after: seen.ledgerEntryAdded.cursor });
    await Promise.all(customers.flatMap((c) => [pay(c, '1', 'INV-late'), charge(c, ['0.01', '0.02'])]));
    const all = await storedAfter(seen.ledgerEntryAdded.cursor);
    expect(all).toHaveLength(22);
    const got = await back.waitFor(all.length);
    expect(got.map((m) => m.ledgerEntryAdded.id)).toEqual(all);
    expect(got.slice(0, 16).map((m) => m.ledgerEntryAdded.id).sort()).toEqual([...missed].sort());
    // Then live, still exactly once.
    await charge(customers[2], ['2']);
    await back.waitFor(all.length + 1);
    await quietFor(300);
    expect(back.received).toHaveLength(all.length + 1);
    expect(new Set(back.received.map((m) => m.ledgerEntryAdded.id)).size).toBe(all.length + 1);

    // The entries read as stored: CDR charges with their count and no actor, payments with theirs.
    const cdrEntry = got.find((m) => m.ledgerEntryAdded.reason === 'CDR_CHARGES' && m.ledgerEntryAdded.cdrCount === 3)!.ledgerEntryAdded;
    expect(cdrEntry).toMatchObject({ delta: '-0.375', actor: null, reference: null });
    const note = got.find((m) => m.ledgerEntryAdded.reason === 'ADJUSTMENT')!.ledgerEntryAdded;
    expect(note).toMatchObject({ delta: '-0.75', reference: 'rounding, ticket 42', actor: 'billing desk', cdrCount: null, customer: { id: customers[1] } });
    back.close();
  });

  it('needs no lock on the CDR path: an open ledger transaction holds back the readers, not submitCdrs, and nothing is lost when it commits', async () => {
    const [held, busy] = await Promise.all([createCustomer(server, { name: 'Held Co' }), createCustomer(server, { name: 'Busy Co' })]);
    const noc = server.ws(nocSecret);
    const before = listeners();
    const feed = noc.subscribe(LedgerEntryAddedDocument, {});
    await listening(before + 1);

    // T1 writes its ledger entry first and stays open.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wroteFirst = new Promise<void>((resolve) => (written = resolve));
    const services = server.app.services;
    const t1 = services.db.transaction(async (uow) => {
      await services.balanceLedger.apply(uow, 'PAYMENT', [{ customerId: localId(held), delta: '7', reference: 'held open' }], null);
      written();
      await gate;
    });
    await wroteFirst;
    // T2, a CDR batch on another customer, took its transaction id after T1 and commits
    // first: identity order would hand out its cursor and lose T1's entry. It is not
    // blocked (no global lock on the path): the batch answers while T1 is open.
    await chargeCalls(server, [{ customerId: busy, duration: 60, charge: '0.5' }]);
    // Readers wait for T1: neither the feed nor the list shows T2's entry yet.
    await quietFor(300);
    expect(feed.received).toHaveLength(0);
    const listed = await server.http(nocSecret).data(LedgerEntriesDocument, { filter: { customerId: busy }, first: 5 });
    expect(listed.ledgerEntries.nodes).toHaveLength(0);
    // A batch that asks for its entries' cursors (BalanceChange.ledgerEntry) is answered
    // once they settle, so no cursor is handed out that could skip T1's entry.
    let answered = false;
    const asking = billing.data(LedgerSubmitCdrsDocument, { cdrs: calls(busy, ['0.125']) }).then((r) => ((answered = true), r));
    await quietFor(300);
    expect(answered).toBe(false);

    release();
    await t1;
    const [a, b] = await feed.waitFor(2);
    expect(a.ledgerEntryAdded).toMatchObject({ customer: { id: held }, reference: 'held open', actor: null });
    expect(b.ledgerEntryAdded).toMatchObject({ customer: { id: busy }, reason: 'CDR_CHARGES', delta: '-0.5' });
    const cursor = (await asking).submitCdrs.balanceChanges[0].ledgerEntry.cursor;
    await feed.waitFor(3);
    expect(feed.received.map((m) => m.ledgerEntryAdded.id)).toEqual([a.ledgerEntryAdded.id, ...(await storedAfter(a.ledgerEntryAdded.cursor))]);
    expect(feed.received[2].ledgerEntryAdded.cursor).toBe(cursor);
    // The cursor the batch was given resumes right after its own entry.
    const resumed = server.ws(nocSecret).subscribe(LedgerEntryAddedDocument, { after: cursor });
    const late = (await pay(held, '1', 'after')).recordPayment.ledgerEntry;
    const [next] = await resumed.waitFor(1);
    expect(next.ledgerEntryAdded.id).toBe(late.id);
    await quietFor(200);
    expect(resumed.received).toHaveLength(1);
    feed.close();
    resumed.close();
  });

  it('BalanceChange.ledgerEntry: its cursor resumes the feed; actor, reference and note read back; CDR charges have no actor', async () => {
    const id = await createCustomer(server, { name: 'Resume Co' });
    const payment = (await pay(id, '25', 'WIRE-2026-11-001')).recordPayment;
    expect(payment.ledgerEntry).toMatchObject({ reason: 'PAYMENT', delta: '25', balance: '25', reference: 'WIRE-2026-11-001', actor: 'billing desk', cdrCount: null, customer: { id } });
    const adjustment = (await billing.data(LedgerAdjustBalanceDocument, { customerId: id, amount: '-5', note: 'goodwill reversal' })).adjustBalance;
    expect(adjustment.ledgerEntry).toMatchObject({ reason: 'ADJUSTMENT', reference: 'goodwill reversal', actor: 'billing desk' });
    const batch = (await billing.data(LedgerSubmitCdrsDocument, { cdrs: calls(id, ['1.5', '2']) })).submitCdrs;
    expect(batch.balanceChanges[0].ledgerEntry).toMatchObject({ reason: 'CDR_CHARGES', delta: '-3.5', balance: '16.5', accruedCharges: '3.5', cdrCount: 2, actor: null, reference: null });

    const feed = server.ws(nocSecret).subscribe(LedgerEntryAddedDocument, { customerId: id, after: payment.ledgerEntry.cursor });
    const [adj, cdr] = await feed.waitFor(2);
    expect([adj.ledgerEntryAdded.id, cdr.ledgerEntryAdded.id]).toEqual([adjustment.ledgerEntry.id, batch.balanceChanges[0].ledgerEntry.id]);

    // The same entry by node(id), the list and the customer's own ledger; balanceChanged carries it too.
    const node = await server.http(nocSecret).data(LedgerEntryNodeDocument, { id: payment.ledgerEntry.id });
    expect(node.node).toMatchObject({ id: payment.ledgerEntry.id, reference: 'WIRE-2026-11-001', actor: 'billing desk' });
    const own = (await server.http(nocSecret).data(CustomerLedgerDocument, { id, first: 2 })).customer!.ledger;
    expect(own).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    expect(own.nodes.map((n) => n.id)).toEqual([batch.balanceChanges[0].ledgerEntry.id, adjustment.ledgerEntry.id]);
    const rest = (await server.http(nocSecret).data(CustomerLedgerDocument, { id, first: 2, after: own.pageInfo.endCursor })).customer!.ledger;
    expect(rest).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false, hasPreviousPage: true }, nodes: [{ id: payment.ledgerEntry.id }] });
    const live = listeners();
    const changes = server.ws(nocSecret).subscribe(LedgerBalanceChangedDocument, { customerId: id });
    await listening(live + 1);
    const third = (await pay(id, '1')).recordPayment.ledgerEntry;
    const [changed] = await changes.waitFor(1);
    expect(changed.balanceChanged.ledgerEntry).toEqual({ id: third.id, cursor: third.cursor });
    feed.close();
    changes.close();
  });

  it('ledgerEntries lists newest first (first: 5 is the newest five), filters, and pages back from the oldest end', async () => {
    const id = await createCustomer(server, { name: 'List Co' });
    for (let i = 1; i <= 7; i++) await pay(id, String(i), `P-${i}`);
    await billing.data(LedgerAdjustBalanceDocument, { customerId: id, amount: '-1', note: 'fee' });
    const http = server.http(nocSecret);
    const newest = (await http.data(LedgerEntriesDocument, { filter: { customerId: id }, first: 5 })).ledgerEntries;
    expect(newest.totalCount).toBe(8);
    expect(newest.nodes.map((n) => n.reference)).toEqual(['fee', 'P-7', 'P-6', 'P-5', 'P-4']);
    expect(newest.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: newest.nodes[0].cursor, endCursor: newest.nodes[4].cursor });
    const payments = (await http.data(LedgerEntriesDocument, { filter: { customerId: id, reasons: ['PAYMENT'] }, first: 50 })).ledgerEntries;
    expect(payments.totalCount).toBe(7);
    const oldest = (await http.data(LedgerEntriesDocument, { filter: { customerId: id }, last: 2 })).ledgerEntries;
    expect(oldest.nodes.map((n) => n.reference)).toEqual(['P-2', 'P-1']);
    expect(oldest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const middle = (await http.data(LedgerEntriesDocument, { filter: { customerId: id }, last: 3, before: oldest.pageInfo.startCursor })).ledgerEntries;
    expect(middle.nodes.map((n) => n.reference)).toEqual(['P-5', 'P-4', 'P-3']);
    expect(middle.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(await http.errorCode(LedgerEntriesDocument, { first: 1, last: 1 })).toBe('BAD_USER_INPUT');
    expect(await http.errorCode(LedgerEntriesDocument, { before: 'not-a-cursor' })).toBe('BAD_USER_INPUT');
    // A list of customers reads every first page of their ledgers at once.
    const listed = (await http.data(CustomersWithLedgerDocument, { filter: { name: 'List Co' }, first: 1 })).customers.nodes;
    expect(listed).toEqual([{ id, ledger: { totalCount: 8, pageInfo: { hasNextPage: true, endCursor: newest.nodes[0].cursor }, nodes: [{ id: newest.nodes[0].id, cursor: newest.nodes[0].cursor, delta: '-1' }] } }]);
  });

  it('alertEvents(last: 5) is the newest five with hasPreviousPage; cdrs and notifications page back too', async () => {
    const id = await createCustomer(server, { name: 'Paging Co', callDurationTrigger: 3600, mainEmail: 'billing@paging.example' });
    for (let i = 0; i < 8; i++) await chargeCalls(server, [{ customerId: id, duration: 7200 }]);
    // Payments queue PAYMENT_RECEIVED notices: the notifications to page through.
    for (let i = 0; i < 3; i++) await pay(id, '1');
    const http = server.http(nocSecret);
    const all = (await http.data(AlertEventsPagedDocument, { filter: { customerId: id }, first: 500 })).alertEvents;
    expect(all.totalCount).toBe(8);
    const last5 = (await http.data(AlertEventsPagedDocument, { filter: { customerId: id }, last: 5 })).alertEvents;
    expect(last5.nodes.map((e) => e.id)).toEqual(all.nodes.slice(3).map((e) => e.id));
    expect(last5.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: all.nodes[3].cursor, endCursor: all.nodes[7].cursor });
    const earlier = (await http.data(AlertEventsPagedDocument, { filter: { customerId: id }, last: 5, before: last5.pageInfo.startCursor })).alertEvents;
    expect(earlier.nodes.map((e) => e.id)).toEqual(all.nodes.slice(0, 3).map((e) => e.id));
    expect(earlier.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // Forward from the middle knows what lies behind it.
    const second = (await http.data(AlertEventsPagedDocument, { filter: { customerId: id }, first: 2, after: all.nodes[1].cursor })).alertEvents;
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const cdrs = (await http.data(CdrsPagedDocument, { filter: { customerId: id }, first: 500 })).cdrs;
    const oldestCalls = (await http.data(CdrsPagedDocument, { filter: { customerId: id }, last: 3 })).cdrs;
    expect(oldestCalls.nodes).toEqual(cdrs.nodes.slice(-3));
    expect(oldestCalls.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const notes = (await http.data(NotificationsPagedDocument, { filter: { customerId: id }, first: 500 })).notifications;
    expect(notes.totalCount).toBeGreaterThan(1);
    const oldestNote = (await http.data(NotificationsPagedDocument, { filter: { customerId: id }, last: 1 })).notifications;
    expect(oldestNote.nodes).toEqual(notes.nodes.slice(-1));
    expect(oldestNote.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('a CUSTOMER key reads its own entries with their references, never the actor nor another customer', async () => {
    const [mine, theirs] = await Promise.all([createCustomer(server, { name: 'Portal Mine' }), createCustomer(server, { name: 'Portal Theirs' })]);
    const secret = await key('mine portal', 'CUSTOMER', mine);
    const portal = server.http(secret);
    const before = listeners();
    const feed = server.ws(secret).subscribe(LedgerEntryAddedOwnDocument, {});
    await listening(before + 1);
    await pay(theirs, '5', 'THEIRS-1');
    await pay(mine, '9', 'MINE-1');
    const [own] = await feed.waitFor(1);
    expect(own.ledgerEntryAdded).toMatchObject({ reference: 'MINE-1', customer: { id: mine } });
    const listed = (await portal.data(LedgerEntriesOwnDocument, { first: 50 })).ledgerEntries;
    expect(listed.nodes.map((n) => n.reference)).toEqual(['MINE-1']);
    expect(await portal.errorCode(LedgerEntriesOwnDocument, { filter: { customerId: theirs } })).toBe('NOT_FOUND');
    expect(await portal.errorCode(LedgerEntriesActorDocument, {})).toBe('FORBIDDEN');
    const spying = server.ws(secret).subscribe(LedgerEntryAddedOwnDocument, { customerId: theirs });
    await spying.ended();
    expect(JSON.stringify(spying.errors)).toContain('NOT_FOUND');
    await quietFor(200);
    expect(feed.received).toHaveLength(1);
    feed.close();
  });
});
