/**
 * Notification hardening against a real server, SMTP server and HTTP receivers:
 * webhook secrets per receiver, the template sandbox at save, a runaway template that
 * fails its own notification while the CDR batch that caused it commits, and the cap
 * on recipients per rule.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  CreateApiKeyDocument,
  NotificationsTestCreateTemplateDocument,
  NtfAdjustBalanceDocument,
  NtfCreateAlertDefinitionDocument,
  NtfCreateClassDocument,
  NtfCreateCustomerDocument,
  NtfCreateDefinitionWithRecipientsDocument,
  NtfRecordPaymentDocument,
  SubmitCdrsDocument,
  WebhookSigningSecretDocument,
  type AlertDefinitionInput,
} from '../generated/graphql';
import { cdr } from '../helpers/cdr-fixtures';
import { eventually } from '../helpers/graphql-client';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher, type ReceivedRequest } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { fromGlobalId } from '../../src/platform/common/global-id';

/** Standard Webhooks verification as a receiver does it: HMAC-SHA256 of id.timestamp.body with its own secret. */
function verifies(secret: string, req: ReceivedRequest): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${req.headers['webhook-id']}.${req.headers['webhook-timestamp']}.${req.body}`).digest();
  const given = String(req.headers['webhook-signature']).split(' ').map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'));
  return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
}

describe('notification hardening', () => {
  let mail: MailCatcher;
  let receiverA: HttpReceiver;
  let receiverB: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    [mail, receiverA, receiverB] = await Promise.all([startMailCatcher(), startHttpReceiver(), startHttpReceiver()]);
    server = await startTestServer({
      env: {
        SMTP_URL: mail.url,
        WEBHOOK_SECRET: `whsec_${Buffer.from('sandbox-test-master-secret-0123456789').toString('base64')}`,
        DELIVERY_MAX_ATTEMPTS: '2',
        DELIVERY_BACKOFF_MS: '50',
        DELIVERY_TIMEOUT_MS: '2000',
        SCHEDULER_INTERVAL_MS: '100',
      },
    });
  });

  async function customer(name: string, extra: { balance?: string; threshold?: string; classId?: string; billing?: string } = {}): Promise<string> {
    const r = await server.http().data(NtfCreateCustomerDocument, {
      input: {
        name,
        balance: extra.balance ?? '100',
        lowBalanceThreshold: extra.threshold ?? null,
        customerClassId: extra.classId ?? null,
        billingEmail: extra.billing ?? null,
        mainEmail: `${name.replace(/\W/g, '').toLowerCase()}@sandbox.test`,
      },
    });
    return r.createCustomer.id;
  }

  const rows = (where: string, params: unknown[]) =>
    server.app.services.db.query<{ recipient: string; status: string; attempts: number; last_error: string | null; body: string }>(
      `SELECT recipient, status, attempts, last_error, body FROM notifications WHERE ${where} ORDER BY id`,
      params,
    );

  it('signs each receiver\'s webhooks with its own secret: A\'s secret does not verify a message to B', async () => {
    const urlA = `${receiverA.url}/hook`;
    const urlB = `${receiverB.url}/hook`;
    const id = await customer('Signed');
    await server.http().data(NtfCreateAlertDefinitionDocument, {
      input: { title: 'Signed alert', customerId: id, area: 'BALANCE', operator: 'LT', threshold: '5', emails: [], phones: [], webhookUrls: [urlA, urlB], notifyCustomer: false, templateId: null },
    });
    await server.http().data(NtfAdjustBalanceDocument, { customerId: id, amount: '-97.5' });
    await eventually(() => receiverA.requests.length === 1 && receiverB.requests.length === 1, 10_000, 'both webhooks');

    const secretA = (await server.http().data(WebhookSigningSecretDocument, { url: urlA })).webhookSigningSecret;
    const secretB = (await server.http().data(WebhookSigningSecretDocument, { url: urlB })).webhookSigningSecret;
    const [toA] = receiverA.requests;
    const [toB] = receiverB.requests;
    expect(secretA).not.toBe(secretB);
    expect([verifies(secretA, toA), verifies(secretB, toB)]).toEqual([true, true]);
    expect([verifies(secretA, toB), verifies(secretB, toA)]).toEqual([false, false]);
    expect(JSON.parse(toA.body)).toMatchObject({ type: 'notification.alert', data: { alert: { title: 'Signed alert', eventKind: 'TRIGGERED' } } });

    // The secret follows the endpoint, not its spelling: the host's case, the default port and a fragment do not change it.
    const spelled = urlA.replace('http://', 'HTTP://') + '#anything';
    expect((await server.http().data(WebhookSigningSecretDocument, { url: spelled })).webhookSigningSecret).toBe(secretA);
    expect((await server.http().data(WebhookSigningSecretDocument, { url: 'https://hooks.example.com:443/x' })).webhookSigningSecret).toBe(
      (await server.http().data(WebhookSigningSecretDocument, { url: 'https://HOOKS.example.com/x' })).webhookSigningSecret,
    );
    expect((await server.http().data(WebhookSigningSecretDocument, { url: `${urlA}?token=2` })).webhookSigningSecret).not.toBe(secretA);
  });

  it('shows receiver secrets to ADMIN keys only, for http(s) URLs', async () => {
    const nocKey = (await server.http().data(CreateApiKeyDocument, { name: 'noc screen', role: 'NOC' })).createApiKey.secret;
    const own = await customer('Key holder');
    const customerKey = (await server.http().data(CreateApiKeyDocument, { name: 'portal', role: 'CUSTOMER', customerId: own })).createApiKey.secret;
    const ingestKey = (await server.http().data(CreateApiKeyDocument, { name: 'switch', role: 'INGEST' })).createApiKey.secret;
    for (const key of [nocKey, customerKey, ingestKey]) {
      expect(await server.http(key).errorCode(WebhookSigningSecretDocument, { url: `${receiverA.url}/hook` })).toBe('FORBIDDEN');
    }
    for (const url of ['not a url', 'ftp://files.example.com/x', 'javascript:alert(1)']) {
      const r = await server.http().request(WebhookSigningSecretDocument, { url });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    }
  });

  it('refuses log, partials and unknown helpers when a template is saved, naming the helper and the line', async () => {
    const save = (body: string) => server.http().request(NotificationsTestCreateTemplateDocument, { input: { name: `t-${Math.random()}`, messages: [{ kind: 'ALERT', subject: 's', body }] } });
    const log = await save('ok\n{{log "{\\"level\\":60,\\"msg\\":\\"forged\\"}"}}');
    expect(log.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'ALERT', part: 'body', line: 2, helper: 'log' });
    const inline = await save('{{#*inline "p"}}{{> p}}{{> p}}{{/inline}}{{> p}}');
    expect(inline.errors?.[0].message).toMatch(/inline partial or decorator/);
    const partial = await save('{{> header}}');
    expect(partial.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', line: 1 });
    const unknown = await save('a\nb\nc {{uppercase customer.name}}');
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', line: 3, helper: 'uppercase' });
    expect(unknown.errors?.[0].message).toContain('unknown helper "uppercase"');
    const tooBig = await save('x'.repeat(server.app.services.config.templateMaxChars + 1));
    expect(tooBig.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', part: 'body' });
    const [{ n }] = await server.app.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification_templates WHERE name LIKE 't-%'`);
    expect(n).toBe(0);
  });

  it('a runaway template fails its own notification with lastError; the CDR batch that caused it commits and the others are sent', async () => {
    const runaway = '{{#each customer}}{{#each @root.customer}}{{#each @root.customer}}{{@root.customer.name}}{{/each}}{{/each}}{{/each}}';
    const tpl = await server.http().data(NotificationsTestCreateTemplateDocument, { input: { name: 'Runaway letters', messages: [{ kind: 'LOW_BALANCE', subject: 'Low', body: runaway }] } });
    const cls = await server.http().data(NtfCreateClassDocument, { input: { name: 'Runaway', notificationTemplateId: tpl.createNotificationTemplate.id, enabledNotifications: ['LOW_BALANCE'] } });
    const looping = await customer('Looping', { balance: '10', threshold: '5', classId: cls.createCustomerClass.id, billing: 'looping@sandbox.test' });
    const plain = await customer('Plain', { balance: '10', threshold: '5', billing: 'plain@sandbox.test' });

    const r = await server.http().data(SubmitCdrsDocument, {
      cdrs: [cdr({ localId: fromGlobalId('Customer', looping), id: looping }, { charge: '6' }), cdr({ localId: fromGlobalId('Customer', plain), id: plain }, { charge: '6' })],
    });
    expect(r.submitCdrs).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
    expect(r.submitCdrs.balanceChanges.map((c) => c.balance).sort()).toEqual(['4', '4']);

    await eventually(async () => (await rows(`customer_id = $1 AND status = 'FAILED'`, [fromGlobalId('Customer', looping)])).length === 1, 10_000, 'the runaway message to fail');
    const [failed] = await rows('customer_id = $1', [fromGlobalId('Customer', looping)]);
    expect(failed).toMatchObject({ recipient: 'looping@sandbox.test', status: 'FAILED', attempts: 0, body: '' });
    expect(failed.last_error).toBe(`template body failed to render: more than ${server.app.services.config.templateMaxIterations} {{#each}} turns`);
    await mail.until((messages) => messages.some((m) => m.rcptTo.includes('plain@sandbox.test')), 10_000, 'the other customer\'s mail');
    expect(mail.messages.some((m) => m.rcptTo.includes('looping@sandbox.test'))).toBe(false);
    const balances = await server.app.services.db.query<{ balance: string }>(`SELECT balance::text FROM customers WHERE id = ANY($1::uuid[])`, [[looping, plain].map((c) => fromGlobalId('Customer', c))]);
    expect(balances.map((b) => b.balance)).toEqual(['4.0000000000', '4.0000000000']);
  });

  it('a template stored before the sandbox rules (log, inline partials) fails its notification at delivery', async () => {
    const [tpl] = await server.app.services.db.query<{ id: string }>(
      `INSERT INTO notification_templates (name, messages) VALUES ('Legacy letters', $1::jsonb) RETURNING id`,
      [JSON.stringify([
        { kind: 'LOW_BALANCE', subject: 'Low', body: '{{log "{\\"level\\":60,\\"msg\\":\\"forged\\"}"}}', bcc: [] },
        { kind: 'PAYMENT_RECEIVED', subject: 'Paid', body: '{{#*inline "p"}}{{> p}}{{> p}}{{/inline}}{{> p}}', bcc: [] },
      ])],
    );
    const cls = await server.http().data(NtfCreateClassDocument, { input: { name: 'Legacy', notificationTemplateId: `tpl_${tpl.id}`, enabledNotifications: ['LOW_BALANCE', 'PAYMENT_RECEIVED'] } });
    const id = await customer('Legacy One', { balance: '10', threshold: '5', classId: cls.createCustomerClass.id, billing: 'legacy@sandbox.test' });
    await server.http().data(NtfAdjustBalanceDocument, { customerId: id, amount: '-6' });
    await server.http().data(NtfRecordPaymentDocument, { customerId: id, amount: '1', reference: null });
    const local = fromGlobalId('Customer', id);
    await eventually(async () => (await rows(`customer_id = $1 AND status = 'FAILED'`, [local])).length === 2, 10_000, 'both legacy messages to fail');
    expect((await rows('customer_id = $1', [local])).map((r) => [r.status, r.attempts, r.last_error])).toEqual([
      ['FAILED', 0, 'template body failed to render: the log helper is not available'],
      ['FAILED', 0, 'template body failed to render: Missing decorator: "inline"'],
    ]);
    expect(mail.messages.some((m) => m.rcptTo.includes('legacy@sandbox.test'))).toBe(false);
  });

  it('caps emails, phones and webhook URLs per rule (MAX_RULE_RECIPIENTS, default 20)', async () => {
    const id = await customer('Many recipients');
    const max = server.app.services.config.maxRuleRecipients;
    expect(max).toBe(20);
    const base: AlertDefinitionInput = { title: 'Fan-out', customerId: id, area: 'BALANCE', operator: 'LT', threshold: '5', emails: [], phones: [], webhookUrls: [], notifyCustomer: false, templateId: null };
    const lists = {
      emails: (n: number) => Array.from({ length: n }, (_, i) => `noc${i}@carrier.test`),
      phones: (n: number) => Array.from({ length: n }, (_, i) => `+4915112345${String(i).padStart(3, '0')}`),
      webhookUrls: (n: number) => Array.from({ length: n }, (_, i) => `https://hooks.carrier.test/${i}`),
    };
    for (const [field, make] of Object.entries(lists)) {
      const refused = await server.http().request(NtfCreateDefinitionWithRecipientsDocument, { input: { ...base, [field]: make(max + 1) } });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(refused.errors?.[0].message).toBe(`${field} takes at most ${max} entries (MAX_RULE_RECIPIENTS), got ${max + 1}`);
    }
    const ten = await server.http().request(NtfCreateDefinitionWithRecipientsDocument, { input: { ...base, emails: lists.emails(10_000) } });
    expect(ten.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'emails' });
    const [{ n }] = await server.app.services.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_definitions WHERE title = 'Fan-out'`);
    expect(n).toBe(0);
    const ok = await server.http().data(NtfCreateDefinitionWithRecipientsDocument, { input: { ...base, emails: lists.emails(max), phones: lists.phones(max), webhookUrls: lists.webhookUrls(max) } });
    expect([ok.createAlertDefinition.emails.length, ok.createAlertDefinition.phones.length, ok.createAlertDefinition.webhookUrls.length]).toEqual([max, max, max]);
  });
});
