import { conflict, notFound } from '../../platform/common/errors';
import { withConstraintErrors } from '../../platform/common/constraint-errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { MAX_PAGE_SIZE } from '../../platform/common/pagination';
import type { Config } from '../../platform/config';
import type { Database } from '../../platform/db/database';
import { ensureRoomFor } from '../../platform/db/row-cap';
import type { RequestContext } from '../../platform/graphql/context';
import { NotificationTemplateEntity } from './notification-template.entity';
import type { NotificationTemplateInput } from './notification-template.inputs';
import { NotificationTemplateType } from './notification-template.type';
import { templateRules, validateTemplateInput, type TemplateRules } from './template-validation';

const UNIQUE = { notification_templates_name_key: () => conflict('A notification template with this name already exists') };

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
    const rows = await this.db.dataSource.getRepository(NotificationTemplateEntity).find({ order: { name: 'ASC', id: 'ASC' }, take: MAX_NOTIFICATION_TEMPLATES });
    return rows.map(NotificationTemplateType.from);
  }

  async create(_ctx: RequestContext, input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    const valid = validateTemplateInput(input, this.rules);
    const id = await this.db.transaction(async (uow) => {
      await ensureRoomFor(uow, 'notification_templates', MAX_NOTIFICATION_TEMPLATES, 'notification templates');
      const [row] = await withConstraintErrors(
        () => uow.query<{ id: string }>(`INSERT INTO notification_templates (name, messages) VALUES ($1, $2::jsonb) RETURNING id`, [valid.name, JSON.stringify(valid.messages)]),
        UNIQUE,
      );
      return row.id;
    });
    return this.get(id);
  }

  async update(_ctx: RequestContext, id: string, input: NotificationTemplateInput): Promise<NotificationTemplateType> {
    const local = fromGlobalId('NotificationTemplate', id);
    const valid = validateTemplateInput(input, this.rules);
    const rows = await withConstraintErrors(
      () =>
        this.db.query<{ id: string }>(
          `UPDATE notification_templates SET name = $2, messages = $3::jsonb, updated_at = now() WHERE id = $1 RETURNING id`,
          [local, valid.name, JSON.stringify(valid.messages)],
        ),
      UNIQUE,
    );
    if (!rows.length) throw notFound('NotificationTemplate', id);
    return this.get(local);
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

  private async get(localId: string): Promise<NotificationTemplateType> {
    return NotificationTemplateType.from(await this.db.dataSource.getRepository(NotificationTemplateEntity).findOneByOrFail({ id: localId }));
  }
}
