import type { AppModule } from '../../app/app-module';
import { CdrSubmission } from './cdr-submission';
import { CdrEntity } from './cdr.entity';
import { CdrResolver } from './cdr.resolver';
import { CdrService } from './cdr.service';

declare module '../../app/services' {
  interface Services {
    cdrs: CdrService;
  }
}

export const cdrModule: AppModule = {
  name: 'cdr',
  resolvers: [CdrResolver],
  entities: [CdrEntity],
  register(services) {
    services.cdrs = new CdrService(new CdrSubmission(services.db, services.hooks, services.balanceLedger, services.config.maxCdrBatch));
    services.nodes.Cdr = (ctx, id) => services.cdrs.findById(ctx, id);
  },
};
