import { describe, expect, it } from '@jest/globals';
import { createMemoryBroker } from './memory-broker.js';

describe('memory broker housekeeping', () => {
  it('trims and forgets channels nobody touches again, as Redis expiry would', async () => {
    let t = 1_000_000;
    const broker = createMemoryBroker({ size: 100, ttlMs: 10_000, metaTtlMs: 60_000 }, () => t);
    const quiet = await broker.publish('user:quiet', new Uint8Array([1]));
    const kept = await broker.publish('user:kept', new Uint8Array([2]));
    const listening = await broker.subscribe('user:kept', {
      publication: () => undefined,
      reset: () => undefined,
    });

    expect(broker.stats()).toEqual({ channels: 2, publications: 2 });

    // Past the history age: a publish elsewhere sweeps every channel's old history away…
    t += 11_000;
    await broker.publish('gps', new Uint8Array([3]));
    expect(broker.stats()).toEqual({ channels: 3, publications: 1 });
    const aged = await broker.history('user:quiet', { epoch: quiet.epoch, offset: 0 });
    expect(aged).toMatchObject({ position: quiet, publications: [], recovered: false });

    // …and past the meta TTL the quiet channels are forgotten (their epoch ends); one with a listener stays.
    t += 61_000;
    await broker.publish('gps', new Uint8Array([4]));
    expect(broker.stats()).toEqual({ channels: 2, publications: 1 });
    expect((await broker.history('user:quiet')).position.epoch).not.toBe(quiet.epoch);
    expect((await broker.history('user:kept')).position).toEqual(kept);
    await listening();
  });
});
