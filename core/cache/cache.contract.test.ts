import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../../test/support/services.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache, type RedisCache } from './redis-cache.js';
import type { Cache } from './types.js';

/**
 * One contract for both Cache implementations: whatever uses Cache may rely on exactly this, on one node or
 * many. Redis-only behaviour (key prefix, connection handling, subscription reference counting) follows.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 2000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function deleteKeys(raw: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await raw.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

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

/** A TCP server in front of Redis whose connections the test can cut, to simulate a network interruption. */
async function startProxy(target: string, listenPort = 0) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(port || 6379), hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${listening}`,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describeWithRedis('redis cache', () => {
  let raw: Redis;
  let keyPrefix: string;
  let caches: RedisCache[];
  const open = (url = TEST_REDIS_URL) => {
    const cache = createRedisCache({ url, keyPrefix });
    caches.push(cache);
    return cache;
  };
  const numsub = async (channel: string) =>
    Number(((await raw.pubsub('NUMSUB', `${keyPrefix}${channel}`)) as [string, number])[1]);

  beforeEach(() => {
    raw = new Redis(TEST_REDIS_URL);
    keyPrefix = `${uniqueName('heimdall_cache_test')}:`;
    caches = [];
  });
  afterEach(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await deleteKeys(raw, keyPrefix);
    await raw.quit();
  });

  it('puts every key and channel under the prefix, and exposes the raw client', async () => {
    const cache = open();
    expect(cache.kind).toBe('redis');
    expect(cache.keyPrefix).toBe(keyPrefix);
    await cache.set('k', { ok: true }, 10_000);
    await cache.incr('n', 2, 10_000);
    expect(await raw.get(`${keyPrefix}k`)).toBe('{"ok":true}');
    expect(await raw.get(`${keyPrefix}n`)).toBe('2');
    expect(await raw.exists('k', 'n')).toBe(0);
    expect(await cache.client.get(`${keyPrefix}k`)).toBe('{"ok":true}');

    const received: string[] = [];
    await cache.subscribe('bus', (m) => received.push(m));
    expect(await numsub('bus')).toBe(1);
    await raw.publish(`${keyPrefix}bus`, 'raw');
    await raw.publish('bus', 'unprefixed');
    await eventually(() => received.length === 1, 'the prefixed message');
    await sleep(20);
    expect(received).toEqual(['raw']);
  });

  it('subscribes to a channel once in Redis however many local handlers listen', async () => {
    const cache = open();
    const [off1, off2] = await Promise.all([
      cache.subscribe('refcount', () => undefined),
      cache.subscribe('refcount', () => undefined),
    ]);
    expect(await numsub('refcount')).toBe(1);
    await off1();
    expect(await numsub('refcount')).toBe(1);
    await off2();
    expect(await numsub('refcount')).toBe(0);
    // and subscribes again after the last one left
    const received: string[] = [];
    const off3 = await cache.subscribe('refcount', (m) => received.push(m));
    expect(await numsub('refcount')).toBe(1);
    await cache.publish('refcount', 'again');
    await eventually(() => received.length === 1, 'the message after resubscribing');
    await off3();
  });

  it('rejects ping within a few seconds when Redis is unreachable', async () => {
    const down = open('redis://127.0.0.1:1');
    const started = Date.now();
    await expect(down.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('rejects ping within a few seconds when Redis accepts connections but never answers', async () => {
    const held = new Set<net.Socket>();
    const silent = net.createServer((s) => held.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const hung = open(`redis://127.0.0.1:${port}`);
      const started = Date.now();
      await expect(hung.ping()).rejects.toThrow(/did not answer/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('rejects subscribe while Redis is down, and subscribes for real once it is back', async () => {
    // A port where Redis will appear later: a proxy opened and closed again, then reopened on the same port.
    const first = await startProxy(TEST_REDIS_URL);
    const port = Number(new URL(first.url).port);
    await first.close();
    const cache = open(first.url);
    await expect(cache.subscribe('c', () => undefined)).rejects.toThrow();

    const proxy = await startProxy(TEST_REDIS_URL, port);
    try {
      const received: string[] = [];
      await cache.subscribe('c', (m) => received.push(m));
      expect(await numsub('c')).toBe(1);
      await open().publish('c', 'back');
      await eventually(() => received.length === 1, 'the message after Redis came back');
    } finally {
      await Promise.all(caches.map((c) => c.close()));
      caches = [];
      await proxy.close();
    }
  });

  it('resubscribes after a connection drop and reports the gap', async () => {
    const proxy = await startProxy(TEST_REDIS_URL);
    try {
      const cache = open(proxy.url);
      const publisher = open();
      let gaps = 0;
      cache.onBusGap(() => (gaps += 1));
      const received: string[] = [];
      await cache.subscribe('bus', (m) => received.push(m));
      await publisher.publish('bus', 'before');
      await eventually(() => received.length === 1, 'the message before the drop');
      expect(gaps).toBe(0);

      proxy.cut();
      await eventually(() => gaps === 1, 'the bus gap');
      // ioredis resubscribes on reconnect; the gap is reported as soon as the connection is ready again.
      await eventually(async () => (await numsub('bus')) === 1, 'the resubscription');
      await publisher.publish('bus', 'after');
      await eventually(() => received.includes('after'), 'the message after the reconnect');
      expect(received).toEqual(['before', 'after']);
    } finally {
      await Promise.all(caches.map((c) => c.close()));
      caches = [];
      await proxy.close();
    }
  });
});
