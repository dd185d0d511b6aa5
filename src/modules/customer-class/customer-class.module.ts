import type { AppModule } from '../app-module';

export const customerClassModule: AppModule = {
  name: 'customer-class',
  resolvers: [],
};
