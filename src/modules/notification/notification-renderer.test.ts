import { isTemplatedKind, NotificationKind, type TemplatedKind } from '../notification-template/notification-kind';
import type { CreatedAlertEvent } from '../alert/alert-event';
import { DEFAULT_TEMPLATES } from './default-templates';
import { alertView, balanceKinds, currentView, customerMessages } from './notification-reactions';
import { cachedTemplateCount, formatDateTime, formatDuration, formatMoney, formatNumber, formatPercent, renderMessage, TemplateRenderError, type RenderLimits } from './notification-renderer';
import { customerTemplate, draftMessage, renderDraft, renderForChannel } from './template-selection';
import type { CustomerRow } from './notification-view';
import { signWebhook } from './webhook-signature';
import { createHmac } from 'node:crypto';

const LIMITS: RenderLimits = { maxOutputChars: 65_536, maxIterations: 100, maxSteps: 2_000, renderMs: 1_000 };

const customer: CustomerRow = {
  id: '00000000-0000-4000-8000-000000000001',
  name: '<script>alert(1)</script>',
  company: null,
  type: 'CUSTOMER',
  status: 'ACTIVE',
  terms: 'PREPAID',
  balance: '4.5000000000',
  credit_limit: '0',
  accrued_charges: '0',
  low_balance_threshold: '10',
  main_email: 'main@example.test',
  billing_email: null,
  noc_email: null,
  phone: null,
  notifications_enabled: true,
  customer_class_id: null,
  enabled_notifications: null,
  class_template_id: null,
  template_messages: null,
  time_zone: 'UTC',
};

describe('helpers', () => {
  it('formats money exactly, at least two decimals, never through floats', () => {
    expect(formatMoney('12.5')).toBe('12.50');
    expect(formatMoney('-0.1')).toBe('-0.10');
    expect(formatMoney('12.3456000000')).toBe('12.3456');
    expect(formatMoney('123456789012345678.0000000001')).toBe('123456789012345678.0000000001');
    expect(formatMoney('7', 4)).toBe('7.0000');
    expect(() => formatMoney(0.1 as unknown as string)).toThrow(/decimal string/);
    expect(formatMoney('1.5', 20)).toBe('1.50000000000000000000');
    expect(() => formatMoney('1', 1_000_000_000)).toThrow('money takes 0 to 20 decimals');
    expect(() => formatMoney('1', 2.5)).toThrow('money takes 0 to 20 decimals');
  });
  it('formats date-times in a time zone and durations as h:mm:ss', () => {
    expect(formatDateTime('2026-01-15T12:00:00Z', 'Europe/Berlin')).toBe('2026-01-15 13:00:00 CET');
    expect(formatDateTime('2026-07-15T12:00:00Z')).toBe('2026-07-15 12:00:00 UTC');
    expect(() => formatDateTime('2026-07-15T12:00:00Z', 'Mars/Olympus')).toThrow();
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration('59')).toBe('0:00:59');
    expect(formatDuration(36000)).toBe('10:00:00');
  });
});

