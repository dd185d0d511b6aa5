import type { AppModule } from '../app-module';
import { HostEntity } from './host.entity';
import { loadHost } from './host.loader';

export const hostModule: AppModule = {
  name: 'host',
  resolvers: [],
  entities: [HostEntity],
  register(services) {
    services.nodes.Host = loadHost;
  },
};
