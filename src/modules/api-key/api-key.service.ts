/**
 * API keys: random secrets shown once, stored as SHA-256 hashes. Authentication reads a
 * key once per API_KEY_CACHE_MS per instance (ApiKeyCache), not once per request;
 * revocation is published so every instance drops the key from its cache and closes the
 * key's open subscriptions at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { badInput, notFound } from '../../platform/common/errors';
import { fromGlobalId } from '../../platform/common/global-id';
import { Keyset } from '../../platform/common/keyset';
import type { Database } from '../../platform/db/database';
import { SqlWhere } from '../../platform/db/sql';
import type { Logger } from '../../platform/logger';
import type { EventBus } from '../../platform/pubsub/event-bus';
import type { Principal, RequestContext } from '../../platform/graphql/context';
import { ApiKeyType, CreatedApiKey, KEY_COLUMNS, type ApiKeyRow } from './api-key.type';
import { Role } from '../../platform/graphql/role';
import { preparedSql } from '../../platform/db/prepared-sql';
import { ApiKeyCache } from './api-key-cache';
import { API_KEY_CHANGED, API_KEY_REVOKED } from './api-key.topics';

/** Every request runs it. */
const KEY_BY_SECRET_SQL = preparedSql('api-keys.by-secret', `SELECT id, role, customer_id, last_used_at FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL`);

/** Creation order; a page starts after the key whose id the client passes (not an opaque cursor). */
const BY_CREATION = new Keyset([
  { sql: 'k.created_at', type: 'timestamptz' },
  { sql: 'k.id', type: 'uuid' },
]);

