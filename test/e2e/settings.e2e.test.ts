import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  AlertsSubmitCdrsDocument,
  CreateApiKeyDocument,
  NtfAdjustBalanceDocument,
  NtfCreateAlertDefinitionDocument,
  SettingsCreateCustomerDocument,
  SettingsCustomerDocument,
  SettingsDocument,
  SettingsNotificationsDocument,
  SettingsUpdateCustomerDocument,
  UpdateSettingsDocument,
  AlertsSetCustomerStatusDocument,
  WebhookSigningSecretDocument,
  type CreateCustomerInput,
  type SettingsInput,
} from '../generated/graphql';
import { localId, runJob, type Call } from '../helpers/alert-fixtures';
import { eventually } from '../helpers/graphql-client';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher, type ReceivedRequest } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';

const WEBHOOK_SECRET = `whsec_${Buffer.from('settings-test-secret-0123456789abcdef').toString('base64')}`;

/** Standard Webhooks verification, as a receiver does it with the secret webhookSigningSecret gave it. */
function verifies(secret: string, req: ReceivedRequest): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest();
  const given = String(req.headers['webhook-signature']).split(' ').map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'));
  return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
}

interface StatusWebhook {
  type: string;
  timestamp: string;
  data: { customerId: string; status: string; previousStatus: string; reason: string; sequence: number; suspendedUntil: string | null; changedAt: string };
}

