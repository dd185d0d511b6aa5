/**
 * Built-in message per kind: used when the customer's class has no template (or its
 * template has no message of that kind), for customers without a class, and for
 * alerts whose definition names no template. Variables: see notification-view.ts.
 */
import type { MessageTemplate } from './notification-renderer';
import { NotificationKind, type TemplatedKind } from '../notification-template/notification-kind';

export const DEFAULT_TEMPLATES: Record<TemplatedKind, MessageTemplate> = {
  [NotificationKind.LOW_BALANCE]: {
    subject: 'Low balance: {{money balance}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>your balance is now {{money balance}}, below your low balance threshold of {{money threshold}}.</p>\n' +
      '<p>Please top up to keep your service running.</p>',
    bcc: [],
  },
  [NotificationKind.ZERO_BALANCE]: {
    subject: 'Balance exhausted: {{money balance}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>your balance has reached {{money balance}}. Available credit: {{money customer.availableCredit}}.</p>',
    bcc: [],
  },
  [NotificationKind.PAYMENT_RECEIVED]: {
    subject: 'Payment received: {{money payment.amount}}',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>we received your payment of {{money payment.amount}}{{#if payment.reference}} (reference {{payment.reference}}){{/if}} ' +
      'on {{datetime payment.at}}. Your balance is now {{money balance}}.</p>',
    bcc: [],
  },
  [NotificationKind.TRUNK_UPDATED]: {
    subject: 'Trunk {{#if trunk}}{{trunk.name}} {{/if}}updated',
    body:
      '<p>Dear {{customer.name}},</p>\n' +
      '<p>{{#if trunk}}your trunk {{trunk.name}} ({{trunk.direction}}, {{#if trunk.enabled}}enabled{{else}}disabled{{/if}}){{else}}one of your trunks{{/if}} ' +
      'changed ({{change}}) on {{datetime now}}.</p>',
    bcc: [],
  },
  [NotificationKind.WELCOME]: {
    subject: 'Welcome, {{customer.name}}',
    body: '<p>Dear {{customer.name}},</p>\n<p>welcome aboard. Your balance is {{money customer.balance}}.</p>',
    bcc: [],
  },
  [NotificationKind.ALERT]: {
    subject: '[{{alert.eventKind}}] {{alert.title}}: {{customer.name}}',
    body:
      '<p>{{alert.title}} {{alert.eventKind}} for {{customer.name}} on {{datetime alert.at}}.</p>\n' +
      '<p>{{alert.area}}: value {{alert.value}}, threshold {{alert.threshold}}.</p>' +
      '{{#if alert.penaltyUntil}}\n<p>Suspended until {{datetime alert.penaltyUntil}}.</p>{{/if}}',
    bcc: [],
  },
};
