import type { AppModule } from '../app-module';

export const notificationModule: AppModule = {
  name: 'notification',
  resolvers: [],
};
