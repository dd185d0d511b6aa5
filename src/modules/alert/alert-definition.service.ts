/**
 * AlertDefinitionService: alert rules (create, change, delete, list) and testAlert.
 * Built-in rules (the customer's own triggers) are listed but not editable here.
 */
import { containsPattern } from '../../platform/common/like';
import { SqlWhere } from '../../platform/common/sql-where';
import { normaliseDecimal } from '../../platform/common/decimal';
import { badInput, conflict, notFound, sqlConstraint, sqlState } from '../../platform/common/errors';
import { fromGlobalId, toGlobalId } from '../../platform/common/global-id';
import { decodeCursor, pageSize, toPage, type Page } from '../../platform/common/pagination';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { BALANCE_AREAS, isWindowed } from './alert.enums';
import { BALANCE_VALUE_SQL, THRESHOLD_SQL } from './alert-engine';
import { conditionHolds } from './alert-evaluator';
import type { AlertEventsReaction } from './alert-event';
import type { AlertEventWriter } from './alert-event-writer';
import { validateDefinitionInput } from './alert-definition.validation';
import type { AlertDefinitionFilter, AlertDefinitionInput } from './alert.inputs';
import { DEFINITION_COLUMNS, type AlertDefinitionRow } from './alert.rows';
import { renderAlertText } from './alert-text';
import { AlertDefinitionType, AlertTestResultType } from './alert.types';

const FK_TARGET: Record<string, [string, keyof AlertDefinitionInput]> = {
  alert_definitions_customer_id_fkey: ['Customer', 'customerId'],
  alert_definitions_customer_class_id_fkey: ['CustomerClass', 'customerClassId'],
  alert_definitions_template_id_fkey: ['NotificationTemplate', 'templateId'],
};

