/**
 * docs/recipes.md, run: each recipe's operations (test/operations/recipes.graphql, which
 * the doc shows verbatim) against a real server, a real SMTP server and real HTTP
 * receivers (webhooks, the SMS gateway, the switch's status endpoint).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AccountStatusDocument,
  AddIngressHostDocument,
  AlertHistoryDocument,
  AssignClassLettersDocument,
  BalanceAtDocument,
  BalanceHistoryDocument,
  CreateAccountDocument,
  CreateClassDocument,
  CreateIngressTrunkDocument,
  CreateLettersDocument,
  CreatePrepaidCustomerDocument,
  CreateRuleDocument,
  CustomerListDocument,
  DeliveryLogDocument,
  FollowLedgerDocument,
  HostsByIpDocument,
  ReceiverSecretDocument,
  SendNoticeDocument,
  SetAccountStatusDocument,
  SetAlertRecipientsDocument,
  SetClassMessageDocument,
  SetClassRemindersDocument,
  SetLimitsDocument,
  SubmitSwitchCdrsDocument,
  TakePaymentDocument,
  type CdrInput,
} from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher, type ReceivedRequest } from '../helpers/notification-receivers';
import { startTestServer } from '../helpers/test-server';

const ROOT = join(__dirname, '..', '..');
const WEBHOOK_SECRET = `whsec_${Buffer.from('recipes-test-secret-0123456789abcdef').toString('base64')}`;
/** How many prepaid customers the CDR2Cloud recipe creates (the doc's 2,000; RECIPE_CUSTOMERS to change). */
/** The name of the ADMIN_API_KEY key, as the ledger records who made a change. */
const ACTOR = 'admin (ADMIN_API_KEY)';
const PREPAID_CUSTOMERS = Number(process.env.RECIPE_CUSTOMERS ?? 2000);

/** Standard Webhooks verification with the receiver's own secret, as a receiver does it. */
function verifies(secret: string, req: ReceivedRequest): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest();
  const given = String(req.headers['webhook-signature']).split(' ').map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'));
  return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
}

/** A switch's CDR: answered unless duration is 0, started just before now. */
function cdr(customerId: string, duration: number, charge: string): CdrInput {
  return {
    callId: randomUUID(),
    customerId,
    callee: '4930123456',
    startedAt: new Date(Date.now() - (duration + 5) * 1000).toISOString(),
    duration,
    disposition: duration > 0 ? 'ANSWERED' : 'NO_ANSWER',
    charge,
  };
}

/** Runs fn over items with at most `width` in flight (a bulk loader's client side). */
async function inParallel<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

