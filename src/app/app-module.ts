import type { Services } from './services';

/**
 * A feature module: its GraphQL resolvers, TypeORM entities, and a register step that
 * creates its services on the service graph and wires its hooks, node fetchers and jobs.
 * A module adds its service to `Services` by interface augmentation in its own file:
 *   declare module '../../services' { interface Services { cdrs: CdrService } }
 */
export interface AppModule {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  register?(services: Services): void;
}
