import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { NotificationTemplateType, TEMPLATE_COLUMNS, type NotificationTemplateRow } from './notification-template.type';

/** Batched template lookups for one request. */
export class NotificationTemplateLoader {
  constructor(private readonly db: Database) {}

  /** By local id. */
  load(ctx: RequestContext, localId: string): Promise<NotificationTemplateType | null> {
    return ctx
      .loader<string, NotificationTemplateType | null>('notificationTemplate.byId', async (ids) => {
        const rows = await this.db.query<NotificationTemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM notification_templates WHERE id = ANY($1::uuid[])`, [ids]);
        const byId = new Map(rows.map((r) => [r.id, NotificationTemplateType.from(r)]));
        return ids.map((id) => byId.get(id) ?? null);
      })
      .load(localId);
  }
}
