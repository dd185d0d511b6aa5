import type { AppModule } from '../app-module';
import { CustomerClassEntity } from './customer-class.entity';

export const customerClassModule: AppModule = {
  name: 'customer-class',
  resolvers: [],
  entities: [CustomerClassEntity],
};
