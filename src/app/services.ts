/**
 * The service graph, built once by the composition root and reached by resolvers
 * through the request context (resolvers stay thin and stateless). Modules wire their
 * in-transaction reactions to each other through `hooks`, never by importing each other.
 */
import type { Config } from '../platform/config';
import type { NodeType } from '../platform/common/global-id';
import type { Database } from '../platform/db/database';
import type { Logger } from '../platform/logger';
import type { EventBus } from '../platform/pubsub/event-bus';
import type { RequestContext } from '../platform/graphql/context';
import type { PeriodicJob } from '../platform/jobs';
import { ApiKeyService } from '../modules/api-key/api-key.service';
import { BalanceLedger } from '../modules/balance/balance-ledger';
import { DomainHooks } from '../modules/domain-hooks';
import { MODULES } from './modules';

export type NodeFetcher = (ctx: RequestContext, localId: string) => Promise<unknown | null>;

export interface Infrastructure {
  config: Config;
  logger: Logger;
  db: Database;
  events: EventBus;
}

/** Modules add their own services here by interface augmentation (see AppModule). */
export interface Services extends Infrastructure {
  hooks: DomainHooks;
  balanceLedger: BalanceLedger;
  apiKeys: ApiKeyService;
  /** How node(id) loads each type, by the prefix of the id. */
  nodes: Partial<Record<NodeType, NodeFetcher>>;
  /** Periodic background jobs (schedulers, outbox). */
  jobs: PeriodicJob[];
}

export function createServices(infra: Infrastructure): Services {
  const hooks = new DomainHooks();
  const apiKeys = new ApiKeyService(infra.db, infra.events, infra.logger);
  // Module services (added to Services by augmentation) are assigned by each module's register().
  const core: Pick<Services, keyof Infrastructure | 'hooks' | 'balanceLedger' | 'apiKeys' | 'nodes' | 'jobs'> = {
    ...infra,
    hooks,
    balanceLedger: new BalanceLedger(hooks, infra.events),
    apiKeys,
    nodes: {},
    jobs: [],
  };
  const services = core as Services;
  for (const module of MODULES) module.register?.(services);
  return services;
}