describe('renderMessage', () => {
  it('escapes HTML in bodies, keeps subjects as one plain line, renders BCC', () => {
    const r = renderMessage(
      { subject: 'Hi {{customer.name}}\n{{money balance}}', body: '<b>{{customer.name}}</b> {{money balance}}', bcc: ['audit+{{kind}}@example.test', ''] },
      { kind: 'LOW_BALANCE', customer: { name: '<script>x</script>' }, balance: '4.5' },
      'html',
      LIMITS,
    );
    expect(r.body).toBe('<b>&lt;script&gt;x&lt;/script&gt;</b> 4.50');
    expect(r.subject).toBe('Hi <script>x</script> 4.50');
    expect(r.bcc).toEqual(['audit+LOW_BALANCE@example.test']);
  });
  it('gives prototype access nothing', () => {
    const r = renderMessage(
      { subject: 's', body: '[{{constructor.constructor}}][{{#with constructor}}{{name}}{{/with}}][{{__proto__}}][{{customer.constructor.name}}]', bcc: [] },
      { customer: { name: 'x' } },
      'html',
      LIMITS,
    );
    expect(r.body).toBe('[][][][]');
  });
  it('compiles a template once and again only when its text changes', () => {
    const before = cachedTemplateCount();
    const t = { subject: `cache test ${Math.random()}`, body: 'b {{x}}', bcc: [] };
    renderMessage(t, { x: 1 }, 'html', LIMITS);
    renderMessage(t, { x: 2 }, 'html', LIMITS);
    const afterSame = cachedTemplateCount();
    renderMessage({ ...t, body: 'changed {{x}}' }, { x: 3 }, 'html', LIMITS);
    expect(afterSame - before).toBeLessThanOrEqual(2);
    expect(cachedTemplateCount()).toBe(afterSame + 1);
  });
  it('reports render errors naming the field', () => {
    expect(() => renderMessage({ subject: '{{nohelper x}}', body: '', bcc: [] }, { x: 1 }, 'html', LIMITS)).toThrow(TemplateRenderError);
    expect(() => renderMessage({ subject: 'ok', body: '{{datetime at "Nowhere/Zone"}}', bcc: [] }, { at: '2026-01-01T00:00:00Z' }, 'html', LIMITS)).toThrow(/body/);
  });
  it('formats {{datetime x}} in the view\'s timeZone (the customer\'s, else the settings\'), a named zone in that one, and in UTC without either', () => {
    const t = { subject: '{{datetime at}}', body: '{{datetime at "UTC"}} {{#with customer}}{{datetime ../at}}{{/with}}', bcc: [] };
    const at = '2026-07-01T10:00:00Z';
    expect(renderMessage(t, { at, timeZone: 'Europe/Berlin', customer: {} }, 'text', LIMITS)).toMatchObject({
      subject: '2026-07-01 12:00:00 CEST',
      body: '2026-07-01 10:00:00 UTC 2026-07-01 12:00:00 CEST',
    });
    expect(renderMessage(t, { at, customer: {} }, 'text', LIMITS).subject).toBe('2026-07-01 10:00:00 UTC');
  });
});

describe('template selection and composition', () => {
  it('customers without a class get every kind with defaults; a class sends only what it enables', () => {
    expect(customerTemplate(customer, NotificationKind.LOW_BALANCE)?.subject).toContain('Low balance');
    const classed = {
      ...customer,
      customer_class_id: 'c',
      enabled_notifications: ['WELCOME'],
      class_template_id: 't',
      template_messages: [{ kind: NotificationKind.WELCOME, subject: 'W {{customer.name}}', body: 'b', bcc: [] }],
    };
    expect(customerTemplate(classed, NotificationKind.LOW_BALANCE)).toBeNull();
    expect(customerTemplate(classed, NotificationKind.WELCOME)?.subject).toBe('W {{customer.name}}');
  });
  it('a failing template gives a FAILED row with the error, not an exception', () => {
    const m = renderDraft(draftMessage({ subject: '{{money customer}}', body: 'x', bcc: [] }, { kind: NotificationKind.WELCOME, customer: { a: 1 } } as object as { kind: NotificationKind }, 'EMAIL', 'a@b.test', { customerId: 'c' }), LIMITS);
    expect(m.status).toBe('FAILED');
    expect(m.lastError).toMatch(/subject failed to render: money expects a decimal string/);
    expect(m.subject).toBe('');
  });
});

describe('balance crossings', () => {
  it('fires LOW_BALANCE and ZERO_BALANCE only on crossing, PAYMENT_RECEIVED on payments', () => {
    expect(balanceKinds({ previousBalance: '10', balance: '9.99', reason: 'CDR_CHARGES' }, '10')).toEqual(['LOW_BALANCE']);
    expect(balanceKinds({ previousBalance: '9', balance: '8', reason: 'CDR_CHARGES' }, '10')).toEqual([]);
    expect(balanceKinds({ previousBalance: '20', balance: '-1', reason: 'ADJUSTMENT' }, '10')).toEqual(['LOW_BALANCE', 'ZERO_BALANCE']);
    expect(balanceKinds({ previousBalance: '0', balance: '-1', reason: 'CDR_CHARGES' }, null)).toEqual([]);
    expect(balanceKinds({ previousBalance: '1', balance: '0', reason: 'CDR_CHARGES' }, null)).toEqual(['ZERO_BALANCE']);
    expect(balanceKinds({ previousBalance: '5', balance: '50', reason: 'PAYMENT' }, '10')).toEqual(['PAYMENT_RECEIVED']);
  });
});

