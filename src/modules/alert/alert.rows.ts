/** Raw rows of the alert tables as node-postgres returns them (NUMERIC as strings, bigint ids as strings). */
export interface AlertDefinitionRow {
  id: string;
  title: string;
  enabled: boolean;
  customer_id: string | null;
  customer_class_id: string | null;
  account_type: string | null;
  area: string;
  operator: string;
  threshold: string;
  reset_threshold: string | null;
  sample_period: number | null;
  min_calls: number;
  penalty: number | null;
  repeat_interval: number | null;
  emails: string[];
  phones: string[];
  webhook_urls: string[];
  notify_customer: boolean;
  template_id: string | null;
  builtin: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface AlertStateRow {
  definition_id: string;
  customer_id: string;
  triggered: boolean;
  value: string | null;
  since: Date | null;
  last_notified_at: Date | null;
}

export interface AlertEventRow {
  id: string;
  tx: string;
  kind: string;
  definition_id: string;
  customer_id: string;
  area: string;
  value: string;
  threshold: string;
  subject: string;
  message: string;
  penalty_until: Date | null;
  is_test: boolean;
  occurred_at: Date;
  incident_id: string | null;
  actor: string | null;
  note: string | null;
}

export const DEFINITION_COLUMNS = `d.id, d.title, d.enabled, d.customer_id, d.customer_class_id, d.account_type, d.area, d.operator,
  d.threshold, d.reset_threshold, d.sample_period, d.min_calls, d.penalty, d.repeat_interval, d.emails, d.phones,
  d.webhook_urls, d.notify_customer, d.template_id, d.builtin, d.created_at, d.updated_at, d.deleted_at`;

export const EVENT_COLUMNS = `e.id, e.tx::text AS tx, e.kind, e.definition_id, e.customer_id, e.area, e.value, e.threshold, e.subject, e.message,
  e.penalty_until, e.is_test, e.occurred_at, e.incident_id, e.actor, e.note`;

export const STATE_COLUMNS = `s.definition_id, s.customer_id, s.triggered, s.value, s.since, s.last_notified_at`;

export interface IncidentRow {
  id: string;
  definition_id: string;
  customer_id: string;
  status: string;
  opened_value: string;
  last_value: string;
  opened_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  assignee: string | null;
  snoozed_until: Date | null;
  resolved_at: Date | null;
}

export const INCIDENT_COLUMNS = `i.id, i.definition_id, i.customer_id, i.status, i.opened_value, i.last_value, i.opened_at, i.acknowledged_at,
  i.acknowledged_by, i.assignee, i.snoozed_until, i.resolved_at`;
