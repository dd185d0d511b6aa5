import path from 'node:path';
import { ConfigError, loadConfig } from './config';

const PRODUCTION = { NODE_ENV: 'production', WEBHOOK_SECRET: 'whsec_Y29uZmlnLXRlc3Qtc2VjcmV0' };

describe('loadConfig', () => {
  it('has working defaults for a bare laptop', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('./.lineguard'));
    expect(c.maxCdrBatch).toBe(10_000);
    expect(c.logLevel).toBe('info');
    expect(c.production).toBe(false);
    expect(c.introspectionRoles).toEqual(['ADMIN', 'NOC', 'INGEST', 'CUSTOMER']);
    expect(c.queryLimits).toEqual({ depth: 12, aliases: 30, tokens: 1_000, directives: 50, cost: 5_000_000, fieldRepeats: 20 });
  });

  it('keeps up to 4 idle connections open and closes the rest after a minute, never more than the pool holds', () => {
    expect(loadConfig({})).toMatchObject({ databasePoolSize: 20, databasePoolMin: 4, databasePoolIdleMs: 60_000 });
    expect(loadConfig({ DATABASE_POOL_SIZE: '2' }).databasePoolMin).toBe(2);
    expect(loadConfig({ DATABASE_POOL_SIZE: '8', DATABASE_POOL_MIN: '8', DATABASE_POOL_IDLE_MS: '0' })).toMatchObject({ databasePoolMin: 8, databasePoolIdleMs: 0 });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '8', DATABASE_POOL_MIN: '9' })).toThrow('DATABASE_POOL_MIN must be between 0 and 8');
  });

  it('gives the background jobs a pool of 4 connections of their own, 1 to 100', () => {
    expect(loadConfig({}).databaseJobsPoolSize).toBe(4);
    expect(loadConfig({ DATABASE_JOBS_POOL_SIZE: '1' }).databaseJobsPoolSize).toBe(1);
    expect(() => loadConfig({ DATABASE_JOBS_POOL_SIZE: '0' })).toThrow('DATABASE_JOBS_POOL_SIZE must be between 1 and 100');
  });

  it('lets only ADMIN and NOC keys introspect in production, unless INTROSPECTION_ROLES says otherwise', () => {
    expect(loadConfig(PRODUCTION).introspectionRoles).toEqual(['ADMIN', 'NOC']);
    expect(loadConfig({ ...PRODUCTION, INTROSPECTION_ROLES: 'NONE' }).introspectionRoles).toEqual([]);
    expect(loadConfig({ INTROSPECTION_ROLES: 'ADMIN' }).introspectionRoles).toEqual(['ADMIN']);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_MIN', '21'],
    ['DATABASE_POOL_IDLE_MS', 'forever'],
    ['REDIS_URL', 'http://localhost'],
    ['LOG_LEVEL', 'loud'],
    ['ADMIN_API_KEY', 'short'],
    ['MAX_CDR_BATCH', '0'],
    ['OUTBOUND_ALLOW_CIDRS', 'localhost'],
    ['REDIS_COMMAND_TIMEOUT_MS', '0'],
    ['REDIS_PUBLISH_BUFFER', '-1'],
    ['READY_TIMEOUT_MS', 'soon'],
    ['WS_MAX_SUBSCRIPTIONS_PER_SOCKET', '0'],
    ['HTTP_HEADERS_TIMEOUT_MS', '120000'],
    ['RATE_LIMIT_CDRS_PER_SEC_INGEST', '5000'],
    ['RATE_LIMIT_REQUESTS_PER_SEC_CUSTOMER', '-1'],
    ['MAX_QUERY_DEPTH', '1'],
    ['MAX_QUERY_COST', 'lots'],
    ['MAX_QUERY_TOKENS', '10'],
    ['INTROSPECTION_ROLES', 'ADMIN,ROOT'],
  ])('fails fast naming %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('refuses the built-in webhook secret in production, naming WEBHOOK_SECRET', () => {
    expect(loadConfig({}).production).toBe(false);
    const dev = loadConfig({}).webhookSecret;
    for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', WEBHOOK_SECRET: dev }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow('WEBHOOK_SECRET');
    }
    const prod = loadConfig({ NODE_ENV: 'production', WEBHOOK_SECRET: 'whsec_b3duLXByb2R1Y3Rpb24tc2VjcmV0' });
    expect(prod.production).toBe(true);
    expect(prod.webhookSecret).toBe('whsec_b3duLXByb2R1Y3Rpb24tc2VjcmV0');
  });
});
