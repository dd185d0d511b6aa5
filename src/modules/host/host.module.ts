import type { AppModule } from '../../app/app-module';
import { HostQueryService } from './host-query.service';
import { loadHost } from './host.loader';
import { HostResolver } from './host.resolver';
import { HostService } from './host.service';

declare module '../../app/services' {
  interface Services {
    hosts: HostService;
    hostQueries: HostQueryService;
  }
}

export const hostModule: AppModule = {
  name: 'host',
  resolvers: [HostResolver],
  register(services) {
    services.hosts = new HostService(services.db, services.hooks);
    services.hostQueries = new HostQueryService(services.db);
    services.nodes.Host = loadHost;
  },
};
