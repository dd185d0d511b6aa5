/**
 * AlertDefinitionService: alert rules (create, change, delete, list) and testAlert.
 * Built-in rules (the customer's own triggers) are listed but not editable here.
 * Every write looks at the rule's customers in its own transaction (AlertRuleChanges):
 * a new rule fires on a customer already past it, a disabled or deleted one resolves.
 */
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { containsPattern } from '../../platform/common/like';
import { normaliseDecimal } from '../../platform/common/decimal';
import { badInput, conflict, notFound } from '../../platform/common/errors';
import { fromGlobalId, toGlobalId } from '../../platform/common/global-id';
import { Keyset } from '../../platform/common/keyset';
import { pageSize, type Page } from '../../platform/common/pagination';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { SqlParams, SqlWhere, type ColumnValues } from '../../platform/db/sql';
import type { UnitOfWork } from '../../platform/db/unit-of-work';
import type { RequestContext } from '../../platform/graphql/context';
import { BALANCE_AREAS, isWindowed, type AlertArea, type AlertOperator } from './alert.enums';
import { acdSql, asrSql } from '../cdr/call-buckets';
import { BALANCE_VALUE_SQL, THRESHOLD_SQL } from './alert-engine';
import { conditionHolds } from './alert-evaluator';
import type { AlertEventsReaction } from './alert-event';
import type { AlertEventWriter } from './alert-event-writer';
import type { AlertRuleChanges, ChangedRule } from './alert-rule-changes';
import { validateDefinitionInput } from './alert-definition.validation';
import type { AlertDefinitionFilter, AlertDefinitionInput } from './alert.inputs';
import { DEFINITION_COLUMNS, type AlertDefinitionRow } from './alert.rows';
import { renderAlertText } from './alert-text';
import { AlertDefinitionType, AlertTestResultType } from './alert.types';

/** A rule's condition before an update, as its UPDATE returns it. */
interface PreviousCondition {
  previous_area: AlertArea;
  previous_operator: AlertOperator;
  previous_threshold: string;
  previous_reset_threshold: string | null;
}

/** By title, case-insensitively, then id. */
const BY_TITLE = new Keyset([
  { sql: 'lower(d.title)', type: 'text' },
  { sql: 'd.id', type: 'uuid' },
]);

/** The current value of a rule for one customer, as the engine would see it. */
const TEST_SQL = `
SELECT c.name AS customer_name, c.customer_class_id, c.noc_email, ${THRESHOLD_SQL} AS threshold,
       CASE WHEN d.area = ANY($3::text[]) THEN ${BALANCE_VALUE_SQL}
            WHEN d.area = 'CALL_DURATION' THEN
              (SELECT r.duration::numeric FROM cdrs r WHERE r.customer_id = c.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1)
            WHEN w.attempts < d.min_calls THEN NULL
            WHEN d.area = 'ASR' THEN ${asrSql('w.answered', 'w.attempts')}
            WHEN d.area = 'ACD' THEN ${acdSql('w.answered_seconds', 'w.answered', '0')}
            WHEN d.area = 'SPEND' THEN w.spend
            ELSE w.attempts::numeric END AS value
  FROM alert_definitions d
  JOIN customers c ON c.id = $2
  CROSS JOIN LATERAL (
    SELECT count(*) AS attempts, count(*) FILTER (WHERE r.disposition = 'ANSWERED') AS answered,
           coalesce(sum(r.duration) FILTER (WHERE r.disposition = 'ANSWERED'), 0) AS answered_seconds,
           coalesce(sum(r.charge), 0) AS spend
      FROM cdrs r
     WHERE d.sample_period IS NOT NULL AND r.customer_id = c.id AND r.started_at > now() - make_interval(secs => d.sample_period)
  ) w
 WHERE d.id = $1`;

export class AlertDefinitionService {
  constructor(
    private readonly db: Database,
    private readonly writer: AlertEventWriter,
    private readonly ruleChanges: AlertRuleChanges,
    private readonly config: Pick<Config, 'maxRuleRecipients'>,
    private readonly reactToEvents: AlertEventsReaction,
  ) {}

