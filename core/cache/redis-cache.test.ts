import net from 'node:net';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeys, eventually, startProxy } from '../../test/support/cache.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../../test/support/services.js';
import { sleep } from '../../test/support/wait.js';
import { createRedisCache, type RedisCache } from './redis-cache.js';

/**
 * What only the Redis cache does, beyond the contract both caches keep (cache.contract.test.ts): the key
 * prefix, one Redis subscription per channel however many handlers listen, and what happens when Redis is
 * unreachable, stops answering, or drops the connection.
 */

describeWithRedis('redis cache', () => {
  let raw: Redis;
  let keyPrefix: string;
  let caches: RedisCache[];
  const open = (url = TEST_REDIS_URL) => {
    const cache = createRedisCache({ url, keyPrefix });
    caches.push(cache);
    return cache;
  };
  // TEST_REDIS_URL names no database: 0.
  const numsub = async (channel: string) =>
    Number(((await raw.pubsub('NUMSUB', `${keyPrefix}|0|${channel}`)) as [string, number])[1]);

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

  it('puts every key under the prefix, every channel under prefix and database, and exposes the raw client', async () => {
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
    await raw.publish(`${keyPrefix}|0|bus`, 'raw');
    await raw.publish(`${keyPrefix}bus`, 'without the database');
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
