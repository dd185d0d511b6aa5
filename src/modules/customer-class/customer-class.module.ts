import type { AppModule } from '../../app/app-module';
import { Role } from '../../platform/graphql/role';
import { CustomerClassEntity } from './customer-class.entity';
import { loadCustomerClass } from './customer-class.loader';
import { CustomerClassResolver } from './customer-class.resolver';
import { CustomerClassService } from './customer-class.service';

declare module '../../app/services' {
  interface Services {
    customerClasses: CustomerClassService;
  }
}

export const customerClassModule: AppModule = {
  name: 'customer-class',
  resolvers: [CustomerClassResolver],
  entities: [CustomerClassEntity],
  register(services) {
    services.customerClasses = new CustomerClassService(services.db);
    services.nodes.CustomerClass = (ctx, id) => (ctx.principal.role === Role.CUSTOMER ? Promise.resolve(null) : loadCustomerClass(ctx, id));
  },
};
