import { EventEmitter } from 'node:events';
import type { Cache, Unsubscribe } from './types.js';

/**
 * The single-node Cache: a Map with TTLs and an in-process emitter for pub/sub. It mirrors what the Redis
 * implementation does (serialised values, PTTL answers, integer-only counters, asynchronous delivery) so that
 * code tested against it behaves the same on Redis. Expired entries are removed when read and by a periodic
 * sweep, so memory does not grow with keys nobody reads again.
 */
interface Entry {
  /** Serialised, so callers never share a mutable object with the cache (as with Redis). */
  value: string;
  expiresAt: number | undefined;
}

const SWEEP_INTERVAL_MS = 30_000;

function serialise(key: string, value: unknown): string {
  const raw = JSON.stringify(value) as string | undefined;
  if (raw === undefined) throw new TypeError(`Cache value for "${key}" is not JSON-serialisable.`);
  return raw;
}

const expiry = (ttlMs?: number) =>
  ttlMs !== undefined && ttlMs > 0 ? Date.now() + Math.ceil(ttlMs) : undefined;

export function createMemoryCache(): Cache {
  const entries = new Map<string, Entry>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of entries)
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) entries.delete(key);
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    kind: 'memory',
    async get<T>(key: string) {
      const entry = live(key);
      return entry ? (JSON.parse(entry.value) as T) : undefined;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value: serialise(key, value), expiresAt: expiry(ttlMs) });
    },
    async delete(...keys) {
      let removed = 0;
      for (const key of keys) if (live(key) && entries.delete(key)) removed += 1;
      return removed;
    },
    async incr(key, by = 1, ttlMs) {
      // Redis INCRBY rejects non-integers on either side; failing here too keeps single-node tests honest.
      if (!Number.isSafeInteger(by)) throw new TypeError(`incr "${key}": ${by} is not an integer.`);
      const entry = live(key);
      if (!entry) {
        entries.set(key, { value: String(by), expiresAt: expiry(ttlMs) });
        return by;
      }
      const current: unknown = JSON.parse(entry.value);
      if (!Number.isSafeInteger(current)) throw new TypeError(`incr "${key}": the value is not an integer.`);
      const next = (current as number) + by;
      entry.value = String(next);
      return next;
    },
    async ttl(key) {
      const entry = live(key);
      if (!entry) return -2;
      return entry.expiresAt === undefined ? -1 : entry.expiresAt - Date.now();
    },
    async publish(channel, message) {
      // Asynchronous delivery, as with Redis: a publisher never runs subscriber code on its own stack.
      queueMicrotask(() => bus.emit(channel, message));
    },
    async subscribe(channel, handler): Promise<Unsubscribe> {
      // A listener of its own, so the same function subscribed twice is two subscriptions (as on Redis).
      const listener = (message: string) => handler(message);
      bus.on(channel, listener);
      return async () => {
        bus.off(channel, listener);
      };
    },
    onBusGap() {},
    async ping() {},
    async close() {
      clearInterval(sweep);
      bus.removeAllListeners();
      entries.clear();
    },
  };
}
