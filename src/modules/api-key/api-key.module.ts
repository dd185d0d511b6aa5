import type { AppModule } from '../../app/app-module';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyResolver, PrincipalResolver } from './api-key.resolver';

export const apiKeyModule: AppModule = {
  name: 'api-key',
  resolvers: [ApiKeyResolver, PrincipalResolver],
  entities: [ApiKeyEntity],
  register(services) {
    services.nodes.ApiKey = (ctx, id) => services.apiKeys.findById(ctx, id);
  },
};
