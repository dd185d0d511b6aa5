import type { AppModule } from '../app-module';

export const cdrModule: AppModule = {
  name: 'cdr',
  resolvers: [],
};
