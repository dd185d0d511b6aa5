/**
 * Low-balance reminders end to end: a real server (and a second instance of it), a real
 * SMTP server for the customers' mail and a real HTTP receiver as the switch's status
 * webhook. No test waits an hour or a day: the server's schedule clock (TestClock) is set
 * to a few seconds before a reminder is due, or moved on by an hour or a day, and the
 * test waits for the mail or the webhook that follows.
 */
import { createHmac } from 'node:crypto';
import {
  RmdAdjustBalanceDocument,
  RmdClassDocument,
  RmdCreateClassDocument,
  RmdCreateCustomerDocument,
  RmdCreateTemplateDocument,
  RmdCustomerCountDocument,
  RmdCustomerDocument,
  RmdRecordPaymentDocument,
  RmdSetCustomerStatusDocument,
  RmdUpdateClassDocument,
  RmdUpdateCustomerDocument,
  RmdUpdateSettingsDocument,
  RmdWebhookSigningSecretDocument,
  type CreateCustomerInput,
  type LowBalanceReminderInput,
} from '../generated/graphql';
import { eventually } from '../helpers/graphql-client';
import { startHttpReceiver, startMailCatcher, type HttpReceiver, type MailCatcher, type ReceivedRequest } from '../helpers/notification-receivers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { quietFor } from '../helpers/waits';
import { fromGlobalId } from '../../src/platform/common/global-id';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEBHOOK_SECRET = `whsec_${Buffer.from('reminder-test-secret-0123456789ab').toString('base64')}`;
/** Long enough for several reminder passes (every 200 ms in tests) to have run. */
const QUIET_MS = 1_500;

/** The test template's LOW_BALANCE subject says why it was sent and when (the view's `reason` and `at`). */
const LOW_BALANCE_SUBJECT = 'Low balance ({{reason}}) {{money balance}} at {{at}}';

interface LowBalanceMail {
  reason: string;
  at: Date;
}

