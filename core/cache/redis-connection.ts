import { Redis } from 'ioredis';

/** How long a fresh process waits for its first Redis connection before commands may fail. */
export const CONNECT_TIMEOUT_MS = 3000;

/** An ioredis connection with Heimdall's timeouts and retry policy (the cache, the broker, the OIDC store). */
export function connectRedis(
  url: string,
  options: { offlineQueue: boolean; autoPipelining?: boolean },
): Redis {
  const redis = new Redis(url, {
    enableAutoPipelining: options.autoPipelining ?? false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Without a queue, a command while Redis is away fails at once (the rate limiter then counts per node)
    // rather than holding the request for the reconnection attempts.
    enableOfflineQueue: options.offlineQueue,
    // Commands wait through two reconnection attempts, then fail, instead of queueing until Redis returns.
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    // ioredis waits this long for a socket that is already gone when closed while reconnecting (default 2s).
    disconnectTimeout: 100,
  });
  // Connection errors surface through failed commands, ping (/ready) and the reconnect hooks; they must not crash.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * A connection for SUBSCRIBE (a subscribed connection can do nothing else). SUBSCRIBE may wait for a
 * connection, so it queues while Redis is away. ioredis resubscribes after a reconnect, but what was published
 * meanwhile is gone: `onReconnect` runs on every reconnection after the first connection, to make up for it.
 */
export function connectSubscriber(url: string, onReconnect: () => void): Redis {
  const subscriber = connectRedis(url, { offlineQueue: true });
  let connectedBefore = false;
  subscriber.on('ready', () => {
    if (connectedBefore) onReconnect();
    connectedBefore = true;
  });
  return subscriber;
}

/** Closes connections: QUIT when connected; otherwise (QUIT would wait in the offline queue) drops the socket. */
export async function closeRedis(...connections: (Redis | undefined)[]): Promise<void> {
  await Promise.all(
    connections.map(async (c) => {
      if (c?.status === 'ready') await c.quit().catch(() => c.disconnect());
      else c?.disconnect();
    }),
  );
}