describe('recipes (docs/recipes.md)', () => {
  let mail: MailCatcher;
  let hooks: HttpReceiver;

  beforeAll(async () => {
    mail = await startMailCatcher();
    hooks = await startHttpReceiver();
  });

  /** Each recipe starts from an empty deployment, as the doc does. */
  const server = () =>
    startTestServer({
      env: {
        SMTP_URL: mail.url,
        MAIL_FROM: 'Lineguard <noc@carrier.test>',
        SMS_GATEWAY_URL: `${hooks.url}/sms`,
        WEBHOOK_SECRET,
        DELIVERY_TIMEOUT_MS: '2000',
        SCHEDULER_INTERVAL_MS: '100',
      },
    });
  const mailsTo = (address: string) => mail.messages.filter((m) => m.rcptTo.includes(address));
  const posts = (path: string) => hooks.requests.filter((r) => r.path === path);
  const smsTo = (phone: string) => posts('/sms').map((r) => JSON.parse(r.body) as { to: string; text: string }).filter((s) => s.to === phone);

  it('docs/recipes.md shows every operation the recipes run, verbatim', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'recipes.md'), 'utf8');
    const operations = readFileSync(join(ROOT, 'test', 'operations', 'recipes.graphql'), 'utf8')
      .replace(/^#.*$/gm, '')
      .split(/\n(?=(?:query|mutation|subscription) )/)
      .map((block) => block.trim())
      .filter((block) => /^(query|mutation|subscription) /.test(block));
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) expect({ op: op.split('\n')[0], inDoc: doc.includes(op) }).toEqual({ op: op.split('\n')[0], inDoc: true });
  });

  it('CDR2Cloud: 2,000 prepaid customers with a $100 trigger; the one that reaches it emails and calls the signed web service, once', async () => {
    const lg = await server();
    const admin = lg.http();
    const url = `${hooks.url}/cdr2cloud/trigger`;
    await admin.data(SetAlertRecipientsDocument, { input: { alertEmails: ['billing-ops@carrier.test'], alertWebhookUrls: [url] } });
    const secret = (await admin.data(ReceiverSecretDocument, { url })).webhookSigningSecret;

    const names = Array.from({ length: PREPAID_CUSTOMERS }, (_, i) => `Prepaid ${String(i + 1).padStart(4, '0')}`);
    const started = performance.now();
    const created = await inParallel(names, 8, async (name) => {
      const { createCustomer } = await admin.data(CreatePrepaidCustomerDocument, { input: { name, terms: 'PREPAID', balance: '500', prepaidBalanceTrigger: '100' } });
      return createCustomer;
    });
    const ms = performance.now() - started;
    console.log(`recipes: created ${created.length} prepaid customers with createCustomer, 8 in flight, in ${Math.round(ms)} ms (${Math.round((created.length * 1000) / ms)}/s)`);
    expect(created.every((c) => c.prepaidBalanceTrigger === '100')).toBe(true);

    // The switch's traffic: 60 on every customer (below 100), then 40 more on one of them.
    const submitted = performance.now();
    const first = await admin.data(SubmitSwitchCdrsDocument, { cdrs: created.map((c) => cdr(c.id, 120, '60')) });
    console.log(`recipes: one submitCdrs of ${created.length} CDRs (one per customer) in ${Math.round(performance.now() - submitted)} ms`);
    expect(first.submitCdrs).toMatchObject({ accepted: created.length, rejected: [], alertEvents: [] });
    const reacher = created[Math.floor(created.length * 0.617)];
    const second = await admin.data(SubmitSwitchCdrsDocument, { cdrs: [cdr(reacher.id, 80, '40'), cdr(created[0].id, 30, '39.99')] });
    expect(second.submitCdrs.alertEvents).toEqual([{ kind: 'TRIGGERED', area: 'ACCRUED_CHARGES', value: '100', threshold: '100', customer: { id: reacher.id, name: reacher.name } }]);

    await mail.until(() => mailsTo('billing-ops@carrier.test').length > 0, 10_000, 'the trigger email');
    await hooks.until(() => posts('/cdr2cloud/trigger').length > 0, 10_000, 'the trigger webhook');
    expect(mailsTo('billing-ops@carrier.test')[0].subject).toBe(`[TRIGGERED] Pre-paid balance trigger: ${reacher.name}`);
    const [hook] = posts('/cdr2cloud/trigger');
    expect(verifies(secret, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ type: 'notification.alert', data: { customer: { id: reacher.id, name: reacher.name }, alert: { eventKind: 'TRIGGERED', value: '100', threshold: '100' } } });

    // Who reached it: the alert history names the customer.
    const history = await admin.data(AlertHistoryDocument, { filter: { kinds: ['TRIGGERED'] }, first: 50 });
    expect(history.alertEvents.nodes.map((e) => e.customer.name)).toEqual([reacher.name]);

    // Once: every queued message delivered, and nothing more arrived.
    await eventually(async () => (await admin.data(DeliveryLogDocument, { filter: { customerId: reacher.id } })).notifications.nodes.every((n) => n.status === 'SENT'), 10_000, 'the trigger messages SENT');
    const log = (await admin.data(DeliveryLogDocument, { filter: { kind: ['ALERT'] } })).notifications;
    expect(log.nodes.map((n) => [n.channel, n.recipient]).sort()).toEqual([
      ['EMAIL', 'billing-ops@carrier.test'],
      ['WEBHOOK', url],
    ]);
    expect([mailsTo('billing-ops@carrier.test').length, posts('/cdr2cloud/trigger').length]).toEqual([1, 1]);
    await lg.close();
  }, 240_000);

  it('softswitch: customer list with filters and sorting, credit/call/CPS limits, hosts by IP, templates, sending a notice, low-balance reminders', async () => {
    const lg = await server();
    const admin = lg.http();
    const create = async (name: string, company: string, balance: string, extra: object = {}) =>
      (await admin.data(CreateAccountDocument, { input: { name, company, balance, terms: 'PREPAID', creditLimit: '0', ...extra } })).createCustomer;
    const nordtel = await create('Nordtel', 'Nordtel GmbH', '80', { callLimit: 200, cpsLimit: 20 });
    const baltel = await create('Baltel', 'Baltel AB', '35');
    const sudtel = await create('Sudtel', 'Sudtel SA', '520');
    await create('Voxa', 'Voxa Ltd', '15');

    // The list: "tel" companies, balance below 100, lowest balance first, two per page.
    const list = (after?: string | null) =>
      admin.data(CustomerListDocument, { filter: { company: 'tel', balanceBelow: '100', status: ['ACTIVE'] }, orderBy: { field: 'BALANCE', direction: 'ASC' }, first: 2, after });
    const page1 = (await list()).customers;
    expect(page1.totalCount).toBe(2);
    expect(page1.nodes.map((c) => [c.name, c.balance])).toEqual([
      ['Baltel', '35'],
      ['Nordtel', '80'],
    ]);
    expect(page1.pageInfo.hasNextPage).toBe(false);
    const byName = (await admin.data(CustomerListDocument, { orderBy: { field: 'NAME', direction: 'DESC' }, first: 2 })).customers;
    expect(byName.nodes.map((c) => c.name)).toEqual(['Voxa', 'Sudtel']);
    const next = (await admin.data(CustomerListDocument, { orderBy: { field: 'NAME', direction: 'DESC' }, first: 2, after: byName.pageInfo.endCursor })).customers;
    expect(next.nodes.map((c) => c.name)).toEqual(['Nordtel', 'Baltel']);

    // Limits: credit (available credit follows), concurrent calls, calls per second.
    const limited = (await admin.data(SetLimitsDocument, { id: baltel.id, input: { creditLimit: '250', callLimit: 60, cpsLimit: 5 } })).updateCustomer;
    expect(limited).toEqual({ id: baltel.id, creditLimit: '250', availableCredit: '285', callLimit: 60, cpsLimit: 5 });

    // The list's buttons: deactivate an account; the ACTIVE filter leaves it out.
    expect((await admin.data(SetAccountStatusDocument, { ids: [sudtel.id], status: 'INACTIVE' })).setCustomerStatus).toEqual([{ id: sudtel.id, status: 'INACTIVE' }]);
    const inactive = (await admin.data(CustomerListDocument, { filter: { status: ['INACTIVE'] } })).customers;
    expect(inactive.nodes.map((c) => c.name)).toEqual(['Sudtel']);

    // Ingress trunks and hosts with their own limits; which account owns an IP.
    const trunk = (await admin.data(CreateIngressTrunkDocument, { input: { customerId: nordtel.id, name: 'nordtel-in', direction: 'INGRESS', callLimit: 120, cpsLimit: 10 } })).createTrunk;
    await admin.data(AddIngressHostDocument, { input: { trunkId: trunk.id, ip: '203.0.113.10', port: 5060, callLimit: 60, cpsLimit: 5 } });
    await admin.data(AddIngressHostDocument, { input: { trunkId: trunk.id, ip: '203.0.113.64/29' } });
    const byIp = (await admin.data(HostsByIpDocument, { ip: '203.0.113.66' })).hosts;
    expect(byIp.nodes.map((h) => [h.ip, h.trunk.name, h.customer.name])).toEqual([['203.0.113.64/29', 'nordtel-in', 'Nordtel']]);
    const exact = (await admin.data(HostsByIpDocument, { ip: '203.0.113.10' })).hosts.nodes;
    expect(exact).toEqual([
      { ip: '203.0.113.10', port: 5060, enabled: true, callLimit: 60, cpsLimit: 5, trunk: { name: 'nordtel-in', callLimit: 120, cpsLimit: 10 }, customer: { id: nordtel.id, name: 'Nordtel', status: 'ACTIVE' } },
    ]);
    const block = (await admin.data(HostsByIpDocument, { ip: '203.0.113.0/24' })).hosts;
    expect(block.nodes.map((h) => h.ip).sort()).toEqual(['203.0.113.10', '203.0.113.64/29']);
    // The same IP on another account's ingress trunk, on another port: refused, naming the owner.
    const other = (await admin.data(CreateIngressTrunkDocument, { input: { customerId: baltel.id, name: 'baltel-in', direction: 'INGRESS' } })).createTrunk;
    const clash = await admin.request(AddIngressHostDocument, { input: { trunkId: other.id, ip: '203.0.113.10', port: 5080 } });
    expect(clash.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', ownerCustomerId: nordtel.id, ownerCustomerName: 'Nordtel' });

    // Notification templates: the class's letters, and sending one now.
    const letters = (
      await admin.data(CreateLettersDocument, {
        input: {
          name: 'Softswitch letters',
          messages: [
            {
              kind: 'LOW_BALANCE',
              subject: '{{#if belowThreshold}}Low balance{{else}}Balance{{/if}}: {{money balance}}',
              body: '<p>Dear {{customer.name}}, your balance is {{money balance}} (threshold {{money threshold}}).</p>',
              sms: 'Balance {{money balance}}',
            },
          ],
        },
      })
    ).createNotificationTemplate;
    const cls = (await admin.data(CreateClassDocument, { input: { name: 'Wholesale prepaid', notificationTemplateId: letters.id, enabledNotifications: ['LOW_BALANCE', 'ZERO_BALANCE', 'PAYMENT_RECEIVED'] } }))
      .createCustomerClass;
    await admin.data(SetLimitsDocument, { id: nordtel.id, input: { customerClassId: cls.id, billingEmail: 'billing@nordtel.test', lowBalanceThreshold: '100' } });
    const sent = (await admin.data(SendNoticeDocument, { customerId: nordtel.id, kind: 'LOW_BALANCE' })).sendNotification;
    expect(sent.map((n) => [n.channel, n.recipient, n.status])).toEqual([['EMAIL', 'billing@nordtel.test', 'PENDING']]);
    await mail.until(() => mailsTo('billing@nordtel.test').length === 1, 10_000, 'the low balance notice');
    expect(mailsTo('billing@nordtel.test')[0]).toMatchObject({ subject: 'Low balance: 80.00', html: '<p>Dear Nordtel, your balance is 80.00 (threshold 100.00).</p>' });
    await eventually(async () => (await admin.data(DeliveryLogDocument, { filter: { customerId: nordtel.id } })).notifications.nodes[0]?.status === 'SENT', 10_000, 'the notice SENT');

    // Low-balance reminders: daily at 09:00 (the settings' zone) for 5 days, suspend after 2.
    const statusUrl = `${hooks.url}/softswitch/status`;
    await admin.data(SetAlertRecipientsDocument, { input: { timeZone: 'Europe/Berlin', statusWebhookUrls: [statusUrl] } });
    const reminding = (
      await admin.data(SetClassRemindersDocument, {
        id: cls.id,
        input: { name: 'Wholesale prepaid', lowBalanceReminder: { frequency: 'DAILY', at: '09:00', forDays: 5, suspendAfterDays: 2 } },
      })
    ).updateCustomerClass;
    expect(reminding).toEqual({ id: cls.id, notificationTemplate: { id: letters.id }, lowBalanceReminder: { frequency: 'DAILY', at: '09:00', forDays: 5, suspendAfterDays: 2 } });
    // No test waits for 09:00: the server's schedule clock is set 5 s before it (Berlin is UTC+1 in March).
    lg.clock.set(new Date('2026-03-02T08:59:55+01:00'));
    const ostel = (
      await admin.data(CreateAccountDocument, { input: { name: 'Ostel', company: 'Ostel OÜ', balance: '60', customerClassId: cls.id, billingEmail: 'billing@ostel.test', lowBalanceThreshold: '50' } })
    ).createCustomer;
    await admin.data(SubmitSwitchCdrsDocument, { cdrs: [cdr(ostel.id, 300, '20')] });
    // The crossing's notice, then the 09:00 reminder; the next day's at the next 09:00.
    await mail.until(() => mailsTo('billing@ostel.test').length === 2, 15_000, 'the crossing notice and the first reminder');
    expect(mailsTo('billing@ostel.test').map((m) => m.subject)).toEqual(['Low balance: 40.00', 'Low balance: 40.00']);
    lg.clock.advance(86_400_000);
    await mail.until(() => mailsTo('billing@ostel.test').length === 3, 15_000, "the second day's reminder");
    // The local midnight that ends day 2: suspended, and the switch told.
    lg.clock.set(new Date('2026-03-03T23:59:57+01:00'));
    const statusPosts = () => posts('/softswitch/status').map((r) => JSON.parse(r.body) as { data: { customerId: string; status: string; reason: string } }).filter((p) => p.data.customerId === ostel.id);
    await hooks.until(() => statusPosts().length === 1, 15_000, 'the suspension webhook');
    expect(statusPosts()[0].data).toMatchObject({ status: 'SUSPENDED', reason: 'REMINDER' });
    expect((await admin.data(AccountStatusDocument, { id: ostel.id })).customer).toMatchObject({ status: 'SUSPENDED', suspendedUntil: null });
    // A payment back above the threshold lifts it and ends the reminders.
    await admin.data(TakePaymentDocument, { customerId: ostel.id, amount: '20', reference: 'TOPUP-7' });
    expect((await admin.data(AccountStatusDocument, { id: ostel.id })).customer?.status).toBe('ACTIVE');
    await hooks.until(() => statusPosts().length === 2, 10_000, 'the lifted suspension webhook');
    expect(statusPosts()[1].data).toMatchObject({ status: 'ACTIVE', reason: 'REMINDER_LIFTED' });
    await lg.close();
  }, 60_000);

  it('ConnexCS: a Low ASR warning, an ASR penalty that suspends and tells the switch, and a balance sampled over time', async () => {
    const lg = await server();
    const admin = lg.http();
    const statusUrl = `${hooks.url}/switch/status`;
    await admin.data(SetAlertRecipientsDocument, { input: { statusWebhookUrls: [statusUrl] } });
    const statusSecret = (await admin.data(ReceiverSecretDocument, { url: statusUrl })).webhookSigningSecret;
    const create = async (name: string) => (await admin.data(CreateAccountDocument, { input: { name, balance: '100' } })).createCustomer;
    const [good, weak, dead] = [await create('Good Route'), await create('Weak Route'), await create('Dead Route')];

    // Every customer account: warn below 30% ASR over the last hour once 20 calls are in;
    // below 10%, suspend for 10 minutes.
    const warning = (
      await admin.data(CreateRuleDocument, {
        input: { title: 'Low ASR', accountType: 'CUSTOMER', area: 'ASR', operator: 'LT', threshold: '30', samplePeriod: 3600, minCalls: 20, emails: ['noc@carrier.test'] },
      })
    ).createAlertDefinition;
    expect(warning).toMatchObject({ area: 'ASR', operator: 'LT', threshold: '30', samplePeriod: 3600, minCalls: 20, penalty: null });
    const penalty = (
      await admin.data(CreateRuleDocument, {
        input: { title: 'ASR penalty', accountType: 'CUSTOMER', area: 'ASR', operator: 'LT', threshold: '10', samplePeriod: 3600, minCalls: 20, penalty: 600, emails: ['noc@carrier.test'] },
      })
    ).createAlertDefinition;
    expect(penalty.penalty).toBe(600);

    // 20 calls each: 10 answered (50%), 4 (20%), 1 (5%).
    const calls = (customerId: string, answered: number) => Array.from({ length: 20 }, (_, i) => cdr(customerId, i < answered ? 60 : 0, i < answered ? '0.6' : '0'));
    const batch = await admin.data(SubmitSwitchCdrsDocument, { cdrs: [...calls(good.id, 10), ...calls(weak.id, 4), ...calls(dead.id, 1)] });
    expect(batch.submitCdrs.alertEvents.map((e) => [e.customer.name, e.kind, e.value, e.threshold]).sort()).toEqual([
      ['Dead Route', 'TRIGGERED', '5', '10'],
      ['Dead Route', 'TRIGGERED', '5', '30'],
      ['Weak Route', 'TRIGGERED', '20', '30'],
    ]);
    await mail.until(() => mailsTo('noc@carrier.test').filter((m) => m.subject.includes('Route')).length === 3, 10_000, 'three ASR emails');
    expect(mailsTo('noc@carrier.test').map((m) => m.subject).sort()).toEqual([
      '[TRIGGERED] ASR penalty: Dead Route',
      '[TRIGGERED] Low ASR: Dead Route',
      '[TRIGGERED] Low ASR: Weak Route',
    ]);

    // The penalty: suspended for 600 s, and the switch told through the signed status webhook.
    const suspended = (await admin.data(AccountStatusDocument, { id: dead.id })).customer!;
    expect(suspended.status).toBe('SUSPENDED');
    const history = (await admin.data(AlertHistoryDocument, { filter: { customerId: dead.id, definitionId: penalty.id }, first: 10 })).alertEvents.nodes;
    expect(history.map((e) => [e.kind, e.definition.title, e.penaltyUntil])).toEqual([['TRIGGERED', 'ASR penalty', suspended.suspendedUntil]]);
    expect(Date.parse(suspended.suspendedUntil!) - Date.parse(new Date().toISOString())).toBeGreaterThan(590_000);
    await hooks.until(() => posts('/switch/status').length === 1, 10_000, 'the status webhook');
    const [hook] = posts('/switch/status');
    expect(verifies(statusSecret, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'customer.status_changed',
      data: { customerId: dead.id, status: 'SUSPENDED', previousStatus: 'ACTIVE', reason: 'PENALTY', sequence: 1, suspendedUntil: suspended.suspendedUntil },
    });

    // Balance over time: the ledger keeps every committed change; the balance at any instant
    // is that of the newest entry before it, so a day's sample is the newest entry before the next midnight.
    await admin.data(SubmitSwitchCdrsDocument, { cdrs: [cdr(good.id, 600, '12.5')] });
    await admin.data(TakePaymentDocument, { customerId: good.id, amount: '50', reference: 'WIRE-0042' });
    const ledger = (await admin.data(BalanceHistoryDocument, { customerId: good.id, first: 100 })).ledgerEntries;
    expect(ledger.nodes.map((e) => [e.reason, e.delta, e.balance, e.reference, e.actor, e.cdrCount])).toEqual([
      ['PAYMENT', '50', '131.5', 'WIRE-0042', ACTOR, null],
      ['CDR_CHARGES', '-12.5', '81.5', null, null, 1],
      ['CDR_CHARGES', '-6', '94', null, null, 20],
      ['ADJUSTMENT', '100', '100', 'opening balance', ACTOR, null],
    ]);
    expect(ledger.pageInfo.hasNextPage).toBe(false);
    const balanceAt = async (at: string) => (await admin.data(BalanceAtDocument, { customerId: good.id, at })).ledgerEntries.nodes.map((e) => e.balance);
    const nextMidnight = new Date();
    nextMidnight.setUTCHours(24, 0, 0, 0);
    expect(await balanceAt(nextMidnight.toISOString())).toEqual(['131.5']);
    expect(await balanceAt(ledger.nodes[0].occurredAt)).toEqual(['81.5']);
    expect(await balanceAt(ledger.nodes[3].occurredAt)).toEqual([]);
    const today = (await admin.data(BalanceHistoryDocument, { customerId: good.id, from: new Date(nextMidnight.getTime() - 86_400_000).toISOString(), to: nextMidnight.toISOString(), first: 100 }))
      .ledgerEntries.nodes;
    expect(today).toHaveLength(4);
    // A collector that last saw the opening entry catches up on the rest, oldest first, then stays live.
    const feed = lg.ws().subscribe(FollowLedgerDocument, { customerId: good.id, after: ledger.nodes[3].cursor });
    const missed = (await feed.waitFor(3)).map((m) => m.ledgerEntryAdded);
    expect(missed.map((e) => [e.reason, e.delta, e.balance, e.cursor])).toEqual([
      ['CDR_CHARGES', '-6', '94', ledger.nodes[2].cursor],
      ['CDR_CHARGES', '-12.5', '81.5', ledger.nodes[1].cursor],
      ['PAYMENT', '50', '131.5', ledger.nodes[0].cursor],
    ]);
    feed.close();
    // The newest alert events without paging to the end.
    const all = (await admin.data(AlertHistoryDocument, { first: 50 })).alertEvents.nodes;
    expect(all).toHaveLength(3);
    const newest = (await admin.data(AlertHistoryDocument, { last: 2 })).alertEvents;
    expect(newest.nodes).toEqual(all.slice(1));
    expect(newest.pageInfo.hasPreviousPage).toBe(true);
    await lg.close();
  }, 60_000);

  it('PortaBilling: a class with its templates; one kind edited; unassigning the template silences the class', async () => {
    const lg = await server();
    const admin = lg.http();
    const letters = (
      await admin.data(CreateLettersDocument, {
        input: {
          name: 'Porta residential',
          messages: [
            { kind: 'PAYMENT_RECEIVED', subject: 'Thank you: {{money payment.amount}} received', body: '<p>New balance {{money balance}}.</p>', sms: 'Paid {{money payment.amount}}' },
            { kind: 'LOW_BALANCE', subject: 'Please top up: {{money balance}}', body: '<p>Your balance is {{money balance}}.</p>' },
          ],
        },
      })
    ).createNotificationTemplate;
    const cls = (await admin.data(CreateClassDocument, { input: { name: 'Residential', notificationTemplateId: letters.id, enabledNotifications: ['PAYMENT_RECEIVED', 'LOW_BALANCE'] } }))
      .createCustomerClass;
    expect(cls).toMatchObject({ enabledNotifications: ['PAYMENT_RECEIVED', 'LOW_BALANCE'], notificationTemplate: { id: letters.id, name: 'Porta residential' } });
    const member = (
      await admin.data(CreateAccountDocument, { input: { name: 'Anna Schmidt', customerClassId: cls.id, billingEmail: 'anna@porta.test', phone: '+4915100000042', balance: '10' } })
    ).createCustomer;

    await admin.data(TakePaymentDocument, { customerId: member.id, amount: '25', reference: 'CARD-1' });
    await mail.until(() => mailsTo('anna@porta.test').length === 1, 10_000, 'the payment email');
    await hooks.until(() => smsTo('+4915100000042').length === 1, 10_000, 'the payment SMS');
    expect(mailsTo('anna@porta.test')[0]).toMatchObject({ subject: 'Thank you: 25.00 received', html: '<p>New balance 35.00.</p>' });
    expect(smsTo('+4915100000042')[0].text).toBe('Paid 25.00');

    // Edit the payment message only: the LOW_BALANCE message stays.
    const edited = (
      await admin.data(SetClassMessageDocument, {
        templateId: letters.id,
        message: { kind: 'PAYMENT_RECEIVED', subject: 'Payment of {{money payment.amount}} booked', body: '<p>Balance now {{money balance}}.</p>', sms: 'Booked {{money payment.amount}}' },
      })
    ).setNotificationMessage;
    expect(edited.messages).toEqual([
      { kind: 'PAYMENT_RECEIVED', subject: 'Payment of {{money payment.amount}} booked', sms: 'Booked {{money payment.amount}}' },
      { kind: 'LOW_BALANCE', subject: 'Please top up: {{money balance}}', sms: null },
    ]);
    await admin.data(TakePaymentDocument, { customerId: member.id, amount: '5', reference: 'CARD-2' });
    await mail.until(() => mailsTo('anna@porta.test').length === 2, 10_000, 'the edited payment email');
    await hooks.until(() => smsTo('+4915100000042').length === 2, 10_000, 'the edited payment SMS');
    expect(mailsTo('anna@porta.test')[1].subject).toBe('Payment of 5.00 booked');
    expect(smsTo('+4915100000042')[1].text).toBe('Booked 5.00');

    // Unassign the class's template: its customers receive nothing any more.
    const unassigned = (await admin.data(AssignClassLettersDocument, { id: cls.id, input: { name: 'Residential', notificationTemplateId: null } })).updateCustomerClass;
    expect(unassigned.notificationTemplate).toBeNull();
    const before = (await admin.data(DeliveryLogDocument, { filter: { customerId: member.id } })).notifications.totalCount;
    expect(before).toBe(4);
    await admin.data(TakePaymentDocument, { customerId: member.id, amount: '7', reference: 'CARD-3' });
    expect((await admin.data(SendNoticeDocument, { customerId: member.id, kind: 'LOW_BALANCE' })).sendNotification).toEqual([]);
    // Messages are queued in the transaction of their cause: none was, so none will arrive.
    expect((await admin.data(DeliveryLogDocument, { filter: { customerId: member.id } })).notifications.totalCount).toBe(before);

    // Assigning it again brings them back.
    await admin.data(AssignClassLettersDocument, { id: cls.id, input: { name: 'Residential', notificationTemplateId: letters.id } });
    await admin.data(TakePaymentDocument, { customerId: member.id, amount: '1', reference: 'CARD-4' });
    await mail.until(() => mailsTo('anna@porta.test').length === 3, 10_000, 'the payment email after reassigning');
    expect(mailsTo('anna@porta.test')[2].subject).toBe('Payment of 1.00 booked');
    await lg.close();
  }, 60_000);
});
