import type { Database } from '../../platform/db/database';
import type { RequestContext } from '../../platform/graphql/context';
import { NotificationTemplateType, TEMPLATE_COLUMNS, type NotificationTemplateRow } from './notification-template.type';
import { oneEach } from '../../platform/graphql/batch';

/** Batched template lookups for one request. */
export class NotificationTemplateLoader {
  constructor(private readonly db: Database) {}

  /** By local id. */
  load(ctx: RequestContext, localId: string): Promise<NotificationTemplateType | null> {
    return ctx
      .loader<string, NotificationTemplateType | null>('notificationTemplate.byId', async (ids) => {
        const rows = await this.db.query<NotificationTemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM notification_templates WHERE id = ANY($1::uuid[])`, [ids]);
        return oneEach(ids, rows, (r) => r.id, NotificationTemplateType.from, null);
      })
      .load(localId);
  }
}
