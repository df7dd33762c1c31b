import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeys, eventually } from '../../test/support/cache.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../../test/support/services.js';
import { sleep } from '../../test/support/wait.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';
import type { Cache } from './types.js';

/**
 * One contract for both Cache implementations: whatever uses Cache may rely on exactly this, on one node or
 * many. Redis-only behaviour (key prefix, connection handling, subscription reference counting) is in
 * redis-cache.test.ts.
 */

interface Implementation {
  name: 'memory' | 'redis';
  suite: typeof describeWithRedis;
  /** Whether two instances (two nodes) see each other's values and messages. */
  distributed: boolean;
  /** Returns a factory for instances that share a namespace, and its cleanup. */
  setUp(): { open: () => Cache; tearDown: () => Promise<void> };
}

const implementations: Implementation[] = [
  {
    name: 'memory',
    suite: describe,
    distributed: false, // single-node by design: each instance is its own world
    setUp: () => ({ open: createMemoryCache, tearDown: async () => {} }),
  },
  {
    name: 'redis',
    suite: describeWithRedis,
    distributed: true,
    setUp: () => {
      const keyPrefix = `${uniqueName('heimdall_cache_test')}:`;
      return {
        open: () => createRedisCache({ url: TEST_REDIS_URL, keyPrefix }),
        tearDown: async () => {
          const raw = new Redis(TEST_REDIS_URL);
          await deleteKeys(raw, keyPrefix);
          await raw.quit();
        },
      };
    },
  },
];

