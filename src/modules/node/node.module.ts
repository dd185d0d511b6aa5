import type { AppModule } from '../../app/app-module';
import { NodeResolver } from './node.resolver';

export const nodeModule: AppModule = {
  name: 'node',
  resolvers: [NodeResolver],
};