describe('low-balance reminders', () => {
  let mail: MailCatcher;
  let switchHook: HttpReceiver;
  let server: TestServer;
  let classId: string;

  const statusUrl = () => `${switchHook.url}/switch`;

  /** The LOW_BALANCE mails one address received, in arrival order. */
  const lowBalanceMails = (to: string): LowBalanceMail[] =>
    mail.messages
      .filter((m) => m.rcptTo.includes(to) && m.subject.startsWith('Low balance ('))
      .map((m) => {
        const [, reason, at] = /^Low balance \((\w+)\) .* at (\S+)$/.exec(m.subject)!;
        return { reason, at: new Date(at) };
      });
  const reminders = (to: string) => lowBalanceMails(to).filter((m) => m.reason === 'REMINDER');
  const untilReminders = (to: string, n: number) => mail.until(() => reminders(to).length >= n, 15_000, `${n} reminder(s) to ${to}`);

  /** The switch's status webhooks about one customer, parsed. */
  const statusCalls = (customerId: string) =>
    switchHook.requests
      .filter((r) => r.path === '/switch')
      .map((r) => ({ request: r, payload: JSON.parse(r.body) as { type: string; data: Record<string, unknown> } }))
      .filter((c) => c.payload.data.customerId === customerId);

  async function createCustomer(input: Partial<CreateCustomerInput> & { name: string; billingEmail: string }) {
    const { createCustomer } = await server.http().data(RmdCreateCustomerDocument, {
      input: { balance: '100', lowBalanceThreshold: '50', customerClassId: classId, ...input },
    });
    return createCustomer;
  }

  const adjust = (customerId: string, amount: string) => server.http().data(RmdAdjustBalanceDocument, { customerId, amount });
  const pay = (customerId: string, amount: string) => server.http().data(RmdRecordPaymentDocument, { customerId, amount });
  const status = async (customerId: string) => (await server.http().data(RmdCustomerDocument, { id: customerId })).customer!.status;

  /** The period the job started for a customer (polled: a row the server's own pass writes). */
  async function periodStarted(customerId: string): Promise<void> {
    const local = fromGlobalId('Customer', customerId);
    await eventually(
      async () => (await server.app.services.db.query(`SELECT 1 FROM low_balance_reminder_states WHERE customer_id = $1`, [local])).length === 1,
      10_000,
      'the reminder period to start',
    );
  }

  beforeAll(async () => {
    mail = await startMailCatcher();
    switchHook = await startHttpReceiver();
    server = await startTestServer({ env: { SMTP_URL: mail.url, WEBHOOK_SECRET } });
    // Customers without a zone of their own use the settings' one.
    await server.http().data(RmdUpdateSettingsDocument, { input: { timeZone: 'America/New_York', statusWebhookUrls: [statusUrl()] } });
    const { createNotificationTemplate } = await server.http().data(RmdCreateTemplateDocument, {
      input: { name: 'Reminder test', messages: [{ kind: 'LOW_BALANCE', subject: LOW_BALANCE_SUBJECT, body: '<p>Balance {{money balance}}, threshold {{money threshold}}.</p>' }] },
    });
    const { createCustomerClass } = await server.http().data(RmdCreateClassDocument, {
      input: {
        name: 'Prepaid with reminders',
        notificationTemplateId: createNotificationTemplate.id,
        enabledNotifications: ['LOW_BALANCE'],
        lowBalanceReminder: { frequency: 'DAILY', at: '09:00', forDays: 5 },
      },
    });
    expect(createCustomerClass.lowBalanceReminder).toEqual({ frequency: 'DAILY', at: '09:00', forDays: 5, suspendAfterDays: null });
    classId = createCustomerClass.id;
  });

  it('a daily reminder comes at its local time, again the next day, and stops after a payment', async () => {
    // 08:59:57 in New York (the settings' zone; EDT, UTC-4): the class's 09:00 reminder is 3 s ahead.
    server.clock.set(new Date('2025-03-10T08:59:57-04:00'));
    const to = 'daily@customer.test';
    const customer = await createCustomer({ name: 'Daily', billingEmail: to });
    expect(customer.lowBalanceReminder).toBeNull();
    await adjust(customer.id, '-60');
    await periodStarted(customer.id);

    await untilReminders(to, 1);
    const [first] = reminders(to);
    expect(first.at.getTime()).toBeGreaterThanOrEqual(Date.parse('2025-03-10T09:00:00-04:00'));
    expect(first.at.getTime()).toBeLessThan(Date.parse('2025-03-10T09:01:00-04:00'));
    await mail.until(() => lowBalanceMails(to).length === 2, 10_000, 'the crossing notice');
    expect(lowBalanceMails(to).map((m) => m.reason).sort()).toEqual(['ADJUSTMENT', 'REMINDER']);
    await quietFor(QUIET_MS);
    expect(reminders(to)).toHaveLength(1);

    // The next day (the clock moved on a day, so 09:00 has just passed there).
    server.clock.advance(DAY);
    await untilReminders(to, 2);
    expect(reminders(to)[1].at.toISOString().slice(0, 10)).toBe('2025-03-11');
    await quietFor(QUIET_MS);
    expect(reminders(to)).toHaveLength(2);

    // A payment back to the threshold ends the period in its own transaction.
    await pay(customer.id, '20');
    expect(await server.app.services.db.query(`SELECT 1 FROM low_balance_reminder_states WHERE customer_id = $1`, [fromGlobalId('Customer', customer.id)])).toHaveLength(0);
    server.clock.advance(DAY);
    await quietFor(QUIET_MS);
    expect(reminders(to)).toHaveLength(2);
  });

  it('forDays counts calendar days in the customer’s own zone, the first being the day the balance went below', async () => {
    // The customer's own schedule replaces its class's; its zone replaces the settings'.
    server.clock.set(new Date('2025-04-01T07:29:57+09:00'));
    const to = 'tokyo@customer.test';
    const customer = await createCustomer({
      name: 'Tokyo',
      billingEmail: to,
      timeZone: 'Asia/Tokyo',
      lowBalanceReminder: { frequency: 'DAILY', at: '07:30', forDays: 2 },
    });
    expect(customer.lowBalanceReminder).toEqual({ frequency: 'DAILY', at: '07:30', forDays: 2, suspendAfterDays: null });
    await adjust(customer.id, '-60');
    await periodStarted(customer.id);

    await untilReminders(to, 1);
    expect(reminders(to)[0].at.getTime()).toBeGreaterThanOrEqual(Date.parse('2025-04-01T07:30:00+09:00'));
    server.clock.advance(DAY);
    await untilReminders(to, 2);
    // Day 3: still below the threshold, but the two days are over.
    server.clock.advance(DAY);
    await quietFor(QUIET_MS);
    expect(reminders(to)).toHaveLength(2);
    expect((await server.http().data(RmdCustomerDocument, { id: customer.id })).customer!.balance).toBe('40');
  });

  it('hourly reminders, once per hour across two instances, until the last day ends', async () => {
    // A second instance of the deployment: same database, same clock. Each reminder is still sent once.
    const second = await startTestServer({
      shared: { databaseUrl: server.databaseUrl, redisPrefix: server.redisPrefix, adminKey: server.adminKey },
      clock: server.clock,
      env: { SMTP_URL: mail.url, WEBHOOK_SECRET },
    });
    try {
      // 06:00 in New York on day 1; day 1 ends at 2025-05-06T04:00Z.
      server.clock.set(new Date('2025-05-05T10:00:00Z'));
      const to = 'hourly@customer.test';
      const customer = await createCustomer({ name: 'Hourly', billingEmail: to, lowBalanceReminder: { frequency: 'HOURLY', forDays: 1 } });
      await adjust(customer.id, '-60');
      await periodStarted(customer.id);
      await quietFor(QUIET_MS);
      expect(reminders(to)).toHaveLength(0);

      server.clock.advance(HOUR);
      await untilReminders(to, 1);
      server.clock.advance(HOUR);
      await untilReminders(to, 2);
      await quietFor(QUIET_MS);
      expect(reminders(to)).toHaveLength(2);

      // Past local midnight: day 2 of a one-day schedule, no more reminders.
      server.clock.set(new Date('2025-05-06T04:30:00Z'));
      await quietFor(QUIET_MS);
      expect(reminders(to)).toHaveLength(2);
    } finally {
      await second.close();
    }
  });

  it('suspends after suspendAfterDays, tells the switch, and a payment lifts that suspension', async () => {
    // 23:59:55 on day 1 in New York: the suspension is due at local midnight, 5 s ahead.
    server.clock.set(new Date('2025-06-02T23:59:55-04:00'));
    const schedule: LowBalanceReminderInput = { frequency: 'DAILY', at: '09:00', forDays: 3, suspendAfterDays: 1 };
    const suspended = await createCustomer({ name: 'Suspended by reminder', billingEmail: 'suspended@customer.test', lowBalanceReminder: schedule });
    // An operator's suspension is not the reminder's: it is neither taken over nor lifted.
    const byOperator = await createCustomer({ name: 'Suspended by operator', billingEmail: 'operator@customer.test', lowBalanceReminder: schedule });
    await server.http().data(RmdSetCustomerStatusDocument, { ids: [byOperator.id], status: 'SUSPENDED' });
    // An operator who reactivates after the reminder's suspension has the last word.
    const reactivated = await createCustomer({ name: 'Reactivated', billingEmail: 'reactivated@customer.test', lowBalanceReminder: schedule });
    for (const c of [suspended, byOperator, reactivated]) await adjust(c.id, '-60');
    for (const c of [suspended, byOperator, reactivated]) await periodStarted(c.id);

    const suspendedCall = (id: string) => statusCalls(id).find((c) => c.payload.data.status === 'SUSPENDED' && c.payload.data.reason === 'REMINDER');
    await switchHook.until(() => !!suspendedCall(suspended.id) && !!suspendedCall(reactivated.id), 15_000, 'the suspensions at midnight');
    const call = suspendedCall(suspended.id)!;
    expect(call.payload).toMatchObject({
      type: 'customer.status_changed',
      data: { customerId: suspended.id, status: 'SUSPENDED', previousStatus: 'ACTIVE', reason: 'REMINDER', suspendedUntil: null },
    });
    expectSigned(call.request, await signingSecret(statusUrl()));
    expect(await status(suspended.id)).toBe('SUSPENDED');
    expect(suspendedCall(byOperator.id)).toBeUndefined();

    await server.http().data(RmdSetCustomerStatusDocument, { ids: [reactivated.id], status: 'ACTIVE' });
    await quietFor(QUIET_MS);
    expect(await status(reactivated.id)).toBe('ACTIVE');

    // The payment that brings the balance back to the threshold lifts the suspension in its own transaction.
    const paid = await pay(suspended.id, '10');
    expect(paid.recordPayment.customer.status).toBe('ACTIVE');
    const liftedCall = () => statusCalls(suspended.id).find((c) => c.payload.data.status === 'ACTIVE');
    await switchHook.until(() => !!liftedCall(), 10_000, 'the lifted suspension');
    expect(liftedCall()!.payload.data).toMatchObject({ previousStatus: 'SUSPENDED', reason: 'REMINDER_LIFTED', sequence: (call.payload.data.sequence as number) + 1 });

    await pay(byOperator.id, '10');
    await pay(reactivated.id, '10');
    await quietFor(QUIET_MS);
    expect(await status(byOperator.id)).toBe('SUSPENDED');
    expect(statusCalls(byOperator.id).map((c) => c.payload.data.reason)).toEqual(['OPERATOR']);
    expect(statusCalls(reactivated.id).map((c) => c.payload.data.reason)).toEqual(['REMINDER', 'OPERATOR']);
  });

  it('a threshold lowered under the balance ends the period within a minute, lifting its suspension', async () => {
    server.clock.set(new Date('2025-07-01T23:59:57-04:00'));
    const customer = await createCustomer({
      name: 'Threshold lowered',
      billingEmail: 'lowered@customer.test',
      lowBalanceReminder: { frequency: 'DAILY', at: '09:00', forDays: 3, suspendAfterDays: 1 },
    });
    await adjust(customer.id, '-60');
    await periodStarted(customer.id);
    const withReason = (reason: string) => () => statusCalls(customer.id).some((c) => c.payload.data.reason === reason);
    await switchHook.until(withReason('REMINDER'), 15_000, 'the suspension at midnight');

    // 40 is no longer below 30; no payment, so the job sees it when it next looks at the period.
    await server.http().data(RmdUpdateCustomerDocument, { id: customer.id, input: { lowBalanceThreshold: '30' } });
    server.clock.advance(61_000);
    await switchHook.until(withReason('REMINDER_LIFTED'), 10_000, 'the lifted suspension');
    expect(await status(customer.id)).toBe('ACTIVE');
    await eventually(
      async () => (await server.app.services.db.query(`SELECT 1 FROM low_balance_reminder_states WHERE customer_id = $1`, [fromGlobalId('Customer', customer.id)])).length === 0,
      10_000,
      'the period to end',
    );
  });

  it('refuses a schedule it cannot keep, changing nothing; null clears a customer’s, leaving its class’s', async () => {
    const { customers: before } = await server.http().data(RmdCustomerCountDocument);
    const refused = async (lowBalanceReminder: LowBalanceReminderInput) => {
      const r = await server.http().request(RmdCreateCustomerDocument, { input: { name: `Refused ${Math.random()}`, billingEmail: 'x@customer.test', lowBalanceReminder } });
      return r.errors?.[0]?.extensions;
    };
    expect(await refused({ frequency: 'DAILY', forDays: 3 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.at' });
    expect(await refused({ frequency: 'DAILY', at: '25:00', forDays: 3 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.at' });
    expect(await refused({ frequency: 'HOURLY', at: '09:00', forDays: 3 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.at' });
    expect(await refused({ frequency: 'HOURLY', forDays: -1 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.forDays' });
    expect(await refused({ frequency: 'HOURLY', forDays: 1, suspendAfterDays: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.suspendAfterDays' });
    expect((await server.http().data(RmdCustomerCountDocument)).customers.totalCount).toBe(before.totalCount);

    const customer = await createCustomer({ name: 'Own schedule', billingEmail: 'own@customer.test', lowBalanceReminder: { frequency: 'HOURLY', forDays: 2, suspendAfterDays: 7 } });
    expect(customer.lowBalanceReminder).toEqual({ frequency: 'HOURLY', at: null, forDays: 2, suspendAfterDays: 7 });
    const updated = await server.http().request(RmdUpdateCustomerDocument, { id: customer.id, input: { lowBalanceReminder: { frequency: 'DAILY', forDays: 2 } } });
    expect(updated.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.at' });
    expect((await server.http().data(RmdCustomerDocument, { id: customer.id })).customer!.lowBalanceReminder).toEqual({ frequency: 'HOURLY', at: null, forDays: 2, suspendAfterDays: 7 });
    const cleared = await server.http().data(RmdUpdateCustomerDocument, { id: customer.id, input: { lowBalanceReminder: null } });
    expect(cleared.updateCustomer.lowBalanceReminder).toBeNull();

    const classRefused = await server.http().request(RmdUpdateClassDocument, { id: classId, input: { name: 'Prepaid with reminders', lowBalanceReminder: { frequency: 'DAILY', at: '9', forDays: 1 } } });
    expect(classRefused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'lowBalanceReminder.at' });
    expect((await server.http().data(RmdClassDocument, { id: classId })).customerClass!.lowBalanceReminder).toEqual({ frequency: 'DAILY', at: '09:00', forDays: 5, suspendAfterDays: null });
  });

  async function signingSecret(url: string): Promise<string> {
    return (await server.http().data(RmdWebhookSigningSecretDocument, { url })).webhookSigningSecret;
  }
});

/** Standard Webhooks: v1 HMAC-SHA256 of "id.timestamp.body" with the receiver's secret. */
function expectSigned(request: ReceivedRequest, secret: string): void {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`).digest('base64');
  expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
}
