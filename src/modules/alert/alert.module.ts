import type { AppModule } from '../app-module';

export const alertModule: AppModule = {
  name: 'alert',
  resolvers: [],
};
