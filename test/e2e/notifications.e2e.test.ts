import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  UpdateTrunkDocument,
  CreateApiKeyDocument,
  NodeByIdDocument,
  NotificationsDocument,
  NotificationsTestCreateTemplateDocument,
  NotificationWithAlertEventDocument,
  NtfAdjustBalanceDocument,
  NtfCreateAlertDefinitionDocument,
  NtfCreateClassDocument,
  NtfCreateCustomerDocument,
  NtfCreateTrunkDocument,
  NtfUpdateTemplateDocument,
  NtfRecordPaymentDocument,
  RetryNotificationDocument,
  SendNotificationDocument,
  WebhookSigningSecretDocument,
  type NotificationKind,
} from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { fromGlobalId } from '../../src/platform/common/global-id';

const WEBHOOK_SECRET = `whsec_${Buffer.from('notification-test-secret-0123456789').toString('base64')}`;

interface CustomerFixture {
  name: string;
  balance?: string;
  threshold?: string | null;
  classId?: string | null;
  billing?: string | null;
  main?: string | null;
  noc?: string | null;
  enabled?: boolean;
}

/** Creates a customer through the API; returns its local id (for direct assertions on rows). */
async function insertCustomer(s: TestServer, f: CustomerFixture) {
  const r = await s.http().data(NtfCreateCustomerDocument, {
    input: {
      name: f.name,
      balance: f.balance ?? '100',
      lowBalanceThreshold: f.threshold ?? null,
      customerClassId: f.classId ? `cls_${f.classId}` : null,
      billingEmail: f.billing ?? null,
      mainEmail: f.main ?? `${f.name.replace(/\W/g, '').toLowerCase() || 'x'}@customer.test`,
      nocEmail: f.noc ?? null,
      notificationsEnabled: f.enabled ?? true,
    },
  });
  return fromGlobalId('Customer', r.createCustomer.id);
}

async function insertClass(s: TestServer, name: string, templateId: string | null, kinds: NotificationKind[]) {
  const r = await s.http().data(NtfCreateClassDocument, {
    input: { name, notificationTemplateId: templateId ? `tpl_${templateId}` : null, enabledNotifications: kinds },
  });
  return fromGlobalId('CustomerClass', r.createCustomerClass.id);
}

async function createTemplate(s: TestServer, name: string, messages: { kind: NotificationKind; subject: string; body: string; bcc?: string[] }[]) {
  const r = await s.http().data(NotificationsTestCreateTemplateDocument, { input: { name, messages } });
  return fromGlobalId('NotificationTemplate', r.createNotificationTemplate.id);
}

/** adjustBalance (negative: a charge) or recordPayment, through the API. */
async function charge(s: TestServer, customerId: string, amount: string, reason: 'ADJUSTMENT' | 'PAYMENT' = 'ADJUSTMENT') {
  if (reason === 'PAYMENT') await s.http().data(NtfRecordPaymentDocument, { customerId: `cus_${customerId}`, amount, reference: 'INV-7' });
  else await s.http().data(NtfAdjustBalanceDocument, { customerId: `cus_${customerId}`, amount });
}

/**
 * A BALANCE < 5 alert for the customer, fired for real: the balance (100) is adjusted
 * to 2.5, the alert engine writes a TRIGGERED event and emits alertEventsCreated.
 */
async function fireAlert(s: TestServer, def: { title: string; emails?: string[]; phones?: string[]; webhookUrls?: string[]; notifyCustomer?: boolean; templateId?: string | null }, customerId: string) {
  await s.http().data(NtfCreateAlertDefinitionDocument, {
    input: {
      title: def.title,
      customerId: `cus_${customerId}`,
      area: 'BALANCE',
      operator: 'LT',
      threshold: '5',
      emails: def.emails ?? [],
      phones: def.phones ?? [],
      webhookUrls: def.webhookUrls ?? [],
      notifyCustomer: def.notifyCustomer ?? false,
      templateId: def.templateId ? `tpl_${def.templateId}` : null,
    },
  });
  await charge(s, customerId, '-97.5');
  const [event] = await s.app.services.db.query<{ id: string }>(`SELECT id::text FROM alert_events WHERE customer_id = $1 AND kind = 'TRIGGERED'`, [customerId]);
  return event.id;
}

