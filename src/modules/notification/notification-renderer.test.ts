import { NotificationKind } from '../notification-template/notification-kind';
import { balanceKinds } from './notification-reactions';
import { cachedTemplateCount, formatDateTime, formatDuration, formatMoney, renderMessage, TemplateRenderError, type RenderLimits } from './notification-renderer';
import { customerTemplate, draftMessage, plainText, renderDraft } from './template-selection';
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
  notifications_enabled: true,
  customer_class_id: null,
  enabled_notifications: null,
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
    const classed = { ...customer, customer_class_id: 'c', enabled_notifications: ['WELCOME'], template_messages: [{ kind: NotificationKind.WELCOME, subject: 'W {{customer.name}}', body: 'b', bcc: [] }] };
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
  it('drops markup and keeps paragraphs as lines', () => {
    expect(plainText('<p>Hello  <b>Acme</b>,</p>\n<p>balance 4.50</p>')).toBe('Hello Acme,\nbalance 4.50');
    const m = renderDraft(draftMessage({ subject: 's', body: '<p>{{customer.name}} low</p>', bcc: ['x@y.test'] }, { kind: NotificationKind.ALERT, customer: { name: 'A&B' } } as object as { kind: NotificationKind }, 'SMS', '+49151', { customerId: null }), LIMITS);
    expect(m).toMatchObject({ body: 'A&B low', bcc: [], status: 'PENDING' });
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