/** How stale last_used_at may get before a request refreshes it (avoids a write per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateSecret(): string {
  return `lg_${randomBytes(32).toString('base64url')}`;
}

export class ApiKeyService {
  private readonly cache: ApiKeyCache;

  /** @param cacheMs API_KEY_CACHE_MS: how long a key read is trusted without news of it (0: read every request). */
  constructor(
    private readonly db: Database,
    private readonly events: EventBus,
    private readonly logger: Logger,
    cacheMs = 0,
  ) {
    this.cache = new ApiKeyCache(cacheMs);
  }

  /** The principal of a secret, or null when unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | null> {
    const hash = hashSecret(secret);
    const held = this.cache.get(hash);
    if (held) {
      if (Date.now() - held.lastUsedAt > LAST_USED_RESOLUTION_MS) {
        held.lastUsedAt = Date.now();
        this.touch(held.principal.apiKeyId!);
      }
      return held.principal;
    }
    const version = this.cache.version;
    const rows = await this.db.query<{ id: string; role: Role; customer_id: string | null; last_used_at: Date | null }>(KEY_BY_SECRET_SQL, [hash]);
    const key = rows[0];
    if (!key) return null;
    let lastUsedAt = key.last_used_at?.getTime() ?? 0;
    if (Date.now() - lastUsedAt > LAST_USED_RESOLUTION_MS) {
      lastUsedAt = Date.now();
      this.touch(key.id);
    }
    const principal = { role: key.role, apiKeyId: key.id, customerId: key.customer_id };
    this.cache.set(hash, principal, lastUsedAt, version);
    return principal;
  }

  /**
   * Whether a key is still valid, read from the database (not the cache): a socket checks it
   * before every new operation, rarely next to HTTP requests, and so refuses a key revoked on
   * another instance even before the notice arrives. A revoked key is dropped from the cache.
   */
  async isActive(apiKeyId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL`, [apiKeyId]);
    if (!rows.length) this.cache.forget(apiKeyId);
    return rows.length > 0;
  }

  /** Drops a key from this instance's cache (on API_KEY_REVOKED / API_KEY_CHANGED from any instance). */
  forget(apiKeyId: string): void {
    this.cache.forget(apiKeyId);
  }

  /** Refreshes last_used_at, at most once a minute per key and instance (no write per request). */
  private touch(apiKeyId: string): void {
    this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [apiKeyId]).catch((err) => this.logger.debug('last_used_at not updated', { err }));
  }

  async create(_ctx: RequestContext, name: string, role: Role, customerId?: string | null): Promise<CreatedApiKey> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw badInput('name must be 1 to 200 characters', 'name');
    if (role === Role.CUSTOMER && !customerId) throw badInput('a CUSTOMER key needs customerId', 'customerId');
    if (role !== Role.CUSTOMER && customerId) throw badInput('only CUSTOMER keys are bound to a customer', 'customerId');
    const customerLocal = customerId ? fromGlobalId('Customer', customerId) : null;
    const secret = generateSecret();
    return this.db.transaction(async (uow) => {
      if (customerLocal) {
        const found = await uow.query(`SELECT 1 FROM customers WHERE id = $1`, [customerLocal]);
        if (!found.length) throw notFound('Customer', customerId!);
      }
      const [row] = await uow.query<ApiKeyRow>(
        `INSERT INTO api_keys AS k (name, role, customer_id, secret_hash) VALUES ($1, $2, $3, $4) RETURNING ${KEY_COLUMNS}`,
        [trimmed, role, customerLocal, hashSecret(secret)],
      );
      return { apiKey: ApiKeyType.from(row), secret };
    });
  }

  async revoke(_ctx: RequestContext, id: string): Promise<boolean> {
    const local = fromGlobalId('ApiKey', id);
    return this.db.transaction(async (uow) => {
      const rows = await uow.query<{ id: string; revoked: boolean }>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`,
        [local],
      );
      if (!rows.length) throw notFound('ApiKey', id);
      uow.afterCommit(() => {
        // This instance forgets at commit; the others on the notice (or within API_KEY_CACHE_MS
        // without Redis). Confirmed: the mutation answers once Redis has handed the notice to
        // every instance's connection.
        this.cache.forget(local);
        return this.events.publish(API_KEY_REVOKED, { apiKeyId: local }, { confirmed: true });
      });
      return true;
    });
  }

  /**
   * Keys in creation order, `limit` at a time after the key `afterId` (a carrier may hold a
   * key per customer portal: thousands). ADMIN and NOC see every key; any other role only
   * the key it holds (keys are operator data).
   */
  async list(ctx: RequestContext, limit: number, afterId?: string | null): Promise<ApiKeyType[]> {
    if (!seesAllKeys(ctx)) {
      const own = ctx.principal.apiKeyId && !afterId ? await this.findById(ctx, ctx.principal.apiKeyId) : null;
      return own && limit > 0 ? [own] : [];
    }
    const where = new SqlWhere();
    // An unknown after key gives an empty page (the subquery is NULL), never every key.
    if (afterId) where.raw(BY_CREATION.after(`(SELECT a.created_at, a.id FROM api_keys a WHERE a.id = ${where.param(fromGlobalId('ApiKey', afterId))})`));
    const rows = await this.db.query<ApiKeyRow>(
      `SELECT ${KEY_COLUMNS} FROM api_keys k WHERE ${where.sql} ORDER BY ${BY_CREATION.orderBy} LIMIT ${where.param(limit)}`,
      where.params,
    );
    return rows.map(ApiKeyType.from);
  }

  async findById(ctx: RequestContext, localId: string): Promise<ApiKeyType | null> {
    if (!seesAllKeys(ctx) && localId !== ctx.principal.apiKeyId) return null;
    const [row] = await this.db.query<ApiKeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys k WHERE k.id = $1`, [localId]);
    return row ? ApiKeyType.from(row) : null;
  }

  /**
   * The name of a key that made a change (LedgerEntry.actor), batched per request; null
   * for callers that do not see every key (key names are operator data).
   */
  async nameOf(ctx: RequestContext, localId: string): Promise<string | null> {
    if (!seesAllKeys(ctx)) return null;
    return ctx
      .loader<string, string | null>('apiKey.name', async (ids) => {
        const rows = await this.db.query<{ id: string; name: string }>(`SELECT id, name FROM api_keys WHERE id = ANY($1::uuid[])`, [[...ids]]);
        const byId = new Map(rows.map((r) => [r.id, r.name]));
        return ids.map((id) => byId.get(id) ?? null);
      })
      .load(localId);
  }

  /** Makes sure an ADMIN key with this secret exists and is active (ADMIN_API_KEY). */
  async ensureAdminKey(secret: string): Promise<void> {
    const [{ id }] = await this.db.query<{ id: string }>(
      `INSERT INTO api_keys (name, role, secret_hash) VALUES ('admin (ADMIN_API_KEY)', 'ADMIN', $1)
       ON CONFLICT (secret_hash) DO UPDATE SET role = 'ADMIN', customer_id = NULL, revoked_at = NULL RETURNING id`,
      [hashSecret(secret)],
    );
    // The key may have had another role (or been revoked) in running instances' caches.
    this.cache.forget(id);
    await this.events.publish(API_KEY_CHANGED, { apiKeyId: id }, { confirmed: true });
  }

  /**
   * On a database with no key at all, creates an ADMIN key and returns its secret so
   * a new user can make the first call. Safe with several instances starting at once.
   */
  async bootstrapFirstKey(): Promise<string | null> {
    return this.db.transaction(async (uow) => {
      await uow.query(`SELECT pg_advisory_xact_lock(hashtext('lineguard.bootstrap-key'))`);
      const [{ n }] = await uow.query<{ n: string }>(`SELECT count(*) AS n FROM api_keys`);
      if (n !== '0') return null;
      const secret = generateSecret();
      await uow.query(`INSERT INTO api_keys (name, role, secret_hash) VALUES ('first admin key', 'ADMIN', $1)`, [hashSecret(secret)]);
      return secret;
    });
  }
}

function seesAllKeys(ctx: RequestContext): boolean {
  return ctx.principal.role === Role.ADMIN || ctx.principal.role === Role.NOC;
}