async function rows(s: TestServer, where = 'true', params: unknown[] = []) {
  return s.app.services.db.query<{ id: string; kind: string; channel: string; recipient: string; status: string; attempts: number; last_error: string | null; subject: string; body: string }>(
    `SELECT id::text, kind, channel, recipient, status, attempts, last_error, subject, body FROM notifications WHERE ${where} ORDER BY id`,
    params,
  );
}

describe('notifications', () => {
  let mail: MailCatcher;
  let hooks: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    mail = await startMailCatcher();
    hooks = await startHttpReceiver();
    server = await startTestServer({
      env: {
        SMTP_URL: mail.url,
        MAIL_FROM: 'Lineguard <noc@carrier.test>',
        SMS_GATEWAY_URL: `${hooks.url}/sms`,
        SMS_GATEWAY_TOKEN: 'sms-token-1',
        WEBHOOK_SECRET,
        DELIVERY_MAX_ATTEMPTS: '3',
        DELIVERY_BACKOFF_MS: '50',
        DELIVERY_TIMEOUT_MS: '2000',
        SCHEDULER_INTERVAL_MS: '100',
      },
    });
  });

  it('renders the class template (subject, escaped body, BCC) and delivers LOW_BALANCE over SMTP once the balance crosses the threshold', async () => {
    const tpl = await createTemplate(server, 'Gold letters', [
      {
        kind: 'LOW_BALANCE',
        subject: 'Low balance for {{customer.name}}: {{money balance}}',
        body: '<p>Hello {{customer.name}}, balance {{money balance}} below {{money threshold}}.</p>[{{constructor.constructor}}][{{customer.constructor.name}}]',
        bcc: ['audit@carrier.test'],
      },
    ]);
    const cls = await insertClass(server, 'Gold', tpl, ['LOW_BALANCE']);
    const customer = await insertCustomer(server, { name: '<script>alert(1)</script>', balance: '20', threshold: '10', classId: cls, billing: 'billing@gold.test', main: 'main@gold.test' });

    await charge(server, customer, '-5');
    expect(await rows(server, 'customer_id = $1', [customer])).toEqual([]);
    await charge(server, customer, '-5.5');
    await charge(server, customer, '-1');

    await mail.until((messages) => messages.some((m) => m.rcptTo.includes('billing@gold.test')), 10_000, 'low balance mail');
    const m = mail.messages.filter((x) => x.rcptTo.includes('billing@gold.test'));
    expect(m).toHaveLength(1);
    expect(m[0].subject).toBe('Low balance for <script>alert(1)</script>: 9.50');
    expect(m[0].rcptTo.sort()).toEqual(['audit@carrier.test', 'billing@gold.test']);
    expect(m[0].headers.bcc).toBeUndefined();
    expect(m[0].from).toBe('noc@carrier.test');
    expect(m[0].html).toBe('<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;, balance 9.50 below 10.00.</p>[][]');
    expect(m[0].html).not.toContain('<script>');

    const id = `cus_${customer}`;
    await eventually(async () => (await rows(server, `customer_id = $1 AND status = 'SENT'`, [customer])).length === 1);
    const { notifications } = await server.http().data(NotificationsDocument, { filter: { customerId: id } });
    expect(notifications.totalCount).toBe(1);
    expect(notifications.nodes[0]).toMatchObject({ kind: 'LOW_BALANCE', channel: 'EMAIL', recipient: 'billing@gold.test', status: 'SENT', attempts: 1, lastError: null });
    expect(notifications.nodes[0].customer?.id).toBe(id);
    expect(notifications.nodes[0].sentAt).not.toBeNull();
  });

  it('sends nothing of a kind the class does not enable', async () => {
    const tpl = await createTemplate(server, 'Silver letters', [{ kind: 'LOW_BALANCE', subject: 'never', body: 'never' }]);
    const cls = await insertClass(server, 'Silver', tpl, ['WELCOME', 'PAYMENT_RECEIVED']);
    const customer = await insertCustomer(server, { name: 'Silver One', balance: '20', threshold: '10', classId: cls, billing: 'silver@silver.test' });
    await charge(server, customer, '-15');
    await charge(server, customer, '-10');
    await charge(server, customer, '30', 'PAYMENT');
    await mail.until((messages) => messages.some((m) => m.rcptTo.includes('silver@silver.test')));
    const stored = await rows(server, 'customer_id = $1', [customer]);
    expect(stored.map((r) => r.kind)).toEqual(['PAYMENT_RECEIVED']);
    const got = mail.messages.filter((m) => m.rcptTo.includes('silver@silver.test'));
    expect(got.map((m) => m.subject)).toEqual(['Payment received: 30.00']);
    expect(got[0].html).toContain('reference INV-7');
  });

  it('sends nothing to a customer with notifications off, and a broken template fails its row without undoing the payment', async () => {
    const off = await insertCustomer(server, { name: 'Quiet', balance: '20', threshold: '10', enabled: false });
    await charge(server, off, '-15');
    expect(await rows(server, 'customer_id = $1', [off])).toEqual([]);

    const tpl = await createTemplate(server, 'Broken letters', [{ kind: 'PAYMENT_RECEIVED', subject: 'Paid {{datetime payment.at "Nowhere/Zone"}}', body: 'x' }]);
    const cls = await insertClass(server, 'Broken', tpl, ['PAYMENT_RECEIVED']);
    const customer = await insertCustomer(server, { name: 'Broken One', balance: '1', classId: cls });
    await charge(server, customer, '10', 'PAYMENT');
    const [c] = await server.app.services.db.query<{ balance: string }>(`SELECT balance::text FROM customers WHERE id = $1`, [customer]);
    expect(c.balance).toBe('11.0000000000');
    // Rendered at delivery, outside the payment's transaction.
    await eventually(async () => (await rows(server, `customer_id = $1 AND status <> 'PENDING'`, [customer])).length === 1, 10_000, 'the broken message to be rendered');
    const [r] = await rows(server, 'customer_id = $1', [customer]);
    expect(r).toMatchObject({ status: 'FAILED', attempts: 0, subject: '', body: '' });
    expect(r.last_error).toMatch(/subject failed to render/);
  });

  it('tells the customer when its balance reaches zero and when its trunks change', async () => {
    const customer = await insertCustomer(server, { name: 'Trunky', balance: '5', billing: 'trunky@billing.test' });
    await charge(server, customer, '-4');
    await charge(server, customer, '-1');
    await charge(server, customer, '-1');
    await server.http().data(NtfCreateTrunkDocument, { input: { name: `trunky-${customer.slice(0, 8)}`, customerId: `cus_${customer}`, direction: 'INGRESS' } });
    await mail.until((messages) => messages.filter((m) => m.rcptTo.includes('trunky@billing.test')).length === 2, 10_000, 'zero balance and trunk mails');
    const got = mail.messages.filter((m) => m.rcptTo.includes('trunky@billing.test'));
    expect(got.map((m) => m.subject)).toEqual(['Balance exhausted: 0.00', `Trunk trunky-${customer.slice(0, 8)} updated`]);
    expect(got[1].html).toContain(`your trunk trunky-${customer.slice(0, 8)} (INGRESS, enabled) changed (CREATED)`);
    expect((await rows(server, 'customer_id = $1', [customer])).map((r) => r.kind)).toEqual(['ZERO_BALANCE', 'TRUNK_UPDATED']);
  });

  it('tells both customers when a trunk moves from one to the other', async () => {
    const from = await insertCustomer(server, { name: 'Old Owner', billing: 'old@owner.test' });
    const to = await insertCustomer(server, { name: 'New Owner', billing: 'new@owner.test' });
    const name = `moving-${from.slice(0, 8)}`;
    const created = await server.http().data(NtfCreateTrunkDocument, { input: { name, customerId: `cus_${from}`, direction: 'INGRESS' } });
    await server.http().data(UpdateTrunkDocument, { id: created.createTrunk.id, input: { name, customerId: `cus_${to}`, direction: 'INGRESS' } });
    // Rendered at delivery, outside the trunk change's transaction.
    await eventually(async () => (await rows(server, `customer_id = ANY($1::uuid[]) AND body <> ''`, [[from, to]])).length === 3, 10_000, 'the trunk messages to be rendered');
    const oldRows = await rows(server, 'customer_id = $1', [from]);
    const newRows = await rows(server, 'customer_id = $1', [to]);
    expect(oldRows.map((r) => r.kind)).toEqual(['TRUNK_UPDATED', 'TRUNK_UPDATED']);
    expect(oldRows[0].body).toContain('(CREATED)');
    expect(oldRows[1].body).toContain('(DELETED)');
    expect(newRows.map((r) => r.kind)).toEqual(['TRUNK_UPDATED']);
    expect(newRows[0].body).toContain('(UPDATED)');
  });

  it('sendNotification sends a WELCOME now and refuses kinds that events send', async () => {
    const customer = await insertCustomer(server, { name: 'Newcomer', main: 'hello@new.test' });
    const r = await server.http().data(SendNotificationDocument, { customerId: `cus_${customer}`, kind: 'WELCOME' });
    expect(r.sendNotification).toHaveLength(1);
    expect(r.sendNotification[0]).toMatchObject({ kind: 'WELCOME', channel: 'EMAIL', recipient: 'hello@new.test', subject: 'Welcome, Newcomer', status: 'PENDING', attempts: 0 });
    await mail.until((messages) => messages.some((m) => m.rcptTo.includes('hello@new.test')));
    expect(await server.http().errorCode(SendNotificationDocument, { customerId: `cus_${customer}`, kind: 'ALERT' })).toBe('BAD_USER_INPUT');

    // An edited template is used from the next message on (the compiled cache follows the text).
    const tpl = await createTemplate(server, 'Welcome letters', [{ kind: 'WELCOME', subject: 'Hello v1 {{customer.name}}', body: 'v1' }]);
    const cls = await insertClass(server, 'Welcomed', tpl, ['WELCOME']);
    const member = await insertCustomer(server, { name: 'Member', classId: cls, main: 'member@welcome.test' });
    const v1 = await server.http().data(SendNotificationDocument, { customerId: `cus_${member}`, kind: 'WELCOME' });
    await server.http().data(NtfUpdateTemplateDocument, { id: `tpl_${tpl}`, input: { name: 'Welcome letters', messages: [{ kind: 'WELCOME', subject: 'Hello v2 {{customer.name}}', body: 'v2' }] } });
    const v2 = await server.http().data(SendNotificationDocument, { customerId: `cus_${member}`, kind: 'WELCOME' });
    expect([v1.sendNotification[0].subject, v2.sendNotification[0].subject]).toEqual(['Hello v1 Member', 'Hello v2 Member']);
    expect(await server.http().errorCode(SendNotificationDocument, { customerId: 'cus_00000000-0000-4000-8000-000000000000', kind: 'WELCOME' })).toBe('NOT_FOUND');
  });

  it('delivers ALERT to webhook (signed, same webhook-id on every retry), SMS gateway, emails and the NOC', async () => {
    const customer = await insertCustomer(server, { name: 'Alerted', noc: 'noc@alerted.test' });
    hooks.script('/flaky', [500, 503, 204]);
    const eventId = await fireAlert(server, { title: 'Balance under 5', emails: ['ops@carrier.test'], phones: ['+4915112345678'], webhookUrls: [`${hooks.url}/flaky`], notifyCustomer: true }, customer);

    await eventually(async () => (await rows(server, `alert_event_id = $1 AND status = 'SENT'`, [eventId])).length === 4, 15_000, 'all alert channels sent');
    const stored = await rows(server, 'alert_event_id = $1', [eventId]);
    expect(stored.map((r) => [r.channel, r.recipient]).sort()).toEqual(
      [['EMAIL', 'noc@alerted.test'], ['EMAIL', 'ops@carrier.test'], ['SMS', '+4915112345678'], ['WEBHOOK', `${hooks.url}/flaky`]].sort(),
    );
    expect(stored.find((r) => r.channel === 'WEBHOOK')).toMatchObject({ status: 'SENT', attempts: 3 });

    const calls = hooks.requests.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    const ids = new Set(calls.map((c) => c.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // Signed with this receiver's own secret (derived from WEBHOOK_SECRET and the URL), not with WEBHOOK_SECRET itself.
    const receiverSecret = (await server.http().data(WebhookSigningSecretDocument, { url: `${hooks.url}/flaky` })).webhookSigningSecret;
    expect(receiverSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(receiverSecret).not.toBe(WEBHOOK_SECRET);
    for (const call of calls) {
      const master = createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64')).update(`${call.headers['webhook-id']}.${call.headers['webhook-timestamp']}.${call.body}`).digest('base64');
      expect(call.headers['webhook-signature']).not.toBe(`v1,${master}`);
      const key = Buffer.from(receiverSecret.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key).update(`${call.headers['webhook-id']}.${call.headers['webhook-timestamp']}.${call.body}`).digest('base64');
      expect(call.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(Math.abs(Number(call.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    const payload = JSON.parse(calls[0].body);
    expect(payload).toMatchObject({ type: 'notification.alert', data: { subject: '[TRIGGERED] Balance under 5: Alerted', alert: { value: '2.5', threshold: '5', eventKind: 'TRIGGERED' } } });

    const sms = hooks.requests.filter((r) => r.path === '/sms');
    expect(sms).toHaveLength(1);
    expect(sms[0].headers.authorization).toBe('Bearer sms-token-1');
    const smsText = JSON.parse(sms[0].body);
    expect(smsText.to).toBe('+4915112345678');
    // The built-in ALERT's SMS text; money in the area's unit ({{money}}: two decimals at least).
    expect(smsText.text).toMatch(/^Balance under 5 TRIGGERED for Alerted on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.\nBALANCE: value 2\.50, threshold 5\.00\.$/);
    expect(mail.messages.filter((m) => m.subject === '[TRIGGERED] Balance under 5: Alerted').map((m) => m.rcptTo[0]).sort()).toEqual(['noc@alerted.test', 'ops@carrier.test']);

    const linked = await server.http().data(NotificationWithAlertEventDocument, { filter: { customerId: `cus_${customer}`, kind: ['ALERT'] } });
    expect(linked.notifications.nodes).toHaveLength(4);
    for (const n of linked.notifications.nodes) expect(n.alertEvent).toEqual({ id: `evt_${eventId}`, kind: 'TRIGGERED', value: '2.5', threshold: '5' });

    // Back above the threshold: the RESOLVED event is told to the same recipients, as a new webhook message.
    await charge(server, customer, '10');
    await hooks.until((requests) => requests.filter((r) => r.path === '/flaky').length === 4, 10_000, 'resolved webhook');
    const resolved = hooks.requests.filter((r) => r.path === '/flaky')[3];
    expect(resolved.headers['webhook-id']).not.toBe(calls[0].headers['webhook-id']);
    expect(JSON.parse(resolved.body).data).toMatchObject({ subject: '[RESOLVED] Balance under 5: Alerted', alert: { eventKind: 'RESOLVED', value: '12.5' } });
    await mail.until((messages) => messages.filter((m) => m.subject === '[RESOLVED] Balance under 5: Alerted').length === 2, 10_000, 'resolved mails');
  });

  it('a receiver answering NUL bytes still ends FAILED: its answer is stored with U+FFFD in their place', async () => {
    const hostile = createServer((_req, res) => res.writeHead(500).end('bad\u0000body'));
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/nul`;
      const customer = await insertCustomer(server, { name: 'Nul receiver' });
      const eventId = await fireAlert(server, { title: 'Nul answer', webhookUrls: [url] }, customer);
      await eventually(async () => (await rows(server, `alert_event_id = $1 AND status = 'FAILED'`, [eventId])).length === 1, 15_000, 'failed webhook');
      const [row] = await rows(server, 'alert_event_id = $1', [eventId]);
      expect(row).toMatchObject({ attempts: 3, last_error: 'webhook answered HTTP 500: bad\ufffdbody' });
    } finally {
      hostile.closeAllConnections();
      await new Promise((resolve) => hostile.close(resolve));
    }
  });

  it('a receiver that always fails (or redirects) ends FAILED with the last error; retryNotification queues it again', async () => {
    const customer = await insertCustomer(server, { name: 'Unlucky' });
    hooks.script('/down', [500]);
    hooks.script('/moved', [302]);
    const eventId = await fireAlert(server, { title: 'Always failing', webhookUrls: [`${hooks.url}/down`, `${hooks.url}/moved`, 'http://10.1.2.3/hook'] }, customer);
    await eventually(async () => (await rows(server, `alert_event_id = $1 AND status = 'FAILED'`, [eventId])).length === 3, 15_000, 'failed webhooks');
    const stored = await rows(server, 'alert_event_id = $1', [eventId]);
    const byUrl = Object.fromEntries(stored.map((r) => [r.recipient.replace(hooks.url, ''), r]));
    expect(byUrl['/down']).toMatchObject({ status: 'FAILED', attempts: 3, last_error: 'webhook answered HTTP 500: receiver says no' });
    expect(byUrl['/moved']).toMatchObject({ status: 'FAILED', attempts: 3, last_error: 'webhook answered HTTP 302 (redirect not followed): ok' });
    // SSRF: a private address outside OUTBOUND_ALLOW_CIDRS is refused before connecting, without retries.
    expect(byUrl['http://10.1.2.3/hook']).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(byUrl['http://10.1.2.3/hook'].last_error).toMatch(/refused outbound request to 10\.1\.2\.3: address 10\.1\.2\.3 is private/);
    expect(hooks.requests.filter((r) => r.path === '/down')).toHaveLength(3);
    expect(hooks.requests.filter((r) => r.path === '/elsewhere')).toHaveLength(0);

    const failed = await server.http().data(NotificationsDocument, { filter: { status: ['FAILED'], channel: ['WEBHOOK'], customerId: `cus_${customer}` } });
    expect(failed.notifications.totalCount).toBe(3);

    hooks.script('/down', [200]);
    const retried = await server.http().data(RetryNotificationDocument, { id: `ntf_${byUrl['/down'].id}` });
    expect(retried.retryNotification).toMatchObject({ status: 'PENDING', attempts: 0 });
    await eventually(async () => (await rows(server, `id = $1 AND status = 'SENT'`, [byUrl['/down'].id])).length === 1);
    expect(await server.http().errorCode(RetryNotificationDocument, { id: `ntf_${byUrl['/down'].id}` })).toBe('CONFLICT');
  });

  it('pages the delivery log newest first and scopes it by role', async () => {
    const page1 = await server.http().data(NotificationsDocument, { first: 2 });
    const page2 = await server.http().data(NotificationsDocument, { first: 2, after: page1.notifications.pageInfo.endCursor });
    expect(page1.notifications.nodes).toHaveLength(2);
    expect(page1.notifications.pageInfo.hasNextPage).toBe(true);
    const ids = [...page1.notifications.nodes, ...page2.notifications.nodes].map((n) => Number(n.id.slice(4)));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(4);

    const customer = await insertCustomer(server, { name: 'Scoped', main: 'scoped@scoped.test' });
    const other = await insertCustomer(server, { name: 'Other', main: 'other@other.test' });
    await server.http().data(SendNotificationDocument, { customerId: `cus_${customer}`, kind: 'WELCOME' });
    await server.http().data(SendNotificationDocument, { customerId: `cus_${other}`, kind: 'WELCOME' });
    const customerKey = (await server.http().data(CreateApiKeyDocument, { name: 'scoped customer', role: 'CUSTOMER', customerId: `cus_${customer}` })).createApiKey.secret;
    const nocKey = (await server.http().data(CreateApiKeyDocument, { name: 'noc', role: 'NOC' })).createApiKey.secret;
    const own = await server.http(customerKey).data(NotificationsDocument, {});
    expect(own.notifications.totalCount).toBe(1);
    expect(own.notifications.nodes[0].recipient).toBe('scoped@scoped.test');
    expect(await server.http(customerKey).errorCode(NotificationsDocument, { filter: { customerId: `cus_${other}` } })).toBe('NOT_FOUND');
    expect(await server.http(customerKey).errorCode(SendNotificationDocument, { customerId: `cus_${customer}`, kind: 'WELCOME' })).toBe('FORBIDDEN');
    const all = await server.http(nocKey).data(NotificationsDocument, {});
    expect(all.notifications.totalCount).toBe((await rows(server)).length);
    expect(await server.http(nocKey).errorCode(RetryNotificationDocument, { id: own.notifications.nodes[0].id })).toBe('FORBIDDEN');

    const ownId = own.notifications.nodes[0].id;
    expect((await server.http(customerKey).data(NodeByIdDocument, { id: ownId })).node).toEqual({ id: ownId, __typename: 'Notification' });
    const othersId = all.notifications.nodes.find((n) => n.recipient === 'other@other.test')!.id;
    expect((await server.http(customerKey).data(NodeByIdDocument, { id: othersId })).node).toBeNull();
  });
});
