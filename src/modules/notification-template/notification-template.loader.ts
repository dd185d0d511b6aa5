import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/context';
import { NotificationTemplateEntity } from './notification-template.entity';
import { NotificationTemplateType } from './notification-template.type';

/** Batched template lookup by local id for this request. */
export function loadNotificationTemplate(ctx: RequestContext, localId: string): Promise<NotificationTemplateType | null> {
  return ctx
    .loader<string, NotificationTemplateType | null>('notificationTemplate.byId', async (ids) => {
      const rows = await ctx.services.db.dataSource.getRepository(NotificationTemplateEntity).findBy({ id: In([...ids]) });
      const byId = new Map(rows.map((r) => [r.id, NotificationTemplateType.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    })
    .load(localId);
}
