import type { AppModule } from '../../app/app-module';
import { Role } from '../../platform/graphql/role';
import { NotificationTemplateEntity } from './notification-template.entity';
import { loadNotificationTemplate } from './notification-template.loader';
import { NotificationTemplateResolver } from './notification-template.resolver';
import { NotificationTemplateService } from './notification-template.service';

declare module '../../app/services' {
  interface Services {
    notificationTemplates: NotificationTemplateService;
  }
}

export const notificationTemplateModule: AppModule = {
  name: 'notification-template',
  resolvers: [NotificationTemplateResolver],
  entities: [NotificationTemplateEntity],
  register(services) {
    services.notificationTemplates = new NotificationTemplateService(services.db, services.config);
    // Templates are account configuration: CUSTOMER keys see them only through their own class.
    services.nodes.NotificationTemplate = (ctx, id) => (ctx.principal.role === Role.CUSTOMER ? Promise.resolve(null) : loadNotificationTemplate(ctx, id));
  },
};