describe('webhook signature', () => {
  it('is Standard Webhooks v1 over id.timestamp.body with the decoded whsec_ secret', () => {
    const key = Buffer.from('a-secret-key-of-some-length');
    const expected = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(`whsec_${key.toString('base64')}`, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });
});

describe('SMS text', () => {
  const smsDraft = (template: { subject: string; body: string; sms?: string | null }, view: object) =>
    draftMessage({ bcc: ['x@y.test'], ...template }, { kind: NotificationKind.ALERT, ...view } as { kind: NotificationKind }, 'SMS', '+49151', { customerId: null });

  it("is the message's sms text, unescaped and without BCC; its subject when it has none or it renders empty", () => {
    expect(renderDraft(smsDraft({ subject: 's', body: '<p>x</p>', sms: '{{customer.name}} is < {{money b}}\nnext line' }, { customer: { name: 'A&B' }, b: '5' }), LIMITS)).toMatchObject({
      body: 'A&B is < 5.00\nnext line',
      bcc: [],
      status: 'PENDING',
    });
    expect(renderDraft(smsDraft({ subject: 'Low {{customer.name}}', body: '<p>long body</p>', sms: null }, { customer: { name: 'A&B' } }), LIMITS).body).toBe('Low A&B');
    expect(renderDraft(smsDraft({ subject: 'Low {{customer.name}}', body: 'b' }, { customer: { name: 'A' } }), LIMITS).body).toBe('Low A');
    expect(renderDraft(smsDraft({ subject: 'Subject', body: 'b', sms: '{{#if nothing}}x{{/if}}  ' }, {}), LIMITS).body).toBe('Subject');
  });

  it('goes to the phone of a customer who has one, beside the email, for the kinds its switches allow', () => {
    const withPhone = { ...customer, phone: '+4915100000001' };
    const view = currentView(NotificationKind.WELCOME, withPhone);
    expect(customerMessages(withPhone, view).map((m) => [m.channel, m.recipient])).toEqual([
      ['EMAIL', 'main@example.test'],
      ['SMS', '+4915100000001'],
    ]);
    expect(customerMessages({ ...withPhone, main_email: null }, view).map((m) => m.channel)).toEqual(['SMS']);
    expect(customerMessages({ ...withPhone, notifications_enabled: false }, view)).toEqual([]);
    expect(customerMessages({ ...withPhone, customer_class_id: 'c', class_template_id: null, enabled_notifications: ['WELCOME'] }, view)).toEqual([]);
  });
});

describe('PortaBilling class templates', () => {
  it('a class without a template sends its customers nothing, whatever it enables; without a class, every built-in', () => {
    // STATUS_CHANGED is not a customer message: it has no template.
    const all = Object.values(NotificationKind).filter(isTemplatedKind);
    const unassigned = { ...customer, customer_class_id: 'c', class_template_id: null, enabled_notifications: all, template_messages: null };
    for (const kind of all) {
      expect(customerTemplate(unassigned, kind)).toBeNull();
      expect(customerTemplate(customer, kind)).toBe(DEFAULT_TEMPLATES[kind]);
    }
    // An enabled kind the class's template has no message for: the built-in wording.
    const assigned = { ...unassigned, class_template_id: 't', template_messages: [] };
    expect(customerTemplate(assigned, NotificationKind.PAYMENT_RECEIVED)).toBe(DEFAULT_TEMPLATES.PAYMENT_RECEIVED);
  });
});

describe('number and percent helpers', () => {
  it('round half away from zero to the given decimals, exactly, and show that many', () => {
    expect(formatNumber('37.2727272727', 2)).toBe('37.27');
    expect(formatNumber('5', 2)).toBe('5.00');
    expect(formatNumber('2.5')).toBe('3');
    expect(formatNumber('-2.5')).toBe('-3');
    expect(formatNumber('-0.004', 2)).toBe('0.00');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber('0.1000000000000000000000000000001', 20)).toBe('0.10000000000000000000');
    expect(formatNumber('123456789012345678.55', 1)).toBe('123456789012345678.6');
    expect(formatNumber(null)).toBe('');
    expect(formatPercent('37.2727272727', 1)).toBe('37.3%');
    expect(formatPercent('100')).toBe('100%');
    expect(formatPercent('0.05', 1)).toBe('0.1%');
  });
  it('refuse what is no plain number, and decimals outside 0 to 20', () => {
    expect(() => formatNumber('1e100000000', 2)).toThrow('number expects a number, got "1e100000000"');
    expect(() => formatNumber('abc')).toThrow(/number expects a number/);
    expect(() => formatPercent({} as unknown, 1)).toThrow(/percent expects a number/);
    expect(() => formatNumber(Number.NaN)).toThrow(/number expects a number/);
    expect(() => formatNumber('1', 21)).toThrow('number takes 0 to 20 decimals');
    expect(() => formatPercent('1', 1.5)).toThrow('percent takes 0 to 20 decimals');
  });
  it('are helpers templates can call', () => {
    const r = renderMessage({ subject: '{{percent asr 1}}', body: '{{number x 2}} {{number x}} {{percent asr}}', bcc: [] }, { asr: '37.2727272727', x: '1234.5678' }, 'html', LIMITS);
    expect(r).toMatchObject({ subject: '37.3%', body: '1234.57 1235 37%' });
  });
});

