import { afterEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startProxy } from '../../test/support/cache.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../../test/support/services.js';
import type { Broker, BrokerListener, HistoryLimits, StoredPublication } from './broker.js';
import { createMemoryBroker } from './memory-broker.js';
import { createRedisBroker } from './redis-broker.js';

/**
 * The broker contract (realtime/broker/broker.ts), run against both brokers: offsets from 1 without gaps,
 * history since a position (exactly what followed, or "gone"), trimming by size and by age, epochs, and
 * ordered delivery to subscribers. The Redis broker's gap filling has its own cases below.
 */
const LIMITS: HistoryLimits = { size: 100, ttlMs: 60_000, metaTtlMs: 60_000 };
const bytes = (s: string) => Buffer.from(s);
const textOf = (p: StoredPublication) => Buffer.from(p.payload).toString();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const heard: StoredPublication[] = [];
  let resets = 0;
  const listener: BrokerListener = {
    publication: (p) => heard.push(p),
    reset: () => {
      resets += 1;
    },
  };
  return { heard, listener, resets: () => resets };
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function contract(
  name: string,
  describeFn: typeof describeWithRedis,
  make: (limits: HistoryLimits) => Broker,
) {
  describeFn(`broker contract: ${name}`, () => {
    const open: Broker[] = [];
    const broker = (limits: Partial<HistoryLimits> = {}) => {
      const b = make({ ...LIMITS, ...limits });
      open.push(b);
      return b;
    };
    const channel = () => `app:${uniqueName('c')}`;
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('offsets count from 1 in one epoch; a channel without publications is at offset 0', async () => {
      const b = broker();
      const ch = channel();
      const empty = await b.history(ch);
      expect(empty).toEqual({
        position: { epoch: expect.any(String), offset: 0 },
        publications: [],
        recovered: false,
      });
      const positions = [];
      for (const i of range(1, 5)) positions.push(await b.publish(ch, bytes(`m${i}`)));
      expect(positions.map((p) => p.offset)).toEqual(range(1, 5));
      expect(new Set(positions.map((p) => p.epoch))).toEqual(new Set([empty.position.epoch]));
      // Channels are independent.
      expect((await b.publish(channel(), bytes('x'))).offset).toBe(1);
    });

    it('history since a position returns exactly what followed it, in order', async () => {
      const b = broker();
      const ch = channel();
      await Promise.all(range(1, 30).map((i) => b.publish(ch, bytes(`m${i}`))));
      const { position } = await b.history(ch);
      expect(position.offset).toBe(30);
      const h = await b.history(ch, { epoch: position.epoch, offset: 12 });
      expect(h.recovered).toBe(true);
      expect(h.position).toEqual(position);
      expect(h.publications.map((p) => p.offset)).toEqual(range(13, 30));
      const texts = h.publications.map(textOf);
      expect(new Set(texts).size).toBe(18);
      expect(h.publications.every((p) => p.channel === ch && p.timeMs > Date.now() - 60_000)).toBe(true);
      // Up to date: nothing to replay, nothing lost.
      expect(await b.history(ch, position)).toEqual({ position, publications: [], recovered: true });
      // From the very start.
      expect((await b.history(ch, { epoch: position.epoch, offset: 0 })).publications).toHaveLength(30);
    });

    it('keeps the payload bytes as published', async () => {
      const b = broker();
      const ch = channel();
      const payload = Uint8Array.from([0, 1, 2, 0x20, 0xff, 0x20, 0x0a, 0]);
      const { epoch } = await b.publish(ch, payload);
      const h = await b.history(ch, { epoch, offset: 0 });
      expect(Buffer.from(h.publications[0]!.payload)).toEqual(Buffer.from(payload));
    });

    it('trimmed by size: a position older than history says "gone" (recovered=false)', async () => {
      const b = broker({ size: 5 });
      const ch = channel();
      for (const i of range(1, 8)) await b.publish(ch, bytes(`m${i}`));
      const { position } = await b.history(ch);
      const gone = await b.history(ch, { epoch: position.epoch, offset: 2 });
      expect(gone).toEqual({ position, publications: [], recovered: false });
      const kept = await b.history(ch, { epoch: position.epoch, offset: 3 });
      expect(kept.recovered).toBe(true);
      expect(kept.publications.map(textOf)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8']);
    });

    it('without history (size 0) only an up-to-date position recovers', async () => {
      const b = broker({ size: 0 });
      const ch = channel();
      await b.publish(ch, bytes('a'));
      const position = await b.publish(ch, bytes('b'));
      expect((await b.history(ch, { epoch: position.epoch, offset: 1 })).recovered).toBe(false);
      expect(await b.history(ch, position)).toEqual({ position, publications: [], recovered: true });
    });

    it('trimmed by age: publications older than ttl are gone (recovered=false), newer ones recover', async () => {
      const b = broker({ ttlMs: 300 });
      const ch = channel();
      for (const i of range(1, 3)) await b.publish(ch, bytes(`old${i}`));
      await sleep(450);
      const position = await b.publish(ch, bytes('new'));
      expect((await b.history(ch, { epoch: position.epoch, offset: 0 })).recovered).toBe(false);
      expect((await b.history(ch, { epoch: position.epoch, offset: 2 })).recovered).toBe(false);
      const h = await b.history(ch, { epoch: position.epoch, offset: 3 });
      expect(h.recovered).toBe(true);
      expect(h.publications.map(textOf)).toEqual(['new']);
    });

    it('an unknown epoch or an offset beyond the top is not recoverable', async () => {
      const b = broker();
      const ch = channel();
      const position = await b.publish(ch, bytes('a'));
      expect((await b.history(ch, { epoch: 'another', offset: 0 })).recovered).toBe(false);
      expect((await b.history(ch, { epoch: position.epoch, offset: 2 })).recovered).toBe(false);
    });

    it('a channel quiet for longer than metaTtl starts a new epoch; the old one no longer recovers', async () => {
      const b = broker({ metaTtlMs: 300 });
      const ch = channel();
      const old = await b.publish(ch, bytes('a'));
      await sleep(450);
      const h = await b.history(ch, old);
      expect(h.recovered).toBe(false);
      expect(h.position.epoch).not.toBe(old.epoch);
      expect(h.position.offset).toBe(0);
      const next = await b.publish(ch, bytes('b'));
      expect(next).toEqual({ epoch: h.position.epoch, offset: 1 });
    });

    it('subscribers hear every publication once, in offset order; unsubscribing stops it', async () => {
      const b = broker();
      const ch = channel();
      const one = recorder();
      const two = recorder();
      const other = recorder();
      const stopOne = await b.subscribe(ch, one.listener);
      await b.subscribe(ch, two.listener);
      await b.subscribe(channel(), other.listener);
      await Promise.all(range(1, 100).map((i) => b.publish(ch, bytes(`m${i}`))));
      await until(() => one.heard.length >= 100 && two.heard.length >= 100, '100 publications');
      for (const r of [one, two]) {
        expect(r.heard.map((p) => p.offset)).toEqual(range(1, 100));
        expect(r.resets()).toBe(0);
      }
      // The payload is what was published at that offset.
      const h = await b.history(ch, { epoch: (await b.history(ch)).position.epoch, offset: 0 });
      expect(one.heard.map(textOf)).toEqual(h.publications.map(textOf));
      expect(other.heard).toEqual([]);
      await stopOne();
      await b.publish(ch, bytes('after'));
      await until(() => two.heard.length === 101, 'the next publication');
      await sleep(20);
      expect(one.heard).toHaveLength(100);
    });

    it('publishMany is publish for each payload in turn: offsets, history, delivery, in order', async () => {
      const b = broker({ size: 10 });
      const ch = channel();
      const r = recorder();
      await b.subscribe(ch, r.listener);
      const first = await b.publish(ch, bytes('m1'));
      expect(await b.publishMany(ch, [])).toEqual([]);
      const positions = await b.publishMany(
        ch,
        range(2, 13).map((i) => bytes(`m${i}`)),
      );
      expect(positions).toEqual(range(2, 13).map((offset) => ({ epoch: first.epoch, offset })));
      expect((await b.publish(ch, bytes('m14'))).offset).toBe(14);
      await until(() => r.heard.length >= 14, '14 publications');
      expect(r.heard.map((p) => p.offset)).toEqual(range(1, 14));
      expect(r.heard.map(textOf)).toEqual(range(1, 14).map((i) => `m${i}`));
      // History keeps the newest `size`, as with single publishes.
      const h = await b.history(ch, { epoch: first.epoch, offset: 4 });
      expect(h.recovered).toBe(true);
      expect(h.publications.map(textOf)).toEqual(range(5, 14).map((i) => `m${i}`));
      expect((await b.history(ch, { epoch: first.epoch, offset: 3 })).recovered).toBe(false);
      // A first publication on a channel starts its epoch.
      const fresh = channel();
      const many = await b.publishMany(fresh, [bytes('a'), bytes('b')]);
      expect(many.map((p) => p.offset)).toEqual([1, 2]);
      expect(many[1]!.epoch).toBe(many[0]!.epoch);
      expect((await b.history(fresh)).position).toEqual(many[1]);
    });
  });
}

contract('memory', describe, (limits) => createMemoryBroker(limits));

const prefix = `${uniqueName('rtbroker')}:`;
const redisBroker = (limits: HistoryLimits) =>
  createRedisBroker({ url: TEST_REDIS_URL, keyPrefix: prefix, onError: () => undefined, ...limits });
contract('redis', describeWithRedis, redisBroker);

describeWithRedis('redis broker: several nodes, lost messages, lost state', () => {
  const open: Broker[] = [];
  let redis: Redis | undefined;
  const node = (limits: Partial<HistoryLimits> = {}) => {
    const b = redisBroker({ ...LIMITS, ...limits });
    open.push(b);
    return b;
  };
  const raw = () => (redis ??= new Redis(TEST_REDIS_URL));
  const keys = (channel: string) => ({
    meta: `${prefix}rt:{${channel}}:m`,
    stream: `${prefix}rt:{${channel}}:s`,
  });
  /** What the PUBLISH script stores, without its PUBLISH: as if the pub/sub message were lost on the way. */
  const storeWithoutPublishing = async (channel: string, payload: string) => {
    const { meta, stream } = keys(channel);
    const offset = await raw().hincrby(meta, 'o', 1);
    await raw().xadd(stream, '*', 'o', String(offset), 'd', payload);
    return offset;
  };
  /** A message on the channel as the PUBLISH script sends it, from a publisher this node does not know. */
  const publishRaw = (channel: string, epoch: string, offset: number, payload: string) =>
    raw().publish(`${prefix}|0|rt:${channel}`, `${epoch} ${offset} ${Date.now()} ${payload}`);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });
  afterEach(async () => {
    await redis?.quit();
    redis = undefined;
  });

  it('a publication on one node reaches subscribers on the others, in order', async () => {
    const [a, b, c] = [node(), node(), node()];
    const ch = `app:${uniqueName('n')}`;
    const onB = recorder();
    const onC = recorder();
    await b.subscribe(ch, onB.listener);
    await c.subscribe(ch, onC.listener);
    await Promise.all(range(1, 50).map((i) => (i % 2 ? a : b).publish(ch, bytes(`m${i}`))));
    await until(() => onB.heard.length >= 50 && onC.heard.length >= 50, '50 on each node');
    expect(onB.heard.map((p) => p.offset)).toEqual(range(1, 50));
    expect(onC.heard.map(textOf)).toEqual(onB.heard.map(textOf));
  });

  it('a pub/sub message that never arrived is filled in from history, in order', async () => {
    const [a, b] = [node(), node()];
    const ch = `app:${uniqueName('gap')}`;
    const onB = recorder();
    await b.subscribe(ch, onB.listener);
    await a.publish(ch, bytes('m1'));
    await until(() => onB.heard.length === 1, 'm1');
    expect(await storeWithoutPublishing(ch, 'm2')).toBe(2);
    expect(await storeWithoutPublishing(ch, 'm3')).toBe(3);
    await a.publish(ch, bytes('m4'));
    await a.publish(ch, bytes('m5'));
    await until(() => onB.heard.length >= 5, 'm2..m5');
    await sleep(20);
    expect(onB.heard.map((p) => p.offset)).toEqual([1, 2, 3, 4, 5]);
    expect(onB.heard.map(textOf)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(onB.resets()).toBe(0);
  });

  it('a gap larger than history, or a new epoch, resets the node’s subscribers', async () => {
    const [a, b] = [node({ size: 3 }), node({ size: 3 })];
    const ch = `app:${uniqueName('lost')}`;
    const onB = recorder();
    await b.subscribe(ch, onB.listener);
    await a.publish(ch, bytes('m1'));
    await until(() => onB.heard.length === 1, 'm1');
    for (const i of range(2, 6)) await storeWithoutPublishing(ch, `m${i}`);
    await a.publish(ch, bytes('m7'));
    await until(() => onB.resets() === 1, 'a reset for the lost history');
    expect(onB.heard.map((p) => p.offset)).toEqual([1]);
    // Afterwards it carries on from the new position.
    await a.publish(ch, bytes('m8'));
    await until(() => onB.heard.length === 2, 'm8');
    expect(onB.heard[1]!.offset).toBe(8);

    // Redis lost the channel's state (eviction, flush): a new epoch begins.
    await raw().del(keys(ch).meta, keys(ch).stream);
    const fresh = await a.publish(ch, bytes('again'));
    expect(fresh.offset).toBe(1);
    await until(() => onB.resets() === 2, 'a reset for the new epoch');
    expect((await a.history(ch, { epoch: 'x', offset: 0 })).position.epoch).toBe(fresh.epoch);
  });

  it('a message of an epoch the store does not hold is dropped and counted; delivery and recovery go on', async () => {
    const [a, b] = [node(), node()];
    const ch = `app:${uniqueName('foreign')}`;
    const onB = recorder();
    await b.subscribe(ch, onB.listener);
    // The first message heard on the new subscription, then one amid the channel's own.
    await publishRaw(ch, 'foreign', 1, 'f1');
    const first = await a.publish(ch, bytes('m1'));
    await until(() => onB.heard.length === 1, 'm1');
    await publishRaw(ch, 'foreign', 2, 'f2');
    await a.publish(ch, bytes('m2'));
    await until(() => onB.heard.length === 2, 'm2');
    await until(() => b.foreignPublications() === 2, 'both foreign messages counted');
    await a.publish(ch, bytes('m3'));
    await until(() => onB.heard.length === 3, 'm3');
    expect(onB.heard.map(textOf)).toEqual(['m1', 'm2', 'm3']);
    expect(onB.heard.map((p) => p.offset)).toEqual([1, 2, 3]);
    expect(onB.resets()).toBe(0);
    expect(a.foreignPublications()).toBe(0);
    const h = await b.history(ch, first);
    expect({ recovered: h.recovered, texts: h.publications.map(textOf) }).toEqual({
      recovered: true,
      texts: ['m2', 'm3'],
    });
  });

  it('two deployments with one prefix on two databases never hear each other', async () => {
    const onDb = (db: number) =>
      createRedisBroker({
        url: `${TEST_REDIS_URL.replace(/\/\d*$/, '')}/${db}`,
        keyPrefix: prefix,
        onError: () => undefined,
        ...LIMITS,
      });
    const [one, two] = [onDb(1), onDb(2)];
    open.push(one, two);
    const ch = `app:${uniqueName('db')}`;
    const [onOne, onTwo] = [recorder(), recorder()];
    await one.subscribe(ch, onOne.listener);
    await two.subscribe(ch, onTwo.listener);
    await one.publish(ch, bytes('one'));
    await two.publish(ch, bytes('two'));
    await until(() => onOne.heard.length === 1 && onTwo.heard.length === 1, 'one publication each');
    await sleep(50);
    expect([onOne.heard.map(textOf), onTwo.heard.map(textOf)]).toEqual([['one'], ['two']]);
    expect([onOne.resets(), onTwo.resets(), one.foreignPublications(), two.foreignPublications()]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('publications missed while its subscriber connection was cut arrive once it is back, without another', async () => {
    const proxy = await startProxy(TEST_REDIS_URL);
    try {
      const a = node();
      const b = createRedisBroker({ url: proxy.url, keyPrefix: prefix, onError: () => undefined, ...LIMITS });
      open.push(b);
      const ch = `app:${uniqueName('cut')}`;
      const onB = recorder();
      await b.subscribe(ch, onB.listener);
      await a.publish(ch, bytes('m1'));
      await until(() => onB.heard.length === 1, 'm1');
      proxy.cut();
      await a.publish(ch, bytes('m2'));
      await a.publish(ch, bytes('m3'));
      // The channel stays quiet: only the reconnection can bring m2 and m3.
      await until(() => onB.heard.length === 3, 'm2 and m3 after the reconnection', 5000);
      expect(onB.heard.map(textOf)).toEqual(['m1', 'm2', 'm3']);
      expect(onB.resets()).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
