import type { AppModule } from '../app-module';

export const notificationTemplateModule: AppModule = {
  name: 'notification-template',
  resolvers: [],
};
