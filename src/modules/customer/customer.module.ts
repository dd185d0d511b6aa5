import type { AppModule } from '../app-module';
import { CustomerEntity } from './customer.entity';
import { loadCustomer } from './customer.loader';

export const customerModule: AppModule = {
  name: 'customer',
  resolvers: [],
  entities: [CustomerEntity],
  register(services) {
    services.nodes.Customer = loadCustomer;
  },
};
