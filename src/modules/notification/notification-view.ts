/**
 * The data each notification kind's template sees (see docs/notifications.md).
 * Every value is a plain string, number, boolean or null: money as exact decimal
 * strings (format with {{money x}}), instants as ISO strings ({{datetime x "Zone"}}),
 * ids as public ids. Views are built from plain objects only, so a template can reach
 * nothing but what is listed here.
 */
import { toGlobalId } from '../../platform/common/global-id';
import { dec, normaliseDecimal } from '../../platform/common/decimal';
import type { NotificationKind } from '../notification-template/notification-kind';
import type { StoredMessage } from '../notification-template/notification-template.type';

export type { StoredMessage };

/** The customer as every kind's view carries it under `customer`. */
export interface CustomerView {
  id: string;
  name: string;
  company: string | null;
  type: string;
  status: string;
  terms: string;
  balance: string;
  creditLimit: string;
  availableCredit: string;
  accruedCharges: string;
  lowBalanceThreshold: string | null;
  mainEmail: string | null;
  billingEmail: string | null;
  nocEmail: string | null;
  phone: string | null;
}

/** A customer row as the notification queries select it (snake_case, NUMERIC as strings). */
export interface CustomerRow {
  id: string;
  name: string;
  company: string | null;
  type: string;
  status: string;
  terms: string;
  balance: string;
  credit_limit: string;
  accrued_charges: string;
  low_balance_threshold: string | null;
  main_email: string | null;
  billing_email: string | null;
  noc_email: string | null;
  phone: string | null;
  notifications_enabled: boolean;
  customer_class_id: string | null;
  enabled_notifications: string[] | null;
  /** The class's notification template (null: the class has none, or there is no class). */
  class_template_id: string | null;
  template_messages: StoredMessage[] | null;
  /** The zone of the customer's messages: its own, else the settings' one. */
  time_zone: string;
}

export function customerView(c: CustomerRow): CustomerView {
  const m = (v: string | null) => (v === null ? null : normaliseDecimal(v));
  const balance = normaliseDecimal(c.balance);
  const creditLimit = normaliseDecimal(c.credit_limit);
  return {
    id: toGlobalId('Customer', c.id),
    name: c.name,
    company: c.company,
    type: c.type,
    status: c.status,
    terms: c.terms,
    balance,
    creditLimit,
    availableCredit: normaliseDecimal(dec(balance).plus(creditLimit)),
    accruedCharges: normaliseDecimal(c.accrued_charges),
    lowBalanceThreshold: m(c.low_balance_threshold),
    mainEmail: c.main_email,
    billingEmail: c.billing_email,
    nocEmail: c.noc_email,
    phone: c.phone,
  };
}

/** Fields every view has. */
export interface BaseView {
  kind: NotificationKind;
  customer: CustomerView;
  /** When the message was produced (ISO). */
  now: string;
  /** True for a test delivery (testAlert with deliver): its subject is also prefixed "[TEST] ". */
  test: boolean;
  /** IANA zone of `{{datetime x}}` without a zone: the customer's timeZone, else the settings' timeZone. */
  timeZone: string;
}

/** The fields every view has, for a message of `kind` about `customer`, produced now (`test`: a test delivery). */
export function baseView(kind: NotificationKind, customer: CustomerRow, test = false): BaseView {
  return { kind, customer: customerView(customer), now: new Date().toISOString(), test, timeZone: customer.time_zone };
}

/** LOW_BALANCE and ZERO_BALANCE: the change that crossed the line. */
export interface BalanceView extends BaseView {
  balance: string;
  previousBalance: string;
  /** LOW_BALANCE: the customer's lowBalanceThreshold (null when none is set); ZERO_BALANCE: "0". */
  threshold: string | null;
  /** balance < the customer's lowBalanceThreshold (false when none is set). */
  belowThreshold: boolean;
  /** balance <= 0. */
  exhausted: boolean;
  delta: string;
  reason: string;
  at: string;
}

/** PAYMENT_RECEIVED. */
export interface PaymentView extends BaseView {
  payment: { amount: string; reference: string | null; at: string };
  balance: string;
  previousBalance: string;
}

/** TRUNK_UPDATED (trunk is null when it was deleted). */
export interface TrunkView extends BaseView {
  change: 'CREATED' | 'UPDATED' | 'DELETED' | 'HOSTS_CHANGED';
  trunk: { id: string; name: string; direction: string; enabled: boolean } | null;
}

/** ALERT: the alert event and its definition. */
export interface AlertView extends BaseView {
  alert: {
    id: string;
    title: string;
    eventKind: 'TRIGGERED' | 'REPEATED' | 'RESOLVED';
    area: string;
    operator: string | null;
    value: string;
    threshold: string;
    subject: string;
    message: string;
    penaltyUntil: string | null;
    at: string;
    /** The area's unit, for formatting value and threshold: ASR is a percentage ({{percent}}), */
    isPercent: boolean;
    /** BALANCE, AVAILABLE_CREDIT, ACCRUED_CHARGES and SPEND are money ({{money}}), */
    isMoney: boolean;
    /** CALL_DURATION and ACD are seconds; CALL_COUNT (none of the three) is a count. */
    isSeconds: boolean;
  };
  /** Shortcuts for the most used alert fields. */
  value: string;
  threshold: string;
}
