import type { AppModule } from '../../app/app-module';
import { CustomerBalanceResolver } from './customer-balance.resolver';
import { CustomerBalanceService } from './customer-balance.service';
import { CustomerEventsService } from './customer-events.service';
import { CustomerFieldsResolver } from './customer-fields.resolver';
import { CustomerQueryService } from './customer-query.service';
import { CustomerEntity } from './customer.entity';
import { loadCustomer } from './customer.loader';
import { CustomerResolver } from './customer.resolver';
import { CustomerService } from './customer.service';

declare module '../../app/services' {
  interface Services {
    customers: CustomerService;
    customerQueries: CustomerQueryService;
    customerBalances: CustomerBalanceService;
    customerEvents: CustomerEventsService;
  }
}

export const customerModule: AppModule = {
  name: 'customer',
  resolvers: [CustomerResolver, CustomerFieldsResolver, CustomerBalanceResolver],
  entities: [CustomerEntity],
  register(services) {
    services.customers = new CustomerService(services.db, services.balanceLedger, services.events);
    services.customerQueries = new CustomerQueryService(services.db);
    services.customerBalances = new CustomerBalanceService(services.db, services.balanceLedger);
    services.customerEvents = new CustomerEventsService(services.events);
    services.nodes.Customer = loadCustomer;
  },
};
