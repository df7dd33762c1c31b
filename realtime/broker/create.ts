import type { Config } from '../../schemas/config.js';
import type { Broker, HistoryLimits } from './broker.js';
import { createMemoryBroker } from './memory-broker.js';
import { createRedisBroker } from './redis-broker.js';

export type { Broker, Position, StoredPublication } from './broker.js';

export const historyLimits = (realtime: Config['realtime']): HistoryLimits => ({
  size: realtime.history_size,
  ttlMs: realtime.history_ttl_seconds * 1000,
  metaTtlMs: realtime.meta_ttl_seconds * 1000,
});

/** Redis when `redis.url` is configured (any number of nodes), in-process otherwise (one node). */
export function createBroker(config: Config, onError: (err: unknown) => void): Broker {
  const limits = historyLimits(config.realtime);
  return config.redis.url
    ? createRedisBroker({ url: config.redis.url, keyPrefix: config.redis.key_prefix, onError, ...limits })
    : createMemoryBroker(limits);
}
