import { describe, expect, it } from '@jest/globals';
import { createMemoryCache } from '../cache/memory-cache.js';
import type { Cache } from '../cache/types.js';
import { createAuthCache } from './auth-cache.js';
import { ANONYMOUS, type AuthContextData } from './context.js';

const keyData = (keyId: string, userId: string | null): AuthContextData => ({
  ...ANONYMOUS,
  user: userId ? { id: userId, username: 'u' } : null,
  apiKey: { id: keyId, name: 'k', prefix: 'hm_x', userId, isSystem: false, expiresAt: null },
});

describe('auth cache', () => {
  it('drops entries by key, by user, or all, and on every node sharing the bus', async () => {
    const bus = createMemoryCache();
    const a = createAuthCache({ bus, ttlMs: 60_000 });
    const b = createAuthCache({ bus, ttlMs: 60_000 });
    await a.start();
    await b.start();
    for (const c of [a, b]) {
      c.set('h1', keyData('k1', 'u1'), c.generation());
      c.set('h2', keyData('k2', 'u2'), c.generation());
      c.set('h3', keyData('k3', null), c.generation());
    }
    await a.invalidate({ type: 'key', keyId: 'k1' });
    await new Promise((r) => setTimeout(r, 5));
    expect([a.get('h1'), b.get('h1')]).toEqual([undefined, undefined]);
    expect(b.get('h2')).toBeDefined();
    await b.invalidate({ type: 'user', userId: 'u2' });
    await new Promise((r) => setTimeout(r, 5));
    expect([a.get('h2'), a.get('h3')]).toEqual([undefined, expect.anything()]);
    await a.invalidate({ type: 'all' });
    await new Promise((r) => setTimeout(r, 5));
    expect(b.get('h3')).toBeUndefined();
    await Promise.all([a.stop(), b.stop(), bus.close()]);
  });

  it('does not store what was loaded before an invalidation (no stale write-back)', async () => {
    const bus = createMemoryCache();
    const cache = createAuthCache({ bus, ttlMs: 60_000 });
    await cache.start();
    const loadedAt = cache.generation();
    await cache.invalidate({ type: 'key', keyId: 'other' });
    cache.set('h', keyData('k', null), loadedAt);
    expect(cache.get('h')).toBeUndefined();
    await cache.stop();
    await bus.close();
  });

  it('expires entries after the TTL', async () => {
    const bus = createMemoryCache();
    const cache = createAuthCache({ bus, ttlMs: 30 });
    await cache.start();
    cache.set('h', keyData('k', null), cache.generation());
    expect(cache.get('h')).toBeDefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(cache.get('h')).toBeUndefined();
    await cache.stop();
    await bus.close();
  });

  it('caches nothing until it hears invalidations, and flushes after a bus gap', async () => {
    const memory = createMemoryCache();
    let failures = 1;
    let gap: () => void = () => undefined;
    const flaky: Cache = {
      ...memory,
      subscribe: async (channel, handler) => {
        if (failures-- > 0) throw new Error('redis down');
        return memory.subscribe(channel, handler);
      },
      publish: async () => {
        throw new Error('redis down');
      },
      onBusGap: (handler) => {
        gap = handler;
      },
    };
    const errors: unknown[] = [];
    const cache = createAuthCache({ bus: flaky, ttlMs: 60_000, onError: (e) => errors.push(e) });
    await cache.start();
    cache.set('h', keyData('k', null), cache.generation());
    expect(cache.get('h')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100)); // the retry subscribes
    cache.set('h', keyData('k', null), cache.generation());
    expect(cache.get('h')).toBeDefined();
    gap();
    expect(cache.get('h')).toBeUndefined();
    await expect(cache.invalidate({ type: 'all' })).resolves.toBeUndefined();
    expect(errors).toHaveLength(2);
    await cache.stop();
    await memory.close();
  });
});
