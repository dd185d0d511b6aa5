import type { AppModule } from '../app-module';
import { NotificationTemplateEntity } from './notification-template.entity';

export const notificationTemplateModule: AppModule = {
  name: 'notification-template',
  resolvers: [],
  entities: [NotificationTemplateEntity],
};
