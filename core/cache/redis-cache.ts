import type { Redis } from 'ioredis';
import { channelNamespace } from '../../schemas/redis-namespace.js';
import { closeRedis, connectRedis, connectSubscriber, CONNECT_TIMEOUT_MS } from './redis-connection.js';
import type { Cache, Unsubscribe } from './types.js';

/**
 * The multi-node Cache on Redis (ioredis). Every key carries the configured prefix, and every pub/sub channel the
 * deployment's namespace (prefix and database: pub/sub ignores the database), so several deployments can share
 * one Redis server. Subscriptions use a second connection (a subscribed connection can do nothing else), opened
 * on first use, with one Redis SUBSCRIBE per channel however many local handlers listen. `client` and
 * `keyPrefix` are exposed for the rate limiter, which drives Redis through its own library.
 */
export type RedisCache = Cache & { readonly client: Redis; readonly keyPrefix: string };

export interface RedisCacheOptions {
  url: string;
  keyPrefix: string;
}

// The TTL belongs to the counter's creation (a fixed window starts with its first hit); later calls must not
// move it, and EXISTS + INCRBY + PEXPIRE must be one step so two nodes cannot both "create" the counter.
const INCR_WITH_TTL = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value`;

// Below the /ready probe's own 2s limit, so a hung Redis is reported by the cache rather than the probe.
const PING_TIMEOUT_MS = 1500;

interface Subscription {
  handler: (message: string) => void;
}

interface Topic {
  subscriptions: Set<Subscription>;
  /** The Redis SUBSCRIBE for this channel; every local subscriber waits for it, so all see it fail. */
  subscribed: Promise<unknown>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function serialise(key: string, value: unknown): string {
  const raw = JSON.stringify(value) as string | undefined;
  if (raw === undefined) throw new TypeError(`Cache value for "${key}" is not JSON-serialisable.`);
  return raw;
}

/** Resolves on the first connection, or after the connect timeout: the one wait a fresh process accepts. */
function firstConnection(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS).unref();
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function createRedisCache(options: RedisCacheOptions): RedisCache {
  // First: ambiguous settings are refused before any connection is opened.
  const namespace = channelNamespace(options.url, options.keyPrefix);
  const c = (channel: string) => `${namespace}${channel}`;
  const client = connectRedis(options.url, { offlineQueue: false });
  // Commands issued while the process is still connecting wait for that connection instead of failing.
  const started = firstConnection(client);
  const prefix = options.keyPrefix;
  const k = (key: string) => `${prefix}${key}`;

  let subscriber: Redis | undefined;
  const topics = new Map<string, Topic>();
  const gapHandlers: (() => void)[] = [];

  const getSubscriber = (): Redis => {
    if (subscriber) return subscriber;
    // What was published while the connection was away is gone: the bus had a gap.
    subscriber = connectSubscriber(options.url, () => {
      for (const handler of gapHandlers) handler();
    });
    subscriber.on('message', (channel: string, message: string) => {
      // A snapshot, so handlers that (un)subscribe while being called do not change this delivery.
      for (const { handler } of [...(topics.get(channel)?.subscriptions ?? [])]) handler(message);
    });
    return subscriber;
  };

  const openTopic = (channel: string): Topic => {
    const topic: Topic = { subscriptions: new Set(), subscribed: getSubscriber().subscribe(channel) };
    // A failed SUBSCRIBE must not leave a topic that later subscribers would take as live.
    topic.subscribed.catch(() => {
      if (topics.get(channel) === topic) topics.delete(channel);
    });
    topics.set(channel, topic);
    return topic;
  };

  return {
    kind: 'redis',
    client,
    keyPrefix: prefix,
    async get<T>(key: string) {
      await started;
      const raw = await client.get(k(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlMs) {
      await started;
      const raw = serialise(key, value);
      if (ttlMs !== undefined && ttlMs > 0) await client.set(k(key), raw, 'PX', Math.ceil(ttlMs));
      else await client.set(k(key), raw);
    },
    async delete(...keys) {
      await started;
      return keys.length === 0 ? 0 : client.del(...keys.map(k));
    },
    async incr(key, by = 1, ttlMs) {
      await started;
      return Number(await client.eval(INCR_WITH_TTL, 1, k(key), by, Math.ceil(ttlMs ?? 0)));
    },
    async ttl(key) {
      await started;
      return client.pttl(k(key));
    },
    async publish(channel, message) {
      await started;
      await client.publish(c(channel), message);
    },
    async subscribe(channel, handler): Promise<Unsubscribe> {
      const full = c(channel);
      const topic = topics.get(full) ?? openTopic(full);
      // Registered before waiting, so an unsubscribe elsewhere meanwhile cannot see the topic as unused.
      const subscription: Subscription = { handler };
      topic.subscriptions.add(subscription);
      try {
        await topic.subscribed;
      } catch (err) {
        topic.subscriptions.delete(subscription);
        throw err;
      }
      return async () => {
        if (!topic.subscriptions.delete(subscription) || topic.subscriptions.size > 0) return;
        topics.delete(full);
        // Local delivery has already stopped, which is all the caller asked for; if Redis is unreachable the
        // orphaned subscription only brings messages nobody handles, and ends with the connection.
        await subscriber?.unsubscribe(full).catch(() => undefined);
      };
    },
    onBusGap(handler) {
      gapHandlers.push(handler);
    },
    async ping() {
      // maxRetriesPerRequest bounds a refused connection, but not a Redis that accepts and never answers.
      await withTimeout(
        started.then(() => client.ping()),
        PING_TIMEOUT_MS,
        `Redis did not answer PING within ${PING_TIMEOUT_MS}ms.`,
      );
    },
    async close() {
      topics.clear();
      gapHandlers.length = 0;
      await closeRedis(client, subscriber);
    },
  };
}
