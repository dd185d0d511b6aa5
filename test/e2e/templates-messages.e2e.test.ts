/**
 * PortaBilling's class templates and honest messages (issue 13), against a real server,
 * a real SMTP server and a real SMS gateway receiver: unassigning a class's template
 * silences its customers but not the operator; editing one kind's message; SMS to the
 * customer's phone from the message's SMS text; marked test deliveries; unknown helpers
 * refused at save; LOW_BALANCE wording that says what is true.
 */
import {
  TmAdjustBalanceDocument,
  TmCreateAlertDefinitionDocument,
  TmCreateClassDocument,
  TmCreateCustomerDocument,
  TmCreateTemplateDocument,
  TmCustomerDocument,
  TmNotificationsDocument,
  TmRecordPaymentDocument,
  TmRemoveMessageDocument,
  TmSendNotificationDocument,
  TmSetMessageDocument,
  TmTemplatesDocument,
  TmTestAlertDeliveredDocument,
  TmUpdateClassDocument,
  TmUpdateCustomerDocument,
  TmUpdateTemplateDocument,
  type CreateCustomerInput,
  type NotificationKind,
  type NotificationMessageInput,
} from '../generated/graphql';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('class templates and honest messages', () => {
  let mail: MailCatcher;
  let receiver: HttpReceiver;
  let server: TestServer;

  beforeAll(async () => {
    mail = await startMailCatcher();
    receiver = await startHttpReceiver();
    server = await startTestServer({
      env: {
        SMTP_URL: mail.url,
        MAIL_FROM: 'Lineguard <noc@carrier.test>',
        SMS_GATEWAY_URL: `${receiver.url}/sms`,
        WEBHOOK_SECRET: `whsec_${Buffer.from('templates-messages-secret-0123456789').toString('base64')}`,
        DELIVERY_TIMEOUT_MS: '2000',
        SCHEDULER_INTERVAL_MS: '100',
      },
    });
  });

  const admin = () => server.http();
  const createCustomer = async (input: CreateCustomerInput) => (await admin().data(TmCreateCustomerDocument, { input })).createCustomer.id;
  const createTemplate = async (name: string, messages: NotificationMessageInput[]) => (await admin().data(TmCreateTemplateDocument, { input: { name, messages } })).createNotificationTemplate;
  const createClass = async (name: string, templateId: string | null, kinds: NotificationKind[]) =>
    (await admin().data(TmCreateClassDocument, { input: { name, notificationTemplateId: templateId, enabledNotifications: kinds } })).createCustomerClass.id;
  const pay = (customerId: string, amount: string) => admin().data(TmRecordPaymentDocument, { customerId, amount });
  const adjust = (customerId: string, amount: string) => admin().data(TmAdjustBalanceDocument, { customerId, amount });
  /** The customer's delivery log (rows are written in the transaction of their cause, so this is exact right after a mutation). */
  const log = async (customerId: string) => (await admin().data(TmNotificationsDocument, { filter: { customerId } })).notifications.nodes;
  /** A log entry without its delivery status (which moves on as the outbox delivers). */
  const entries = async (customerId: string) => (await log(customerId)).map(({ id, kind, channel, recipient }) => ({ id, kind, channel, recipient }));
  const mailsTo = (address: string) => mail.messages.filter((m) => m.rcptTo.includes(address));
  const smsTo = (phone: string) => receiver.requests.filter((r) => r.path === '/sms').map((r) => JSON.parse(r.body) as { to: string; text: string }).filter((s) => s.to === phone);

  it("unassigning a class's template stops its customers' notifications, while a rule's operator email still goes", async () => {
    const tpl = await createTemplate('Porta letters', [{ kind: 'PAYMENT_RECEIVED', subject: 'Porta paid {{money payment.amount}}', body: '<p>paid</p>', sms: 'Porta SMS paid {{money payment.amount}}' }]);
    const cls = await createClass('Porta', tpl.id, ['PAYMENT_RECEIVED', 'LOW_BALANCE', 'ALERT']);
    const member = await createCustomer({
      name: 'Porta Member',
      balance: '100',
      lowBalanceThreshold: '20',
      customerClassId: cls,
      billingEmail: 'member@porta.test',
      nocEmail: 'noc@porta.test',
      phone: '+4915100000013',
    });
    const loner = await createCustomer({ name: 'Loner', balance: '100', billingEmail: 'loner@porta.test' });

    // With the template assigned, the class's customers hear through it, by email and SMS.
    await pay(member, '10');
    await mail.until(() => mailsTo('member@porta.test').length === 1, 10_000, 'the payment mail');
    await receiver.until(() => smsTo('+4915100000013').length === 1, 10_000, 'the payment SMS');
    expect(mailsTo('member@porta.test')[0].subject).toBe('Porta paid 10.00');
    expect(smsTo('+4915100000013')[0].text).toBe('Porta SMS paid 10.00');
    const before = await entries(member);
    expect(before.map((n) => [n.kind, n.channel]).sort()).toEqual([
      ['PAYMENT_RECEIVED', 'EMAIL'],
      ['PAYMENT_RECEIVED', 'SMS'],
    ]);

    await admin().data(TmCreateAlertDefinitionDocument, {
      input: { title: 'Porta balance under 50', customerId: member, area: 'BALANCE', operator: 'LT', threshold: '50', emails: ['ops@porta-carrier.test'], notifyCustomer: true },
    });
    const unassigned = await admin().data(TmUpdateClassDocument, { id: cls, input: { name: 'Porta', notificationTemplateId: null } });
    expect(unassigned.updateCustomerClass).toMatchObject({ notificationTemplate: null, enabledNotifications: ['PAYMENT_RECEIVED', 'LOW_BALANCE', 'ALERT'] });

    // A payment sends nothing; a drop below the low balance threshold and the rule's
    // threshold sends nothing to the customer (no LOW_BALANCE, no NOC copy, no SMS)...
    await pay(member, '5');
    expect(await entries(member)).toEqual(before);
    await adjust(member, '-100');
    // ...while the rule's operator email goes.
    await mail.until(() => mailsTo('ops@porta-carrier.test').length === 1, 10_000, 'the operator alert mail');
    expect(mailsTo('ops@porta-carrier.test')[0].subject).toBe('[TRIGGERED] Porta balance under 50: Porta Member');
    const after = await entries(member);
    expect(after.filter((n) => n.recipient !== 'ops@porta-carrier.test')).toEqual(before);
    expect(after.filter((n) => n.recipient === 'ops@porta-carrier.test').map((n) => n.kind)).toEqual(['ALERT']);
    expect(mailsTo('member@porta.test')).toHaveLength(1);
    expect(mailsTo('noc@porta.test')).toHaveLength(0);
    expect(smsTo('+4915100000013')).toHaveLength(1);

    // A customer without a class keeps the built-in messages.
    await pay(loner, '7');
    await mail.until(() => mailsTo('loner@porta.test').length === 1, 10_000, 'the built-in payment mail');
    expect(mailsTo('loner@porta.test')[0].subject).toBe('Payment received: 7.00');

    // Assigning the template again brings the class's notifications back.
    await admin().data(TmUpdateClassDocument, { id: cls, input: { name: 'Porta', notificationTemplateId: tpl.id } });
    await pay(member, '3');
    await mail.until(() => mailsTo('member@porta.test').length === 2, 10_000, 'the payment mail after reassigning');
    expect(mailsTo('member@porta.test')[1].subject).toBe('Porta paid 3.00');
  });

  it('setNotificationMessage adds or replaces one kind and keeps the others; removeNotificationMessage removes one; updateNotificationTemplate replaces them all', async () => {
    const low = { kind: 'LOW_BALANCE' as const, subject: 'Low {{money balance}}', body: '<p>low</p>', bcc: ['audit@carrier.test'], sms: 'Low SMS' };
    const tpl = await createTemplate('Edited letters', [low, { kind: 'WELCOME', subject: 'Welcome v1 {{customer.name}}', body: '<p>v1</p>' }]);

    const replaced = (await admin().data(TmSetMessageDocument, { templateId: tpl.id, message: { kind: 'WELCOME', subject: 'Welcome v2 {{customer.name}}', body: '<p>v2</p>' } }))
      .setNotificationMessage;
    expect(replaced.messages).toEqual([
      { ...low, sms: 'Low SMS' },
      { kind: 'WELCOME', subject: 'Welcome v2 {{customer.name}}', body: '<p>v2</p>', bcc: [], sms: null },
    ]);
    const added = (await admin().data(TmSetMessageDocument, { templateId: tpl.id, message: { kind: 'PAYMENT_RECEIVED', subject: 'Paid', body: 'paid', sms: 'Paid SMS' } }))
      .setNotificationMessage;
    expect(added.messages.map((m) => [m.kind, m.subject])).toEqual([
      ['LOW_BALANCE', 'Low {{money balance}}'],
      ['WELCOME', 'Welcome v2 {{customer.name}}'],
      ['PAYMENT_RECEIVED', 'Paid'],
    ]);

    // A refused message changes nothing; an unknown template is NOT_FOUND.
    const refused = await admin().request(TmSetMessageDocument, { templateId: tpl.id, message: { kind: 'LOW_BALANCE', subject: 'x', body: '{{#each}}' } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'body' });
    const stored = (await admin().data(TmTemplatesDocument)).notificationTemplates.find((t) => t.id === tpl.id);
    expect(stored).toEqual(added);
    expect(await admin().errorCode(TmSetMessageDocument, { templateId: 'tpl_00000000-0000-4000-8000-000000000000', message: { kind: 'WELCOME', subject: 's', body: 'b' } })).toBe('NOT_FOUND');

    // The edited kind is what the class's customers get from now on.
    const cls = await createClass('Edited', tpl.id, ['WELCOME']);
    const member = await createCustomer({ name: 'Edited Member', mainEmail: 'member@edited.test', customerClassId: cls });
    const sent = (await admin().data(TmSendNotificationDocument, { customerId: member, kind: 'WELCOME' })).sendNotification;
    expect(sent.map((n) => n.subject)).toEqual(['Welcome v2 Edited Member']);
    await mail.until(() => mailsTo('member@edited.test').length === 1, 10_000, 'the edited welcome');
    expect(mailsTo('member@edited.test')[0].html).toBe('<p>v2</p>');

    const removed = (await admin().data(TmRemoveMessageDocument, { templateId: tpl.id, kind: 'LOW_BALANCE' })).removeNotificationMessage;
    expect(removed.messages.map((m) => m.kind)).toEqual(['WELCOME', 'PAYMENT_RECEIVED']);
    const again = (await admin().data(TmRemoveMessageDocument, { templateId: tpl.id, kind: 'LOW_BALANCE' })).removeNotificationMessage;
    expect(again).toEqual(removed);

    // updateNotificationTemplate takes the whole template, as documented: a kind left out has no message any more.
    const whole = (await admin().data(TmUpdateTemplateDocument, { id: tpl.id, input: { name: 'Edited letters', messages: [{ kind: 'WELCOME', subject: 'Welcome v3', body: 'v3' }] } }))
      .updateNotificationTemplate;
    expect(whole.messages.map((m) => m.kind)).toEqual(['WELCOME']);
  });

  it('a test delivery is marked: a subject (and SMS) prefix, and test in the template data', async () => {
    const customer = await createCustomer({ name: 'Tested', balance: '10', nocEmail: 'noc@tested.test' });
    const aware = await createTemplate('Test-aware', [{ kind: 'ALERT', subject: 'Alert {{alert.title}}', body: '<p>test={{test}}</p>{{#if test}}<p>TEST DELIVERY</p>{{/if}}' }]);
    // Neither rule holds now (balance 10): only the test events below are delivered.
    const custom = (
      await admin().data(TmCreateAlertDefinitionDocument, {
        input: {
          title: 'Custom test',
          customerId: customer,
          area: 'BALANCE',
          operator: 'LT',
          threshold: '0',
          emails: ['ops-custom@carrier.test'],
          phones: ['+4915100000077'],
          webhookUrls: [`${receiver.url}/test-hook`],
          templateId: aware.id,
        },
      })
    ).createAlertDefinition.id;
    const builtin = (
      await admin().data(TmCreateAlertDefinitionDocument, {
        input: { title: 'Built-in test', customerId: customer, area: 'BALANCE', operator: 'LT', threshold: '0', emails: ['ops-builtin@carrier.test'], notifyCustomer: true },
      })
    ).createAlertDefinition.id;

    expect((await admin().data(TmTestAlertDeliveredDocument, { id: custom, customerId: customer })).testAlert.delivered).toBe(true);
    expect((await admin().data(TmTestAlertDeliveredDocument, { id: builtin, customerId: customer })).testAlert.delivered).toBe(true);

    await mail.until(() => mailsTo('ops-custom@carrier.test').length === 1 && mailsTo('ops-builtin@carrier.test').length === 1 && mailsTo('noc@tested.test').length === 1, 10_000, 'test mails');
    const customMail = mailsTo('ops-custom@carrier.test')[0];
    expect(customMail.subject).toBe('[TEST] Alert Custom test');
    expect(customMail.html).toBe('<p>test=true</p><p>TEST DELIVERY</p>');
    for (const address of ['ops-builtin@carrier.test', 'noc@tested.test']) {
      const m = mailsTo(address)[0];
      expect(m.subject).toBe('[TEST] [TRIGGERED] Built-in test: Tested');
      expect(m.html).toContain('<p>This is a test message.</p>');
    }

    await receiver.until((requests) => requests.some((r) => r.path === '/test-hook') && smsTo('+4915100000077').length === 1, 10_000, 'test webhook and SMS');
    const hook = JSON.parse(receiver.requests.find((r) => r.path === '/test-hook')!.body);
    expect(hook).toMatchObject({ type: 'notification.alert', data: { subject: '[TEST] Alert Custom test', test: true, alert: { title: 'Custom test', eventKind: 'TRIGGERED' } } });
    expect(smsTo('+4915100000077')[0].text).toBe('[TEST] Alert Custom test');
  });

  it('refuses an unknown helper when the template is saved, naming the helper and the line; nothing is stored', async () => {
    const created = await admin().request(TmCreateTemplateDocument, {
      input: { name: 'Shouting', messages: [{ kind: 'LOW_BALANCE', subject: 'Low', body: '<p>Dear {{customer.name}},</p>\n<p>{{shout balance}}</p>' }] },
    });
    expect(created.errors).toHaveLength(1);
    expect(created.errors![0].message).toBe(
      'LOW_BALANCE body uses the unknown helper "shout"; templates may call if, unless, with, each, lookup, money, number, percent, datetime, duration (line 2)',
    );
    expect(created.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'LOW_BALANCE', part: 'body', helper: 'shout', line: 2 });

    const tpl = await createTemplate('Quiet letters', [{ kind: 'WELCOME', subject: 'Hi', body: 'hi' }]);
    const sms = await admin().request(TmSetMessageDocument, { templateId: tpl.id, message: { kind: 'WELCOME', subject: 'Hi', body: 'hi', sms: 'Hi\nthere\n{{#round balance}}x{{/round}}' } });
    expect(sms.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'WELCOME', part: 'sms', helper: 'round', line: 3 });
    expect(sms.errors![0].message).toMatch(/^WELCOME sms uses the unknown helper "round"; .* \(line 3\)$/);

    const templates = (await admin().data(TmTemplatesDocument)).notificationTemplates;
    expect(templates.map((t) => t.name)).not.toContain('Shouting');
    expect(templates.find((t) => t.id === tpl.id)!.messages).toEqual([{ kind: 'WELCOME', subject: 'Hi', body: 'hi', bcc: [], sms: null }]);
  });

  it("sends SMS to the customer's phone for the enabled kinds, from the message's sms text (its subject when none)", async () => {
    expect(await admin().errorCode(TmCreateCustomerDocument, { input: { name: 'Bad phone', phone: '4915100000000' } })).toBe('BAD_USER_INPUT');
    expect(await admin().errorCode(TmCreateCustomerDocument, { input: { name: 'Bad phone', phone: '+49 151 0000' } })).toBe('BAD_USER_INPUT');

    const tpl = await createTemplate('Texting letters', [
      { kind: 'PAYMENT_RECEIVED', subject: 'Paid {{money payment.amount}}', body: '<p>paid</p>', sms: 'Paid {{money payment.amount}}, balance {{money balance}} & thanks' },
      { kind: 'LOW_BALANCE', subject: 'Low: {{money balance}}', body: '<p>low</p>' },
    ]);
    const cls = await createClass('Texting', tpl.id, ['PAYMENT_RECEIVED', 'LOW_BALANCE']);
    const texted = await createCustomer({ name: 'Texted', balance: '20', lowBalanceThreshold: '10', customerClassId: cls, billingEmail: 'texted@sms.test', phone: ' +4915100000042 ' });
    expect((await admin().data(TmCustomerDocument, { id: texted })).customer?.phone).toBe('+4915100000042');

    await pay(texted, '5');
    await adjust(texted, '-20');
    await receiver.until(() => smsTo('+4915100000042').length === 2, 10_000, 'payment and low balance SMS');
    expect(smsTo('+4915100000042').map((s) => s.text).sort()).toEqual(['Low: 5.00', 'Paid 5.00, balance 25.00 & thanks']);
    expect((await log(texted)).map((n) => [n.kind, n.channel]).sort()).toEqual([
      ['LOW_BALANCE', 'EMAIL'],
      ['LOW_BALANCE', 'SMS'],
      ['PAYMENT_RECEIVED', 'EMAIL'],
      ['PAYMENT_RECEIVED', 'SMS'],
    ]);

    // A kind the class does not enable: no SMS (and no email).
    expect((await admin().data(TmSendNotificationDocument, { customerId: texted, kind: 'WELCOME' })).sendNotification).toEqual([]);

    // Without a class: the built-in SMS text; a phone alone is enough to be told.
    const phoneOnly = await createCustomer({ name: 'Phone Only', balance: '1', phone: '+4915100000043' });
    await pay(phoneOnly, '3');
    await receiver.until(() => smsTo('+4915100000043').length === 1, 10_000, 'built-in payment SMS');
    expect(smsTo('+4915100000043')[0].text).toBe('Phone Only: payment of 3.00 received (reference INV-13); your balance is 4.00.');
    const welcome = (await admin().data(TmSendNotificationDocument, { customerId: phoneOnly, kind: 'WELCOME' })).sendNotification;
    expect(welcome).toMatchObject([{ channel: 'SMS', recipient: '+4915100000043', subject: 'Welcome, Phone Only', body: 'Welcome, Phone Only' }]);

    // Cleared: no more SMS.
    expect((await admin().data(TmUpdateCustomerDocument, { id: phoneOnly, input: { phone: null } })).updateCustomer.phone).toBeNull();
    expect(await admin().errorCode(TmSendNotificationDocument, { customerId: phoneOnly, kind: 'WELCOME' })).toBe('BAD_USER_INPUT');
  });

  it('LOW_BALANCE sent at a balance of 50 with threshold 10 says the balance is not below it; without a threshold it says none is set', async () => {
    const above = await createCustomer({ name: 'Comfortable', balance: '50', lowBalanceThreshold: '10', mainEmail: 'comfortable@wording.test' });
    const [sent] = (await admin().data(TmSendNotificationDocument, { customerId: above, kind: 'LOW_BALANCE' })).sendNotification;
    expect(sent.subject).toBe('Balance: 50.00');
    expect(sent.body).toBe('<p>Dear Comfortable,</p>\n<p>your balance is 50.00, at or above your low balance threshold of 10.00.</p>');
    await mail.until(() => mailsTo('comfortable@wording.test').length === 1, 10_000, 'the LOW_BALANCE mail');
    expect(mailsTo('comfortable@wording.test')[0].html).not.toMatch(/below/);

    const none = await createCustomer({ name: 'Unset', balance: '50', mainEmail: 'unset@wording.test' });
    const [unset] = (await admin().data(TmSendNotificationDocument, { customerId: none, kind: 'LOW_BALANCE' })).sendNotification;
    expect(unset.body).toBe('<p>Dear Unset,</p>\n<p>your balance is 50.00 (no low balance threshold is set).</p>');
    expect(unset.body).not.toMatch(/threshold of/);

    const low = await createCustomer({ name: 'Short', balance: '5', lowBalanceThreshold: '10', mainEmail: 'short@wording.test' });
    const [below] = (await admin().data(TmSendNotificationDocument, { customerId: low, kind: 'LOW_BALANCE' })).sendNotification;
    expect(below.subject).toBe('Low balance: 5.00');
    expect(below.body).toContain('your balance is 5.00, below your low balance threshold of 10.00.');
  });
});
