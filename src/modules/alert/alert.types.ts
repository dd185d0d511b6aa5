import { Field, ID, Int, ObjectType } from 'type-graphql';
import { normaliseDecimal } from '../../platform/common/decimal';
import { toGlobalId } from '../../platform/common/global-id';
import { Node } from '../../platform/common/node';
import { LOG_COUNT_DESCRIPTION } from '../../platform/common/keyset';
import { Connection } from '../../platform/common/pagination';
import { DateTimeScalar, DecimalScalar } from '../../platform/common/scalars';
import { AccountType } from '../customer/customer.enums';
import type { CustomerType } from '../customer/customer.type';
import type { CreatedAlertEvent } from './alert-event';
import { alertEventCursor } from './alert-event-order';
import { AlertArea, AlertEventKind, AlertOperator, IncidentStatus } from './alert.enums';
import type { AlertDefinitionRow, AlertEventRow, AlertStateRow, IncidentRow } from './alert.rows';

const num = (v: string | null) => (v === null ? null : normaliseDecimal(v));

@ObjectType('AlertDefinition', {
  implements: Node,
  description:
    'An alert rule. Scope: one customer (customerId), every customer of a class\n(customerClassId), or every account of accountType (neither). The condition is\nvalue <operator> threshold. Once triggered for a customer it stays triggered\nuntil the value passes resetThreshold the other way (default: threshold),\ne.g. ASR LTE 30 with resetThreshold 31 resolves only when ASR > 31.\nWhile triggered, the notification is sent again every repeatInterval seconds\n(null: once). penalty (seconds) suspends the customer when it triggers.\nWindowed areas need at least minCalls calls in the window to be evaluated.',
})
export class AlertDefinitionType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  customerLocalId!: string | null;
  customerClassLocalId!: string | null;
  templateLocalId!: string | null;

  @Field()
  title!: string;

  @Field()
  enabled!: boolean;

  @Field(() => AccountType, { nullable: true })
  accountType!: AccountType | null;

  @Field(() => AlertArea)
  area!: AlertArea;

  @Field(() => AlertOperator)
  operator!: AlertOperator;

  @Field(() => DecimalScalar)
  threshold!: string;

  @Field(() => DecimalScalar, { nullable: true })
  resetThreshold!: string | null;

  @Field(() => Int, { nullable: true })
  samplePeriod!: number | null;

  @Field(() => Int)
  minCalls!: number;

  @Field(() => Int, { nullable: true })
  penalty!: number | null;

  @Field(() => Int, { nullable: true })
  repeatInterval!: number | null;

  @Field(() => [String])
  emails!: string[];

  @Field(() => [String])
  phones!: string[];

  @Field(() => [String])
  webhookUrls!: string[];

  @Field()
  notifyCustomer!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "Set on the built-in rules behind each customer's own triggers (PREPAID_BALANCE_TRIGGER, CALL_DURATION_TRIGGER, LOW_BALANCE_THRESHOLD): their threshold is the customer's setting, and they cannot be changed here.",
  })
  builtin!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the rule was deleted. A deleted rule no longer runs or lists, but the events it produced still name it.',
  })
  deletedAt!: Date | null;

  static from(r: AlertDefinitionRow): AlertDefinitionType {
    const t = new AlertDefinitionType();
    t.id = toGlobalId('AlertDefinition', r.id);
    t.localId = r.id;
    t.customerLocalId = r.customer_id;
    t.customerClassLocalId = r.customer_class_id;
    t.templateLocalId = r.template_id;
    t.title = r.title;
    t.enabled = r.enabled;
    t.accountType = r.account_type as AccountType | null;
    t.area = r.area as AlertArea;
    t.operator = r.operator as AlertOperator;
    t.threshold = normaliseDecimal(r.threshold);
    t.resetThreshold = num(r.reset_threshold);
    t.samplePeriod = r.sample_period;
    t.minCalls = r.min_calls;
    t.penalty = r.penalty;
    t.repeatInterval = r.repeat_interval;
    t.emails = r.emails;
    t.phones = r.phones;
    t.webhookUrls = r.webhook_urls;
    t.notifyCustomer = r.notify_customer;
    t.builtin = r.builtin;
    t.createdAt = r.created_at;
    t.updatedAt = r.updated_at;
    t.deletedAt = r.deleted_at;
    return t;
  }
}

@ObjectType('AlertDefinitionConnection')
export class AlertDefinitionConnection extends Connection(AlertDefinitionType, 'AlertDefinition') {}

@ObjectType('AlertState', { description: 'Where one alert rule stands for one customer.' })
export class AlertStateType {
  definitionLocalId!: string;
  customerLocalId!: string;

  @Field()
  triggered!: boolean;

  @Field(() => DecimalScalar, { nullable: true })
  value!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  since!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  lastNotifiedAt!: Date | null;

  static from(r: AlertStateRow): AlertStateType {
    const t = new AlertStateType();
    t.definitionLocalId = r.definition_id;
    t.customerLocalId = r.customer_id;
    t.triggered = r.triggered;
    t.value = num(r.value);
    t.since = r.since;
    t.lastNotifiedAt = r.last_notified_at;
    return t;
  }
}