describe('honest wording', () => {
  const render = (c: CustomerRow, kind: TemplatedKind) => renderForChannel({ template: DEFAULT_TEMPLATES[kind], view: currentView(kind, c) }, 'EMAIL', LIMITS);
  const sms = (c: CustomerRow, kind: TemplatedKind) => renderForChannel({ template: DEFAULT_TEMPLATES[kind], view: currentView(kind, c) }, 'SMS', LIMITS).body;

  it('LOW_BALANCE says whether the balance is below the threshold, and when none is set', () => {
    const above = { ...customer, name: 'Acme', balance: '50.0000000000', low_balance_threshold: '10.0000000000' };
    const a = render(above, NotificationKind.LOW_BALANCE);
    expect(a.subject).toBe('Balance: 50.00');
    expect(a.body).toBe('<p>Dear Acme,</p>\n<p>your balance is 50.00, at or above your low balance threshold of 10.00.</p>');
    expect(a.body).not.toMatch(/below/);
    expect(sms(above, NotificationKind.LOW_BALANCE)).toBe('Acme: your balance is 50.00, at or above your low balance threshold of 10.00.');
    expect(currentView(NotificationKind.LOW_BALANCE, above)).toMatchObject({ balance: '50', threshold: '10', belowThreshold: false, exhausted: false, test: false });

    const below = { ...above, balance: '4.5' };
    expect(render(below, NotificationKind.LOW_BALANCE)).toMatchObject({
      subject: 'Low balance: 4.50',
      body: '<p>Dear Acme,</p>\n<p>your balance is 4.50, below your low balance threshold of 10.00.</p>\n<p>Please top up to keep your service running.</p>',
    });
    expect(sms(below, NotificationKind.LOW_BALANCE)).toBe('Acme: your balance is 4.50, below your low balance threshold of 10.00. Please top up.');

    const none = { ...above, low_balance_threshold: null };
    const n = render(none, NotificationKind.LOW_BALANCE);
    expect(n.body).toBe('<p>Dear Acme,</p>\n<p>your balance is 50.00 (no low balance threshold is set).</p>');
    expect(n.body).not.toMatch(/threshold of/);
    expect(currentView(NotificationKind.LOW_BALANCE, none)).toMatchObject({ threshold: null, belowThreshold: false });
  });

  it('ZERO_BALANCE says the balance is exhausted only when it is', () => {
    const c = { ...customer, name: 'Acme', balance: '50' };
    expect(render(c, NotificationKind.ZERO_BALANCE).subject).toBe('Balance: 50.00');
    expect(render(c, NotificationKind.ZERO_BALANCE).body).toContain('your balance is 50.00.');
    expect(render({ ...c, balance: '0' }, NotificationKind.ZERO_BALANCE).subject).toBe('Balance exhausted: 0.00');
  });

  const event = (area: string, value: string, threshold: string, isTest = false): CreatedAlertEvent => ({
    id: '7',
    tx: '700',
    definitionId: 'd',
    customerId: customer.id,
    kind: 'TRIGGERED',
    area,
    value,
    threshold,
    subject: 's',
    message: 'm',
    penaltyUntil: null,
    occurredAt: new Date('2026-01-15T12:00:00Z'),
    isTest,
  });
  const alert = (e: CreatedAlertEvent, channel: 'EMAIL' | 'SMS' | 'WEBHOOK' = 'EMAIL') =>
    renderForChannel({ template: DEFAULT_TEMPLATES.ALERT, view: alertView(e, { title: 'Low ASR', operator: 'LT' }, { ...customer, name: 'Acme' }) }, channel, LIMITS);

  it('the built-in ALERT prints each area in its unit, with the given precision', () => {
    expect(alert(event('ASR', '37.2727272727', '40')).body).toContain('<p>ASR: value 37.3%, threshold 40.0%.</p>');
    expect(alert(event('ASR', '37.2727272727', '40'), 'SMS').body).toBe('Low ASR TRIGGERED for Acme on 2026-01-15 12:00:00 UTC.\nASR: value 37.3%, threshold 40.0%.');
    expect(alert(event('BALANCE', '2.5', '5')).body).toContain('BALANCE: value 2.50, threshold 5.00.');
    expect(alert(event('SPEND', '0.0125', '100')).body).toContain('SPEND: value 0.0125, threshold 100.00.');
    expect(alert(event('CALL_DURATION', '7325', '7200')).body).toContain('CALL_DURATION: value 2:02:05, threshold 2:00:00.');
    expect(alert(event('CALL_COUNT', '12', '10')).body).toContain('CALL_COUNT: value 12, threshold 10.');
  });

  it('a test delivery is marked: subject and SMS prefix, test in the data, a line in the built-in body', () => {
    const email = alert(event('BALANCE', '-3', '0', true));
    expect(email.subject).toBe('[TEST] [TRIGGERED] Low ASR: Acme');
    expect(email.body).toContain('<p>This is a test message.</p>');
    expect(alert(event('BALANCE', '-3', '0', true), 'SMS').body).toMatch(/^\[TEST\] Low ASR TRIGGERED for Acme/);
    expect(alert(event('BALANCE', '-3', '0', true), 'WEBHOOK').payload).toMatchObject({ data: { subject: '[TEST] [TRIGGERED] Low ASR: Acme', test: true } });
    const real = alert(event('BALANCE', '-3', '0'));
    expect(real.subject).toBe('[TRIGGERED] Low ASR: Acme');
    expect(real.body).not.toContain('test message');
  });
});