for (const impl of implementations) {
  impl.suite(`Cache contract: ${impl.name}`, () => {
    let namespace: ReturnType<Implementation['setUp']>;
    let opened: Cache[];
    let cache: Cache;
    /** Another node on the same namespace (a separate instance, as on another server). */
    const open = () => {
      const instance = namespace.open();
      opened.push(instance);
      return instance;
    };
    beforeEach(() => {
      namespace = impl.setUp();
      opened = [];
      cache = open();
    });
    afterEach(async () => {
      await Promise.all(opened.map((c) => c.close()));
      await namespace.tearDown();
    });

    it('returns undefined for a missing key', async () => {
      expect(await cache.get('missing')).toBeUndefined();
    });

    it('round-trips objects, arrays, strings, numbers, booleans and null', async () => {
      const values = [{ a: 1, nested: { b: [1, 2] } }, [1, 'two', null], 'text', 42, 1.5, true, false, null];
      for (const [i, value] of values.entries()) await cache.set(`v${i}`, value);
      for (const [i, value] of values.entries()) expect(await cache.get(`v${i}`)).toEqual(value);
    });

    it('stores and returns copies, never the caller’s objects', async () => {
      const object = { count: 1, list: [1] };
      await cache.set('copy', object);
      object.count = 2;
      object.list.push(2);
      const read = await cache.get<{ count: number; list: number[] }>('copy');
      expect(read).toEqual({ count: 1, list: [1] });
      read!.count = 3;
      expect(await cache.get('copy')).toEqual({ count: 1, list: [1] });
    });

    it('rejects a value JSON cannot represent', async () => {
      await expect(cache.set('bad', undefined)).rejects.toThrow(TypeError);
      expect(await cache.ttl('bad')).toBe(-2);
    });

    it('expires values after their TTL and answers ttl like PTTL', async () => {
      await cache.set('short', 'x', 80);
      await cache.set('forever', 'y');
      const ttl = await cache.ttl('short');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(80);
      expect(await cache.ttl('forever')).toBe(-1);
      expect(await cache.ttl('missing')).toBe(-2);
      await sleep(120);
      expect(await cache.get('short')).toBeUndefined();
      expect(await cache.ttl('short')).toBe(-2);
      expect(await cache.get('forever')).toBe('y');
    });

    it('replaces the TTL when a key is set again', async () => {
      await cache.set('k', 1, 60);
      await cache.set('k', 2);
      expect(await cache.ttl('k')).toBe(-1);
      await sleep(90);
      expect(await cache.get('k')).toBe(2);
    });

    it('deletes keys and counts those that existed', async () => {
      await cache.set('a', 1);
      await cache.set('b', 2);
      await cache.set('gone', 3, 20);
      await sleep(40);
      expect(await cache.delete('a', 'b', 'c', 'gone')).toBe(2);
      expect(await cache.get('a')).toBeUndefined();
      expect(await cache.delete('a')).toBe(0);
      expect(await cache.delete()).toBe(0);
    });

    it('creates a counter at `by` and increments it', async () => {
      expect(await cache.incr('n', 5)).toBe(5);
      expect(await cache.incr('n')).toBe(6);
      expect(await cache.incr('n', -2)).toBe(4);
      expect(await cache.get('n')).toBe(4);
      expect(await cache.ttl('n')).toBe(-1);
    });

    it('applies the incr TTL only when the counter is created', async () => {
      expect(await cache.incr('hits', 1, 100)).toBe(1);
      expect(await cache.incr('hits', 4, 10_000)).toBe(5);
      const ttl = await cache.ttl('hits');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(100);
      await sleep(140);
      expect(await cache.get('hits')).toBeUndefined();
      expect(await cache.incr('hits')).toBe(1);
      expect(await cache.ttl('hits')).toBe(-1);
      // An existing counter without a TTL does not get one later either.
      await cache.incr('hits', 1, 10_000);
      expect(await cache.ttl('hits')).toBe(-1);
    });

    it('refuses to increment something that is not an integer', async () => {
      await cache.set('word', 'abc');
      await cache.set('numeric-string', '5');
      await expect(cache.incr('word')).rejects.toThrow();
      await expect(cache.incr('numeric-string')).rejects.toThrow();
      await expect(cache.incr('n', 1.5)).rejects.toThrow();
      expect(await cache.get('word')).toBe('abc');
    });

    it('delivers to every subscriber of a channel, and only that channel, until unsubscribed', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      const offA = await cache.subscribe('events', (m) => a.push(m));
      const offB = await cache.subscribe('events', (m) => b.push(m));
      const offOther = await cache.subscribe('elsewhere', (m) => other.push(m));
      await cache.publish('events', 'one');
      await eventually(() => a.length === 1 && b.length === 1, 'both subscribers');
      await offA();
      await offA(); // idempotent: must not remove anyone else's subscription
      await cache.publish('events', 'two');
      await eventually(() => b.length === 2, 'the second message');
      await offB();
      await cache.publish('events', 'three');
      await cache.publish('elsewhere', 'four');
      await eventually(() => other.length === 1, 'the other channel');
      await sleep(20);
      expect(a).toEqual(['one']);
      expect(b).toEqual(['one', 'two']);
      expect(other).toEqual(['four']);
      await offOther();
    });

    it('counts the same handler subscribed twice as two subscriptions', async () => {
      const received: string[] = [];
      const handler = (m: string) => received.push(m);
      const first = await cache.subscribe('twice', handler);
      const second = await cache.subscribe('twice', handler);
      await cache.publish('twice', 'x');
      await eventually(() => received.length === 2, 'two deliveries');
      await first();
      await cache.publish('twice', 'y');
      await eventually(() => received.length === 3, 'one delivery');
      await second();
      expect(received).toEqual(['x', 'x', 'y']);
    });

    it('delivers asynchronously, never on the publisher’s stack', async () => {
      const received: string[] = [];
      await cache.subscribe('async', (m) => received.push(m));
      const publishing = cache.publish('async', 'm');
      expect(received).toEqual([]);
      await publishing;
      await eventually(() => received.length === 1, 'the message');
    });

    it(
      impl.distributed
        ? 'shares values and messages between two instances (nodes)'
        : 'keeps two instances apart (single-node by design)',
      async () => {
        const other = open();
        const received: string[] = [];
        await other.subscribe('bus', (m) => received.push(m));
        await cache.set('shared', { ok: true });
        await cache.incr('counter', 2);
        await cache.publish('bus', 'hello');
        if (impl.distributed) {
          expect(await other.get('shared')).toEqual({ ok: true });
          expect(await other.incr('counter')).toBe(3);
          await eventually(() => received.length === 1, 'the message on the other node');
          expect(received).toEqual(['hello']);
        } else {
          expect(await other.get('shared')).toBeUndefined();
          expect(await other.incr('counter')).toBe(1);
          await sleep(20);
          expect(received).toEqual([]);
        }
      },
    );

    it('answers ping', async () => {
      await expect(cache.ping()).resolves.toBeUndefined();
    });
  });
}

describe('memory cache', () => {
  it('never reports a bus gap: the in-process bus cannot lose messages', async () => {
    const cache = createMemoryCache();
    let gaps = 0;
    cache.onBusGap(() => (gaps += 1));
    const off = await cache.subscribe('c', () => undefined);
    await cache.publish('c', 'm');
    await sleep(10);
    expect(gaps).toBe(0);
    await off();
    await cache.close();
  });
});