@ObjectType('AlertEvent', {
  implements: Node,
  description: 'A stored, immutable alert event. cursor orders all events; a client that\nreconnects passes the last cursor it saw to catch up with nothing lost.',
})
export class AlertEventType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  definitionLocalId!: string;
  customerLocalId!: string;
  /** The customer's class when the event was read by a live feed (its customerClassId filter). */
  customerClassLocalId?: string | null;

  @Field()
  cursor!: string;

  @Field(() => AlertEventKind)
  kind!: AlertEventKind;

  @Field(() => AlertArea)
  area!: AlertArea;

  @Field(() => DecimalScalar)
  value!: string;

  @Field(() => DecimalScalar)
  threshold!: string;

  @Field()
  subject!: string;

  @Field()
  message!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  penaltyUntil!: Date | null;

  @Field({ description: 'True for events sent by testAlert(deliver: true): they change no state.' })
  test!: boolean;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;

  incidentLocalId!: string | null;

  /** The writing transaction's id (bigint text): with localId, the event's place in EVENT_ORDER. */
  tx!: string;

  @Field(() => String, { nullable: true, description: 'Operator events: the API key name that acted, and the note or comment given.' })
  actor!: string | null;

  @Field(() => String, { nullable: true })
  note!: string | null;

  /** Its customer and rule as a page read them with only the fields the operation selects (alert-event.service.ts list): for its own field resolvers only. */
  joinedCustomer?: CustomerType;
  joinedDefinition?: AlertDefinitionType;

  static from(r: AlertEventRow): AlertEventType {
    const t = AlertEventType.of({
      id: String(r.id),
      tx: r.tx,
      definitionId: r.definition_id,
      customerId: r.customer_id,
      kind: r.kind as CreatedAlertEvent['kind'],
      area: r.area,
      value: r.value,
      threshold: r.threshold,
      subject: r.subject,
      message: r.message,
      penaltyUntil: r.penalty_until,
      occurredAt: r.occurred_at,
      isTest: r.is_test,
      incidentId: r.incident_id === null ? null : String(r.incident_id),
    });
    t.actor = r.actor;
    t.note = r.note;
    return t;
  }

  static of(e: CreatedAlertEvent): AlertEventType {
    const t = new AlertEventType();
    t.id = toGlobalId('AlertEvent', e.id);
    t.localId = e.id;
    t.tx = e.tx;
    t.cursor = alertEventCursor(e.tx, e.id);
    t.definitionLocalId = e.definitionId;
    t.customerLocalId = e.customerId;
    t.kind = e.kind as AlertEventKind;
    t.area = e.area as AlertArea;
    t.value = normaliseDecimal(e.value);
    t.threshold = normaliseDecimal(e.threshold);
    t.subject = e.subject;
    t.message = e.message;
    t.penaltyUntil = e.penaltyUntil;
    t.test = e.isTest;
    t.occurredAt = e.occurredAt;
    t.incidentLocalId = e.incidentId ?? null;
    t.actor = null;
    t.note = null;
    return t;
  }
}

@ObjectType('AlertEventConnection')
export class AlertEventConnection extends Connection(AlertEventType, 'AlertEvent', LOG_COUNT_DESCRIPTION) {}

@ObjectType('AlertTestResult', { description: 'What an alert would send for a customer now, rendered from its template.' })
export class AlertTestResultType {
  definition!: AlertDefinitionType;
  customerLocalId!: string;

  @Field(() => DecimalScalar, { nullable: true })
  value!: string | null;

  @Field()
  wouldTrigger!: boolean;

  @Field()
  subject!: string;

  @Field()
  message!: string;

  @Field(() => [String])
  recipients!: string[];

  @Field()
  delivered!: boolean;
}

@ObjectType('IncidentNote')
export class IncidentNoteType {
  @Field()
  author!: string;

  @Field()
  text!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('AlertIncident', { implements: Node })
export class AlertIncidentType implements Node {
  @Field(() => ID)
  id!: string;

  localId!: string;
  definitionLocalId!: string;
  customerLocalId!: string;

  @Field(() => IncidentStatus)
  status!: IncidentStatus;

  @Field(() => DecimalScalar, { description: "The rule's value when the incident opened, and the latest one evaluated." })
  openedValue!: string;

  @Field(() => DecimalScalar)
  lastValue!: string;

  @Field(() => DateTimeScalar)
  openedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  acknowledgedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Name of the API key that acknowledged it.' })
  acknowledgedBy!: string | null;

  @Field(() => String, { nullable: true })
  assignee!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  snoozedUntil!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  resolvedAt!: Date | null;

  static from(r: IncidentRow): AlertIncidentType {
    const t = new AlertIncidentType();
    t.id = toGlobalId('AlertIncident', String(r.id));
    t.localId = String(r.id);
    t.definitionLocalId = r.definition_id;
    t.customerLocalId = r.customer_id;
    t.status = r.status as IncidentStatus;
    t.openedValue = normaliseDecimal(r.opened_value);
    t.lastValue = normaliseDecimal(r.last_value);
    t.openedAt = r.opened_at;
    t.acknowledgedAt = r.acknowledged_at;
    t.acknowledgedBy = r.acknowledged_by;
    t.assignee = r.assignee;
    t.snoozedUntil = r.snoozed_until;
    t.resolvedAt = r.resolved_at;
    return t;
  }
}

@ObjectType('AlertIncidentConnection')
export class AlertIncidentConnection extends Connection(AlertIncidentType, 'AlertIncident') {}