describe('render sandbox', () => {
  const view = { kind: 'ALERT', customer: { name: 'Acme', a: 'x', b: 'y', c: 'z' }, items: Array.from({ length: 500 }, (_, i) => i) };
  const render = (body: string, limits: RenderLimits = LIMITS) => renderMessage({ subject: 's', body, bcc: [] }, view, 'text', limits);

  it('has no log helper, partials or decorators, whatever is stored', () => {
    expect(() => render('{{log "forged"}}')).toThrow('template body failed to render: the log helper is not available');
    expect(() => render('{{> header}}')).toThrow(/body failed to render/);
    expect(() => render('{{#*inline "p"}}{{> p}}{{/inline}}{{> p}}')).toThrow(/body failed to render: Missing decorator/);
    expect(() => render('[{{log}}]')).toThrow('the log helper is not available');
  });

  it('keeps each, sections over lists and the built-in helpers working', () => {
    expect(render('{{#each customer}}{{@key}}={{this}};{{/each}}').body).toBe('name=Acme;a=x;b=y;c=z;');
    expect(render('{{#with customer}}{{#if a}}{{name}}{{/if}}{{#unless zz}}!{{/unless}}{{/with}} {{lookup customer "b"}}').body).toBe('Acme! y');
  });

  it('stops a loop at the turn limit, helper calls at the step limit and output at the size limit', () => {
    expect(() => render('{{#each items}}.{{/each}}')).toThrow('template body failed to render: more than 100 {{#each}} turns');
    expect(() => render('{{#items}}.{{/items}}')).toThrow('more than 100 {{#each}} turns');
    expect(render('{{#each items}}{{#if @last}}{{@index}}{{/if}}{{/each}}', { ...LIMITS, maxIterations: 500, maxSteps: 1_001 }).body).toBe('499');
    expect(() => render('{{#each items}}{{#if this}}.{{/if}}{{/each}}', { ...LIMITS, maxIterations: 500, maxSteps: 999 })).toThrow('more than 999 helper calls and loop turns');
    expect(() => render('{{#each customer}}{{#each @root.customer}}{{#each @root.customer}}{{@root.customer.name}}{{/each}}{{/each}}{{/each}}', { ...LIMITS, maxIterations: 1_000, maxOutputChars: 100 })).toThrow(
      'output longer than 100 characters',
    );
    expect(() => render('{{customer.name}}'.repeat(30), { ...LIMITS, maxOutputChars: 100 })).toThrow('template message failed to render: output longer than 100 characters');
  });

  it('stops a render at its deadline, within a second, whatever the other limits allow', () => {
    const unbounded: RenderLimits = { maxOutputChars: 1e9, maxIterations: 1e9, maxSteps: 1e9, renderMs: 20 };
    const nested = '{{#each @root.items}}'.repeat(4) + '{{#if this}}{{/if}}' + '{{/each}}'.repeat(4);
    const started = performance.now();
    expect(() => render(nested, unbounded)).toThrow('template body failed to render: rendering took longer than 20 ms');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
