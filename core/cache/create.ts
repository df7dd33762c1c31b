import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';
import type { Cache } from './types.js';

export type { Cache, Unsubscribe } from './types.js';
export { createMemoryCache } from './memory-cache.js';
export { createRedisCache, type RedisCache } from './redis-cache.js';

/** Redis when `redis.url` is configured (any number of nodes), the in-process cache otherwise (one node). */
export function createCache(options: { url?: string | undefined; keyPrefix: string }): Cache {
  return options.url
    ? createRedisCache({ url: options.url, keyPrefix: options.keyPrefix })
    : createMemoryCache();
}
