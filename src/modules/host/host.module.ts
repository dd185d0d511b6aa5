import type { AppModule } from '../app-module';

export const hostModule: AppModule = {
  name: 'host',
  resolvers: [],
};
