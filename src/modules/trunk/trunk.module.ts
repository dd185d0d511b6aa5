import type { AppModule } from '../../app/app-module';
import { TrunkEntity } from './trunk.entity';
import { loadTrunk } from './trunk.loader';
import { TrunkResolver } from './trunk.resolver';
import { TrunkService } from './trunk.service';

declare module '../../app/services' {
  interface Services {
    trunks: TrunkService;
  }
}

export const trunkModule: AppModule = {
  name: 'trunk',
  resolvers: [TrunkResolver],
  entities: [TrunkEntity],
  register(services) {
    services.trunks = new TrunkService(services.db, services.hooks);
    services.nodes.Trunk = loadTrunk;
  },
};
