import { conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { ensureRoomFor } from '../../platform/db/row-cap';
import { SqlParams, type ColumnCasts, type ColumnValues } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import type { NotificationTemplateInput } from './notification-template.inputs';
import { NotificationTemplateType, TEMPLATE_COLUMNS, type NotificationTemplateRow } from './notification-template.type';
import { templateRules, validateTemplateInput, type TemplateRules } from './template-validation';

const UNIQUE = { notification_templates_name_key: () => conflict('A notification template with this name already exists') };

// The messages go as JSON text: node-postgres would send a JS array as a Postgres array.
const CASTS: ColumnCasts = { messages: 'jsonb' };

/** How many templates can exist: notificationTemplates lists them all, unpaged. */
export const MAX_NOTIFICATION_TEMPLATES = MAX_PAGE_SIZE;

/** Stores and validates notification templates; rendering and delivery belong to notifications. */
export class NotificationTemplateService {
  private readonly rules: TemplateRules;

  constructor(
    private readonly db: Database,
    config: Config,
  ) {
    this.rules = templateRules(config);
  }

  async list(_ctx: RequestContext): Promise<NotificationTemplateType[]> {
    // Whole: at most MAX_NOTIFICATION_TEMPLATES exist (ensureRoomFor at creation).
    const rows = await this.db.query<NotificationTemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM notification_templates ORDER BY name, id LIMIT $1`, [
      MAX_NOTIFICATION_TEMPLATES,
    ]);
    return rows.map(NotificationTemplateType.from);
  }

  async create(_ctx: RequestContext, input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    const values = this.values(input);
    return this.db.transaction(async (uow) => {
      await ensureRoomFor(uow, 'notification_templates', MAX_NOTIFICATION_TEMPLATES, 'notification templates');
      const q = new SqlParams();
      const [row] = await withConstraintErrors(
        () => uow.query<NotificationTemplateRow>(`INSERT INTO notification_templates ${q.insertValues(values, CASTS)} RETURNING ${TEMPLATE_COLUMNS}`, q.params),
        UNIQUE,
      );
      return NotificationTemplateType.from(row);
    });
  }

  async update(_ctx: RequestContext, id: string, input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    const local = fromGlobalId('NotificationTemplate', id);
    const values = this.values(input);
    const q = new SqlParams();
    const rows = await withConstraintErrors(
      () =>
        this.db.query<NotificationTemplateRow>(
          `UPDATE notification_templates SET ${q.assignments(values, ['updated_at = now()'], CASTS)} WHERE id = ${q.param(local)} RETURNING ${TEMPLATE_COLUMNS}`,
          q.params,
        ),
      UNIQUE,
    );
    if (!rows.length) throw notFound('NotificationTemplate', id);
    return NotificationTemplateType.from(rows[0]);
  }

  /** A template a class still uses is a CONFLICT (the class would silently lose its messages). */
  async delete(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('NotificationTemplate', id);
    return this.db.transaction(async (uow) => {
      const [row] = await uow.query<{ found: boolean; classes: string[] }>(
        `SELECT EXISTS (SELECT 1 FROM notification_templates WHERE id = $1 FOR UPDATE) AS found,
                ARRAY(SELECT name FROM customer_classes WHERE notification_template_id = $1 ORDER BY name LIMIT 5) AS classes`,
        [local],
      );
      if (!row.found) throw notFound('NotificationTemplate', id);
      if (row.classes.length) throw conflict(`The template is used by customer classes (${row.classes.join(', ')}); assign them another template first`);
      await uow.query(`DELETE FROM notification_templates WHERE id = $1`, [local]);
      return true;
    });
  }

  private values(input: NotificationTemplateInput): ColumnValues {
    const valid = validateTemplateInput(input, this.rules);
    return { name: valid.name, messages: JSON.stringify(valid.messages) };
  }
}