  async get(_ctx: RequestContext, id: string): Promise<AlertDefinitionType | null> {
    const [row] = await this.db.query<AlertDefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM alert_definitions d WHERE d.id = $1 AND d.deleted_at IS NULL`, [fromGlobalId('AlertDefinition', id)]);
    return row ? AlertDefinitionType.from(row) : null;
  }

  async list(_ctx: RequestContext, filter: AlertDefinitionFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<AlertDefinitionType>> {
    const limit = pageSize(first);
    const cursor = BY_TITLE.decode(after);
    const where = new SqlWhere().raw('d.deleted_at IS NULL');
    const add = where.add.bind(where);
    if (filter?.customerId) add((p) => `d.customer_id = ${p}`, fromGlobalId('Customer', filter.customerId));
    if (filter?.customerClassId) add((p) => `d.customer_class_id = ${p}`, fromGlobalId('CustomerClass', filter.customerClassId));
    if (filter?.area?.length) add((p) => `d.area = ANY(${p}::text[])`, filter.area);
    if (filter?.enabled !== null && filter?.enabled !== undefined) add((p) => `d.enabled = ${p}`, filter.enabled);
    if (filter?.triggered !== null && filter?.triggered !== undefined) {
      add((p) => `EXISTS (SELECT 1 FROM alert_states s WHERE s.definition_id = d.id AND s.triggered) = ${p}`, filter.triggered);
    }
    if (filter?.search?.trim()) add((p) => `d.title ILIKE ${p}`, containsPattern(filter.search.trim()));
    return BY_TITLE.list(this.db, { select: DEFINITION_COLUMNS, from: 'FROM alert_definitions d', where, limit, after: cursor, map: AlertDefinitionType.from });
  }

  async create(_ctx: RequestContext, input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      const q = new SqlParams();
      const [row] = await this.write(input, () =>
        uow.query<AlertDefinitionRow>(`INSERT INTO alert_definitions AS d ${q.insertValues(values)} RETURNING ${DEFINITION_COLUMNS}`, q.params),
      );
      await this.lookNow(uow, { id: row.id, previous: null });
      return AlertDefinitionType.from(row);
    });
  }

  async update(_ctx: RequestContext, id: string, input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    const localId = fromGlobalId('AlertDefinition', id);
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      const q = new SqlParams();
      // The condition the rule's states were evaluated under, read under the row lock the
      // UPDATE keeps (RETURNING sees only the new row).
      const rows = await this.write(input, () =>
        uow.query<AlertDefinitionRow & PreviousCondition>(
          `UPDATE alert_definitions d SET ${q.assignments(values, ['updated_at = now()'])}
             FROM (SELECT id, area, operator, threshold, reset_threshold FROM alert_definitions WHERE id = ${q.param(localId)} FOR UPDATE) old
            WHERE d.id = old.id AND d.builtin IS NULL AND d.deleted_at IS NULL
            RETURNING ${DEFINITION_COLUMNS}, old.area AS previous_area, old.operator AS previous_operator,
                      old.threshold AS previous_threshold, old.reset_threshold AS previous_reset_threshold`,
          q.params,
        ),
      );
      const row = rows[0];
      if (!row) throw await this.missing(localId, id);
      await this.lookNow(uow, {
        id: localId,
        previous: { area: row.previous_area, operator: row.previous_operator, threshold: row.previous_threshold, resetThreshold: row.previous_reset_threshold },
      });
      return AlertDefinitionType.from(row);
    });
  }

  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const localId = fromGlobalId('AlertDefinition', id);
    // Soft delete: the rule stops running and listing, its events stay; its states go,
    // the triggered ones with a RESOLVED event (lookNow).
    const deleted = await this.db.transaction(async (uow) => {
      const rows = await uow.query(
        `UPDATE alert_definitions SET deleted_at = now(), enabled = false, updated_at = now()
          WHERE id = $1 AND builtin IS NULL AND deleted_at IS NULL RETURNING id`,
        [localId],
      );
      if (rows[0]) await this.lookNow(uow, { id: localId, previous: null });
      return rows.length > 0;
    });
    if (!deleted) throw await this.missing(localId, id);
    return true;
  }

  /** The rule just written, over its customers now; the events reach notifications once, in this transaction. */
  private async lookNow(uow: UnitOfWork, rule: ChangedRule): Promise<void> {
    await this.reactToEvents(uow, await this.ruleChanges.rulesChanged(uow, [rule]));
  }

  /** Evaluates a rule for one customer now and renders it; with deliver, stores and publishes a test event. */
  async test(ctx: RequestContext, id: string, customerId: string, deliver: boolean): Promise<AlertTestResultType> {
    const definition = await this.get(ctx, id);
    if (!definition) throw notFound('AlertDefinition', id);
    const customerLocal = fromGlobalId('Customer', customerId);
    const [row] = await this.db.query<{ customer_name: string; customer_class_id: string | null; noc_email: string | null; threshold: string | null; value: string | null }>(
      TEST_SQL,
      [definition.localId, customerLocal, BALANCE_AREAS],
    );
    if (!row) throw notFound('Customer', customerId);
    const threshold = normaliseDecimal(row.threshold ?? definition.threshold);
    const value = row.value === null ? null : normaliseDecimal(row.value);
    const wouldTrigger = row.threshold !== null && value !== null && conditionHolds(definition.operator, value, threshold);
    const draft = {
      kind: 'TRIGGERED' as const,
      definitionId: definition.localId,
      customerId: customerLocal,
      customerClassId: row.customer_class_id,
      customerName: row.customer_name,
      title: definition.title,
      area: definition.area,
      operator: definition.operator,
      value: value ?? '0',
      threshold,
      resetThreshold: definition.resetThreshold,
      penalty: null,
      isTest: true,
    };
    const text = renderAlertText({ ...draft, value, test: true });
    if (deliver) await this.db.transaction(async (uow) => this.reactToEvents(uow, await this.writer.write(uow, [draft])));
    const result = new AlertTestResultType();
    result.definition = definition;
    result.customerLocalId = customerLocal;
    result.value = value;
    result.wouldTrigger = wouldTrigger;
    result.subject = text.subject;
    result.message = text.message;
    result.recipients = [
      ...definition.emails,
      ...definition.phones,
      ...definition.webhookUrls,
      ...(definition.notifyCustomer && row.noc_email ? [row.noc_email] : []),
    ];
    result.delivered = deliver;
    return result;
  }

  /** Every column of a rule: create and update both write the whole rule. */
  private values(input: AlertDefinitionInput): ColumnValues {
    validateDefinitionInput(input, this.config.maxRuleRecipients);
    return {
      title: input.title.trim(),
      enabled: input.enabled ?? true,
      customer_id: input.customerId ? fromGlobalId('Customer', input.customerId) : null,
      customer_class_id: input.customerClassId ? fromGlobalId('CustomerClass', input.customerClassId) : null,
      account_type: input.accountType ?? null,
      area: input.area,
      operator: input.operator,
      threshold: input.threshold,
      reset_threshold: input.resetThreshold ?? null,
      sample_period: isWindowed(input.area) ? input.samplePeriod : null,
      min_calls: input.minCalls ?? 1,
      penalty: input.penalty ?? null,
      repeat_interval: input.repeatInterval ?? null,
      emails: input.emails ?? [],
      phones: input.phones ?? [],
      webhook_urls: input.webhookUrls ?? [],
      notify_customer: input.notifyCustomer ?? false,
      template_id: input.templateId ? fromGlobalId('NotificationTemplate', input.templateId) : null,
    };
  }

  /** Runs a write; a duplicate title is CONFLICT, a customer, class or template deleted meanwhile NOT_FOUND. */
  private write<T>(input: AlertDefinitionInput, fn: () => Promise<T>): Promise<T> {
    return withConstraintErrors(fn, {
      alert_definitions_title_key: () => conflict(`An alert titled "${input.title.trim()}" already exists`, { field: 'title' }),
      alert_definitions_customer_id_fkey: () => notFound('Customer', String(input.customerId)),
      alert_definitions_customer_class_id_fkey: () => notFound('CustomerClass', String(input.customerClassId)),
      alert_definitions_template_id_fkey: () => notFound('NotificationTemplate', String(input.templateId)),
    });
  }

  private async missing(localId: string, id: string): Promise<Error> {
    const [row] = await this.db.query<{ builtin: string | null }>(`SELECT builtin FROM alert_definitions WHERE id = $1 AND deleted_at IS NULL`, [localId]);
    return row?.builtin ? badInput(`${id} is a built-in rule: change the customer's own trigger instead`, 'id') : notFound('AlertDefinition', toGlobalId('AlertDefinition', localId));
  }
}

