import type { AppModule } from '../app-module';
import { TrunkEntity } from './trunk.entity';
import { loadTrunk } from './trunk.loader';

export const trunkModule: AppModule = {
  name: 'trunk',
  resolvers: [],
  entities: [TrunkEntity],
  register(services) {
    services.nodes.Trunk = loadTrunk;
  },
};