/** The current value of a rule for one customer, as the engine would see it. */
const TEST_SQL = `
SELECT c.name AS customer_name, c.customer_class_id, c.noc_email, ${THRESHOLD_SQL} AS threshold,
       CASE WHEN d.area = ANY($3::text[]) THEN ${BALANCE_VALUE_SQL}
            WHEN d.area = 'CALL_DURATION' THEN
              (SELECT r.duration::numeric FROM cdrs r WHERE r.customer_id = c.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1)
            WHEN w.attempts < d.min_calls THEN NULL
            WHEN d.area = 'ASR' THEN CASE WHEN w.attempts > 0 THEN round(w.answered * 100.0 / w.attempts, 10) END
            WHEN d.area = 'ACD' THEN CASE WHEN w.answered > 0 THEN round(w.answered_seconds::numeric / w.answered, 10) ELSE 0 END
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
    private readonly config: Pick<Config, 'maxRuleRecipients'>,
    private readonly reactToEvents: AlertEventsReaction,
  ) {}

  async get(_ctx: RequestContext, id: string): Promise<AlertDefinitionType | null> {
    const [row] = await this.db.query<AlertDefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM alert_definitions d WHERE d.id = $1 AND d.deleted_at IS NULL`, [fromGlobalId('AlertDefinition', id)]);
    return row ? AlertDefinitionType.from(row) : null;
  }

  async list(_ctx: RequestContext, filter: AlertDefinitionFilter | null | undefined, first?: number | null, after?: string | null): Promise<Page<AlertDefinitionType>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, ['text', 'uuid']);
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
    const page = where.clone();
    if (cursor) page.raw(`(lower(d.title), d.id) > (${page.param(cursor[0])}, ${page.param(cursor[1])}::uuid)`);
    const rows = await this.db.query<AlertDefinitionRow>(
      `SELECT ${DEFINITION_COLUMNS} FROM alert_definitions d WHERE ${page.sql}
        ORDER BY lower(d.title), d.id LIMIT ${page.param(limit + 1)}`,
      page.params,
    );
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_definitions d WHERE ${where.sql}`, where.params);
    return toPage(rows.map(AlertDefinitionType.from), limit, n, (d) => [d.title.toLowerCase(), d.localId]);
  }

  async create(_ctx: RequestContext, input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    const values = this.values(input);
    const [row] = await this.write(input, () =>
      this.db.query<AlertDefinitionRow>(
        `INSERT INTO alert_definitions AS d (title, enabled, customer_id, customer_class_id, account_type, area, operator, threshold,
           reset_threshold, sample_period, min_calls, penalty, repeat_interval, emails, phones, webhook_urls, notify_customer, template_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         RETURNING ${DEFINITION_COLUMNS}`,
        values,
      ),
    );
    return AlertDefinitionType.from(row);
  }

  async update(_ctx: RequestContext, id: string, input: AlertDefinitionInput): Promise<AlertDefinitionType> {
    const localId = fromGlobalId('AlertDefinition', id);
    const values = this.values(input);
    const rows = await this.write(input, () =>
      this.db.query<AlertDefinitionRow>(
        `UPDATE alert_definitions d SET title = $1, enabled = $2, customer_id = $3, customer_class_id = $4, account_type = $5,
           area = $6, operator = $7, threshold = $8, reset_threshold = $9, sample_period = $10, min_calls = $11, penalty = $12,
           repeat_interval = $13, emails = $14, phones = $15, webhook_urls = $16, notify_customer = $17, template_id = $18,
           updated_at = now()
         WHERE d.id = $19 AND d.builtin IS NULL AND d.deleted_at IS NULL
         RETURNING ${DEFINITION_COLUMNS}`,
        [...values, localId],
      ),
    );
    if (!rows[0]) throw await this.missing(localId, id);
    return AlertDefinitionType.from(rows[0]);
  }

  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const localId = fromGlobalId('AlertDefinition', id);
    // Soft delete: the rule stops running and listing, its states go, its events stay.
    const deleted = await this.db.transaction(async (uow) => {
      const rows = await uow.query(
        `UPDATE alert_definitions SET deleted_at = now(), enabled = false, updated_at = now()
          WHERE id = $1 AND builtin IS NULL AND deleted_at IS NULL RETURNING id`,
        [localId],
      );
      if (rows[0]) await uow.query(`DELETE FROM alert_states WHERE definition_id = $1`, [localId]);
      return rows.length > 0;
    });
    if (!deleted) throw await this.missing(localId, id);
    return true;
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

  private values(input: AlertDefinitionInput): unknown[] {
    validateDefinitionInput(input, this.config.maxRuleRecipients);
    return [
      input.title.trim(),
      input.enabled ?? true,
      input.customerId ? fromGlobalId('Customer', input.customerId) : null,
      input.customerClassId ? fromGlobalId('CustomerClass', input.customerClassId) : null,
      input.accountType ?? null,
      input.area,
      input.operator,
      input.threshold,
      input.resetThreshold ?? null,
      isWindowed(input.area) ? input.samplePeriod : null,
      input.minCalls ?? 1,
      input.penalty ?? null,
      input.repeatInterval ?? null,
      input.emails ?? [],
      input.phones ?? [],
      input.webhookUrls ?? [],
      input.notifyCustomer ?? false,
      input.templateId ? fromGlobalId('NotificationTemplate', input.templateId) : null,
    ];
  }

  /** Runs a write, turning constraint violations into typed errors. */
  private async write<T>(input: AlertDefinitionInput, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const state = sqlState(err);
      const constraint = sqlConstraint(err);
      if (state === '23505' && constraint === 'alert_definitions_title_key') throw conflict(`An alert titled "${input.title.trim()}" already exists`, { field: 'title' });
      if (state === '23503' && constraint && FK_TARGET[constraint]) {
        const [type, field] = FK_TARGET[constraint];
        throw notFound(type, String(input[field]));
      }
      throw err;
    }
  }

  private async missing(localId: string, id: string): Promise<Error> {
    const [row] = await this.db.query<{ builtin: string | null }>(`SELECT builtin FROM alert_definitions WHERE id = $1 AND deleted_at IS NULL`, [localId]);
    return row?.builtin ? badInput(`${id} is a built-in rule: change the customer's own trigger instead`, 'id') : notFound('AlertDefinition', toGlobalId('AlertDefinition', localId));
  }
}