describe('settings: default recipients, status webhooks, time zones', () => {
  let mail: MailCatcher;
  let hooks: HttpReceiver;
  let server: TestServer;
  let alertUrl: string;
  let statusUrl: string;

  beforeAll(async () => {
    mail = await startMailCatcher();
    hooks = await startHttpReceiver();
    server = await startTestServer({
      env: { SMTP_URL: mail.url, MAIL_FROM: 'Lineguard <noc@carrier.test>', WEBHOOK_SECRET, DELIVERY_TIMEOUT_MS: '2000', SCHEDULER_INTERVAL_MS: '100' },
    });
    alertUrl = `${hooks.url}/alerts`;
    statusUrl = `${hooks.url}/switch/status`;
    const { updateSettings } = await server.http().data(UpdateSettingsDocument, {
      input: { alertEmails: ['noc@carrier.test'], alertWebhookUrls: [alertUrl], statusWebhookUrls: [statusUrl], timeZone: 'Europe/Berlin' },
    });
    expect(updateSettings).toMatchObject({ alertEmails: ['noc@carrier.test'], alertPhones: [], alertWebhookUrls: [alertUrl], statusWebhookUrls: [statusUrl], timeZone: 'Europe/Berlin' });
  });

  async function customer(input: Partial<CreateCustomerInput> & { name: string }): Promise<string> {
    return (await server.http().data(SettingsCreateCustomerDocument, { input: { balance: '1000', ...input } })).createCustomer.id;
  }

  /** One submitCdrs batch; the alert events it raised. */
  async function submit(calls: (Call & { callId?: string; startedAt?: string })[]) {
    const { submitCdrs } = await server.http().data(AlertsSubmitCdrsDocument, {
      cdrs: calls.map((c) => ({
        callId: c.callId ?? randomUUID(),
        customerId: c.customerId,
        callee: '15550100',
        startedAt: c.startedAt ?? new Date(Date.now() - (c.duration + 5) * 1000).toISOString(),
        duration: c.duration,
        disposition: 'ANSWERED' as const,
        charge: c.charge ?? '0',
      })),
    });
    expect(submitCdrs.rejected).toEqual([]);
    return submitCdrs.alertEvents;
  }

  const alertRows = (customerId: string) =>
    server.app.services.db.query<{ channel: string; recipient: string; status: string }>(
      `SELECT channel, recipient, status FROM notifications WHERE customer_id = $1 AND kind = 'ALERT' ORDER BY id`,
      [localId(customerId)],
    );
  const mailsAbout = (name: string) => mail.messages.filter((m) => m.subject.includes(name));
  const hooksAbout = (customerId: string) => hooks.requests.filter((r) => r.path === '/alerts' && JSON.parse(r.body).data.customer.id === customerId);

  /** Every queued message of the customer delivered (none PENDING): what the receivers got is all they will get. */
  const allDelivered = (customerId: string) =>
    eventually(
      async () => (await alertRows(customerId)).every((r) => r.status === 'SENT'),
      10_000,
      'every alert message delivered',
    );

  it('a customer\'s prepaidBalanceTrigger of 100 emails the settings\' address and calls their signed webhook once, when accrued charges reach 100', async () => {
    const name = 'Prepaid Hundred';
    const id = await customer({ name, prepaidBalanceTrigger: '100' });
    expect(await submit([{ customerId: id, duration: 60, charge: '60' }])).toEqual([]);
    const [event] = await submit([{ customerId: id, duration: 60, charge: '40' }]);
    expect(event).toMatchObject({ kind: 'TRIGGERED', area: 'ACCRUED_CHARGES', value: '100' });

    await mail.until((m) => m.some((x) => x.subject.includes(name)), 10_000, 'the trigger email');
    await hooks.until(() => hooksAbout(id).length > 0, 10_000, 'the trigger webhook');
    const [email] = mailsAbout(name);
    expect(email.rcptTo).toEqual(['noc@carrier.test']);
    expect(email.subject).toBe(`[TRIGGERED] Pre-paid balance trigger: ${name}`);
    // The customer has no zone of its own: the settings' Europe/Berlin formats the alert's time.
    expect(email.html).toMatch(/on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T\./);
    const [hook] = hooksAbout(id);
    const secret = (await server.http().data(WebhookSigningSecretDocument, { url: alertUrl })).webhookSigningSecret;
    expect(verifies(secret, hook)).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'notification.alert',
      data: { customer: { id, name }, alert: { title: 'Pre-paid balance trigger', eventKind: 'TRIGGERED', value: '100', threshold: '100' } },
    });

    // Still at or above 100 on the next batch: no new event, so nothing new is queued or sent.
    expect(await submit([{ customerId: id, duration: 60, charge: '5' }])).toEqual([]);
    expect((await alertRows(id)).map((r) => `${r.channel} ${r.recipient}`)).toEqual(['EMAIL noc@carrier.test', `WEBHOOK ${alertUrl}`]);
    await allDelivered(id);
    expect([mailsAbout(name).length, hooksAbout(id).length]).toEqual([1, 1]);
  });

  it('a customer\'s callDurationTrigger of 7200 emails and calls the webhook once for a call of 2 hours, in the customer\'s own time zone', async () => {
    const name = 'Long Caller';
    const id = await customer({ name, callDurationTrigger: 7200, timeZone: 'asia/tokyo' });
    expect((await server.http().data(SettingsCustomerDocument, { id })).customer?.timeZone).toBe('Asia/Tokyo');
    expect(await submit([{ customerId: id, duration: 7199, charge: '1' }])).toEqual([]);
    const longCall = { customerId: id, duration: 7200, charge: '1', callId: randomUUID(), startedAt: new Date(Date.now() - 7300_000).toISOString() };
    const [event] = await submit([longCall]);
    expect(event).toMatchObject({ kind: 'TRIGGERED', area: 'CALL_DURATION', value: '7200' });

    await mail.until((m) => m.some((x) => x.subject.includes(name)), 10_000, 'the trigger email');
    await hooks.until(() => hooksAbout(id).length > 0, 10_000, 'the trigger webhook');
    const [email] = mailsAbout(name);
    expect(email.rcptTo).toEqual(['noc@carrier.test']);
    expect(email.subject).toBe(`[TRIGGERED] Call duration trigger: ${name}`);
    expect(email.html).toMatch(/on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\+9\./);
    const secret = (await server.http().data(WebhookSigningSecretDocument, { url: alertUrl })).webhookSigningSecret;
    expect(verifies(secret, hooksAbout(id)[0])).toBe(true);
    expect(JSON.parse(hooksAbout(id)[0].body)).toMatchObject({ data: { alert: { title: 'Call duration trigger', area: 'CALL_DURATION', value: '7200' }, timeZone: 'Asia/Tokyo' } });

    // The next batch: the same call again (a duplicate) and a short one: nothing new.
    expect(await submit([longCall, { customerId: id, duration: 60, charge: '1' }])).toEqual([]);
    expect(await alertRows(id)).toHaveLength(2);
    await allDelivered(id);
    expect([mailsAbout(name).length, hooksAbout(id).length]).toEqual([1, 1]);
  });

  it('calls the status webhook, signed, on every status change (operator, penalty, its end) with a sequence that grows per customer', async () => {
    const id = await customer({ name: 'Switch Blocked', balance: '10' });
    const statusHooks = () => hooks.requests.filter((r) => r.path === '/switch/status').filter((r) => (JSON.parse(r.body) as StatusWebhook).data.customerId === id);
    const payloads = () => statusHooks().map((r) => JSON.parse(r.body) as StatusWebhook);

    await server.http().data(AlertsSetCustomerStatusDocument, { ids: [id], status: 'SUSPENDED' });
    await server.http().data(AlertsSetCustomerStatusDocument, { ids: [id], status: 'ACTIVE' });
    // No change, no webhook.
    await server.http().data(AlertsSetCustomerStatusDocument, { ids: [id], status: 'ACTIVE' });
    await server.http().data(NtfCreateAlertDefinitionDocument, {
      input: { title: 'Negative balance blocks', customerId: id, area: 'BALANCE', operator: 'LT', threshold: '0', penalty: 600, emails: ['penalty@carrier.test'] },
    });
    await server.http().data(NtfAdjustBalanceDocument, { customerId: id, amount: '-10.5' });
    const { customer: suspended } = await server.http().data(SettingsCustomerDocument, { id });
    expect(suspended?.status).toBe('SUSPENDED');
    // The penalty ends (its end moved into the past) and the job lifts it. The scheduler runs
    // the same job every 100 ms here: a pass of its own may hold the row (SKIP LOCKED) when
    // this one runs, and lifts it when it commits, so the lift is awaited, not assumed.
    await server.app.services.db.query(`UPDATE customers SET suspended_until = now() - interval '1 second' WHERE id = $1`, [localId(id)]);
    await runJob(server, 'penalty-expiry');
    await eventually(async () => (await server.http().data(SettingsCustomerDocument, { id })).customer?.status === 'ACTIVE', 5_000, 'the penalty lifted');

    await hooks.until(() => statusHooks().length >= 4, 10_000, 'four status webhooks');
    const received = payloads().sort((a, b) => a.data.sequence - b.data.sequence);
    expect(received.map((p) => [p.data.sequence, p.data.previousStatus, p.data.status, p.data.reason])).toEqual([
      [1, 'ACTIVE', 'SUSPENDED', 'OPERATOR'],
      [2, 'SUSPENDED', 'ACTIVE', 'OPERATOR'],
      [3, 'ACTIVE', 'SUSPENDED', 'PENALTY'],
      [4, 'SUSPENDED', 'ACTIVE', 'PENALTY_EXPIRED'],
    ]);
    for (const p of received) {
      expect(p).toMatchObject({ type: 'customer.status_changed', timestamp: p.data.changedAt, data: { customerId: id } });
      expect(Date.parse(p.data.changedAt)).not.toBeNaN();
    }
    expect(received[2].data.suspendedUntil).toBe(suspended?.suspendedUntil);
    expect([received[0].data.suspendedUntil, received[3].data.suspendedUntil]).toEqual([null, null]);
    const secret = (await server.http().data(WebhookSigningSecretDocument, { url: statusUrl })).webhookSigningSecret;
    expect(statusHooks().every((r) => verifies(secret, r))).toBe(true);
    // Each change is its own message (receivers dedupe retries by webhook-id).
    expect(new Set(statusHooks().map((r) => r.headers['webhook-id'])).size).toBe(4);

    // The switch's webhooks are operator data: the customer's own key does not see them in its delivery log.
    const customerKey = (await server.http().data(CreateApiKeyDocument, { name: 'blocked portal', role: 'CUSTOMER', customerId: id })).createApiKey.secret;
    const own = await server.http(customerKey).data(SettingsNotificationsDocument, {});
    expect(own.notifications.nodes.map((n) => n.kind)).not.toContain('STATUS_CHANGED');
    const all = await server.http().data(SettingsNotificationsDocument, { filter: { customerId: id, kind: ['STATUS_CHANGED'] } });
    expect(all.notifications.totalCount).toBe(4);
    await eventually(async () => (await server.http().data(SettingsNotificationsDocument, { filter: { customerId: id, kind: ['STATUS_CHANGED'] } })).notifications.nodes.every((n) => n.status === 'SENT'), 10_000, 'status webhooks SENT');
    expect(statusHooks()).toHaveLength(4);
  });

  it('lets NOC read the settings but not change them, and CUSTOMER neither', async () => {
    const nocKey = (await server.http().data(CreateApiKeyDocument, { name: 'noc wall', role: 'NOC' })).createApiKey.secret;
    const owner = await customer({ name: 'Portal Owner' });
    const customerKey = (await server.http().data(CreateApiKeyDocument, { name: 'portal', role: 'CUSTOMER', customerId: owner })).createApiKey.secret;
    expect((await server.http(nocKey).data(SettingsDocument)).settings).toMatchObject({ alertEmails: ['noc@carrier.test'], statusWebhookUrls: [statusUrl], timeZone: 'Europe/Berlin' });
    expect(await server.http(nocKey).errorCode(UpdateSettingsDocument, { input: { alertEmails: [] } })).toBe('FORBIDDEN');
    expect(await server.http(customerKey).errorCode(SettingsDocument)).toBe('FORBIDDEN');
    expect(await server.http(customerKey).errorCode(UpdateSettingsDocument, { input: { alertEmails: [] } })).toBe('FORBIDDEN');
    expect((await server.http().data(SettingsDocument)).settings.alertEmails).toEqual(['noc@carrier.test']);
  });

  it('refuses invalid settings and time zones, changing nothing', async () => {
    const before = (await server.http().data(SettingsDocument)).settings;
    const refused = async (input: SettingsInput) => {
      const r = await server.http().request(UpdateSettingsDocument, { input });
      return r.errors?.[0].extensions;
    };
    // The first entries are valid: a refused input writes none of its fields.
    expect(await refused({ alertEmails: ['ops@carrier.test'], alertPhones: ['12345'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'alertPhones.0' });
    expect(await refused({ statusWebhookUrls: ['http://169.254.169.254/latest/meta-data'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'statusWebhookUrls.0' });
    expect(await refused({ alertWebhookUrls: ['ftp://hooks.carrier.test/'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'alertWebhookUrls.0' });
    const max = server.app.services.config.maxRuleRecipients;
    expect(await refused({ alertEmails: Array.from({ length: max + 1 }, (_, i) => `n${i}@carrier.test`) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'alertEmails' });
    expect(await refused({ timeZone: 'Europe/Atlantis' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    expect(await refused({ timeZone: '+02:00' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    expect((await server.http().data(SettingsDocument)).settings).toEqual(before);

    const id = await customer({ name: 'Zoned' });
    const r = await server.http().request(SettingsUpdateCustomerDocument, { id, input: { timeZone: 'Nowhere/Special' } });
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    expect((await server.http().data(SettingsUpdateCustomerDocument, { id, input: { timeZone: 'America/Sao_Paulo' } })).updateCustomer.timeZone).toBe('America/Sao_Paulo');
    expect((await server.http().data(SettingsUpdateCustomerDocument, { id, input: { timeZone: null } })).updateCustomer.timeZone).toBeNull();
  });
});
