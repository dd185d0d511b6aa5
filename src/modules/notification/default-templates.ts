/**
 * Built-in message per kind: used when the customer's class template has no message of
 * that kind, for customers without a class, and for alerts whose definition names no
 * template. Variables: see notification-view.ts. The texts say only what the data
 * says: a LOW_BALANCE sent by hand above the threshold does not claim to be below it.
 * `sms` null: the subject is the SMS text.
 */
import type { MessageTemplate } from './notification-renderer';
import { NotificationKind, type TemplatedKind } from '../notification-template/notification-kind';

/** "balance 50.00, at or above your low balance threshold of 10.00", or that none is set. */
const THRESHOLD_CLAUSE =
  '{{#if threshold}}, {{#if belowThreshold}}below{{else}}at or above{{/if}} your low balance threshold of {{money threshold}}{{else}} (no low balance threshold is set){{/if}}';

/** An alert value or threshold in its area's unit: ASR 37.3%, money 2.50, seconds 1:02:05, counts 12. */
function alertFigure(path: string): string {
  return (
    `{{#if alert.isPercent}}{{percent ${path} 1}}{{else if alert.isMoney}}{{money ${path}}}` +
    `{{else if alert.isSeconds}}{{duration ${path}}}{{else}}{{number ${path}}}{{/if}}`
  );
}

const ALERT_FIGURES = `{{alert.area}}: value ${alertFigure('alert.value')}, threshold ${alertFigure('alert.threshold')}.`;

export const DEFAULT_TEMPLATES: Record<TemplatedKind, MessageTemplate> = {
  [NotificationKind.LOW_BALANCE]: {
    subject: '{{#if belowThreshold}}Low balance{{else}}Balance{{/if}}: {{money balance}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      `<p>your balance is {{money balance}}${THRESHOLD_CLAUSE}.</p>` +
      '{{#if belowThreshold}}\n<p>Please top up to keep your service running.</p>{{/if}}',
    bcc: [],
    sms: `{{customer.name}}: your balance is {{money balance}}${THRESHOLD_CLAUSE}.{{#if belowThreshold}} Please top up.{{/if}}`,
  },
  [NotificationKind.ZERO_BALANCE]: {
    subject: '{{#if exhausted}}Balance exhausted{{else}}Balance{{/if}}: {{money balance}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>your balance {{#if exhausted}}has reached{{else}}is{{/if}} {{money balance}}. Available credit: {{money customer.availableCredit}}.</p>',
    bcc: [],
    sms: '{{customer.name}}: your balance {{#if exhausted}}has reached{{else}}is{{/if}} {{money balance}}; available credit {{money customer.availableCredit}}.',
  },
  [NotificationKind.PAYMENT_RECEIVED]: {
    subject: 'Payment received: {{money payment.amount}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>we received your payment of {{money payment.amount}}{{#if payment.reference}} (reference {{payment.reference}}){{/if}} ' +
      'on {{datetime payment.at}}. Your balance is now {{money balance}}.</p>',
    bcc: [],
    sms: '{{customer.name}}: payment of {{money payment.amount}} received{{#if payment.reference}} (reference {{payment.reference}}){{/if}}; your balance is {{money balance}}.',
  },
  [NotificationKind.TRUNK_UPDATED]: {
    subject: 'Trunk {{#if trunk}}{{trunk.name}} {{/if}}updated',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>{{#if trunk}}your trunk {{trunk.name}} ({{trunk.direction}}, {{#if trunk.enabled}}enabled{{else}}disabled{{/if}}){{else}}one of your trunks{{/if}} ' +
      'changed ({{change}}) on {{datetime now}}.</p>',
    bcc: [],
    sms: null,
  },
  [NotificationKind.WELCOME]: {
    subject: 'Welcome, {{customer.name}}',
    body: '<p>Dear {{customer.name}},</p>\n<p>welcome aboard. Your balance is {{money customer.balance}}.</p>',
    bcc: [],
    sms: null,
  },
  [NotificationKind.ALERT]: {
    subject: '[{{alert.eventKind}}] {{alert.title}}: {{customer.name}}',
    body:
      '<p>{{alert.title}} {{alert.eventKind}} for {{customer.name}} on {{datetime alert.at}}.</p>\n' +
      `<p>${ALERT_FIGURES}</p>` +
      '{{#if alert.penaltyUntil}}\n<p>Suspended until {{datetime alert.penaltyUntil}}.</p>{{/if}}' +
      '{{#if test}}\n<p>This is a test message.</p>{{/if}}',
    bcc: [],
    sms:
      '{{alert.title}} {{alert.eventKind}} for {{customer.name}} on {{datetime alert.at}}.\n' +
      ALERT_FIGURES +
      '{{#if alert.penaltyUntil}}\nSuspended until {{datetime alert.penaltyUntil}}.{{/if}}',
  },
};
