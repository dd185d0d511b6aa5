/**
 * Authenticated keys held in process, so a request needs no statement to know its caller.
 *
 * Staleness is bounded twice: a revocation (or a change of a key's role) drops the entry
 * on every instance at once, through API_KEY_REVOKED / API_KEY_CHANGED on the pub/sub;
 * and every entry expires after API_KEY_CACHE_MS (30 s by default) whatever happens, which
 * is the bound when Redis is down and a notice is lost. Only keys found active are held:
 * an unknown secret is looked up every time (so a key created on another instance works at
 * once). A lookup that started before an invalidation does not store what it read, so a
 * revoked key cannot be put back by a request that raced its revocation.
 */
import type { Principal } from '../../platform/graphql/context';

/** Most keys held; past it the oldest entry goes (a carrier holds thousands of keys at most). */
const MAX_ENTRIES = 10_000;

export interface CachedKey {
  principal: Principal;
  expiresAt: number;
  /** When this instance last wrote the key's last_used_at (or read it), ms. */
  lastUsedAt: number;
}

export class ApiKeyCache {
  private readonly bySecretHash = new Map<string, CachedKey>();
  /** Each key's secret hash, so an invalidation by key id finds its entry. */
  private readonly hashByKeyId = new Map<string, string>();
  /** Bumped by every invalidation: a lookup started under an older value stores nothing. */
  private generation = 0;

  /** @param ttlMs how long an entry is trusted without hearing of the key (0: no cache). */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(secretHash: string): CachedKey | undefined {
    const entry = this.bySecretHash.get(secretHash);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.drop(secretHash);
    return undefined;
  }

  /** The value to pass to set() for a lookup starting now. */
  get version(): number {
    return this.generation;
  }

  /** Holds an active key read by a lookup that started at `version`. */
  set(secretHash: string, principal: Principal, lastUsedAt: number, version: number): void {
    if (this.ttlMs === 0 || version !== this.generation || principal.apiKeyId === null) return;
    this.drop(secretHash);
    if (this.bySecretHash.size >= MAX_ENTRIES) this.drop(this.bySecretHash.keys().next().value!);
    this.bySecretHash.set(secretHash, { principal, expiresAt: this.now() + this.ttlMs, lastUsedAt });
    this.hashByKeyId.set(principal.apiKeyId, secretHash);
  }

  /** Forgets a key (revoked, or its role changed): its next request reads the database. */
  forget(apiKeyId: string): void {
    this.generation++;
    const hash = this.hashByKeyId.get(apiKeyId);
    if (hash !== undefined) this.drop(hash);
  }

  private drop(secretHash: string): void {
    const entry = this.bySecretHash.get(secretHash);
    if (!entry) return;
    this.bySecretHash.delete(secretHash);
    if (entry.principal.apiKeyId !== null) this.hashByKeyId.delete(entry.principal.apiKeyId);
  }
}
