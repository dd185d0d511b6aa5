/**
 * Per-request (or per-subscription) context: who is calling, a request id for logs,
 * and DataLoaders that batch nested lookups for this request only.
 */
import DataLoader from 'dataloader';
import type { Logger } from '../logger';
import { Role } from './role';

export interface Principal {
  role: Role;
  /** Local id of the API key, null for internal (system) work. */
  apiKeyId: string | null;
  /** Local id of the customer a CUSTOMER key is bound to. */
  customerId: string | null;
}

export class RequestContext {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  constructor(
    readonly requestId: string,
    readonly principal: Principal,
    readonly logger: Logger,
  ) {}

  /**
   * A DataLoader created once per request under `name`. Batches are never split: every
   * batch function sends its keys as one array parameter (`= ANY($1)` or `unnest($1)`), so
   * one statement serves any number of keys, and a level of a nested list (500 customers'
   * trunks, their hosts) costs one statement whatever the page size. What one request may
   * ask for is bounded before execution by the query cost (MAX_QUERY_COST, query-limits.ts).
   */
  loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V> {
    let l = this.loaders.get(name) as DataLoader<K, V> | undefined;
    if (!l) {
      l = new DataLoader<K, V>(batch, { maxBatchSize: Infinity });
      this.loaders.set(name, l as DataLoader<unknown, unknown>);
    }
    return l;
  }

  /**
   * Forgets every cached load. A subscription keeps one context for its lifetime, so its
   * executor (windowed-subscribe.ts) calls this per window of events: nested fields then
   * read the rows as they are now, not as they were at the first event.
   */
  resetLoaders(): void {
    this.loaders.clear();
  }

  /** For CUSTOMER keys, the only customer whose data they may see; undefined otherwise. */
  get customerScope(): string | undefined {
    return this.principal.role === Role.CUSTOMER ? (this.principal.customerId ?? undefined) : undefined;
  }

  /** Whether this caller may see data of the given customer (local id). */
  canSeeCustomer(customerId: string): boolean {
    const scope = this.customerScope;
    return scope === undefined || scope === customerId;
  }
}
