import { conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { ensureRoomFor } from '../../platform/db/row-cap';
import { SqlParams, type ColumnCasts, type ColumnValues } from '../../platform/db/sql';
import type { RequestContext } from '../../platform/graphql/context';
import type { NotificationKind } from './notification-kind';
import type { NotificationMessageInput, NotificationTemplateInput } from './notification-template.inputs';
import { NotificationTemplateType, TEMPLATE_COLUMNS, type NotificationTemplateRow, type StoredMessage } from './notification-template.type';
import { templateRules, validateMessage, validateTemplateInput, type TemplateRules } from './template-validation';

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

  /** Replaces the name and every message: a kind left out of input.messages has no message any more (setMessage edits one kind). */
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

  /** Adds or replaces the message of input.kind (in its place), leaving the template's other messages as they are. */
  async setMessage(_ctx: RequestContext, templateId: string, input: NotificationMessageInput): Promise<NotificationTemplateType> {
    const message = validateMessage(input, this.rules);
    return this.editMessages(templateId, (messages) => {
      const at = messages.findIndex((m) => m.kind === message.kind);
      return at < 0 ? [...messages, message] : messages.map((m, i) => (i === at ? message : m));
    });
  }

  /** Removes the message of that kind; a template without one is returned unchanged. */
  async removeMessage(_ctx: RequestContext, templateId: string, kind: NotificationKind): Promise<NotificationTemplateType> {
    return this.editMessages(templateId, (messages) => (messages.some((m) => m.kind === kind) ? messages.filter((m) => m.kind !== kind) : null));
  }

  /**
   * Reads the messages under a row lock and writes what `edit` makes of them (null: no
   * change), so two edits of different kinds at once both stay.
   */
  private editMessages(templateId: string, edit: (messages: StoredMessage[]) => StoredMessage[] | null): Promise<NotificationTemplateType> {
    const local = fromGlobalId('NotificationTemplate', templateId);
    return this.db.transaction(async (uow) => {
      const [row] = await uow.query<NotificationTemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM notification_templates WHERE id = $1 FOR UPDATE`, [local]);
      if (!row) throw notFound('NotificationTemplate', templateId);
      const messages = edit(row.messages);
      if (messages === null) return NotificationTemplateType.from(row);
      const [updated] = await uow.query<NotificationTemplateRow>(
        `UPDATE notification_templates SET messages = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
        [local, JSON.stringify(messages)],
      );
      return NotificationTemplateType.from(updated);
    });
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
