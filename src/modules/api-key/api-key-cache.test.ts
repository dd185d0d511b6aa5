import { Role } from '../../platform/graphql/role';
import { ApiKeyCache } from './api-key-cache';

describe('ApiKeyCache', () => {
  const principal = { role: Role.NOC, apiKeyId: 'k1', customerId: null };
  let now = 1_000;
  const clock = () => now;

  it('holds an active key until its time runs out', () => {
    const cache = new ApiKeyCache(30_000, clock);
    cache.set('h1', principal, 0, cache.version);
    expect(cache.get('h1')?.principal).toEqual(principal);
    now += 29_999;
    expect(cache.get('h1')?.principal).toEqual(principal);
    now += 1;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('drops a key forgotten by id at once', () => {
    const cache = new ApiKeyCache(30_000, clock);
    cache.set('h1', principal, 0, cache.version);
    cache.forget('k1');
    expect(cache.get('h1')).toBeUndefined();
  });

  it('does not store what a lookup read when the key was forgotten while it ran', () => {
    const cache = new ApiKeyCache(30_000, clock);
    const version = cache.version;
    cache.forget('k1');
    cache.set('h1', principal, 0, version);
    expect(cache.get('h1')).toBeUndefined();
  });

  it('holds nothing when the staleness bound is 0', () => {
    const cache = new ApiKeyCache(0, clock);
    cache.set('h1', principal, 0, cache.version);
    expect(cache.get('h1')).toBeUndefined();
  });
});
