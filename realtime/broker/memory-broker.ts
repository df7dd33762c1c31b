import { randomBytes } from 'node:crypto';
import type {
  Broker,
  BrokerListener,
  History,
  HistoryLimits,
  Position,
  StoredPublication,
} from './broker.js';

interface ChannelState {
  epoch: string;
  offset: number;
  /** Oldest first. */
  entries: StoredPublication[];
  touchedAt: number;
  listeners: Set<BrokerListener>;
}

export const newEpoch = (): string => randomBytes(6).toString('base64url');

/**
 * The single-node broker: history in memory with the same bounds as Redis (size, age, epoch lifetime), delivery
 * in a microtask so a publisher never re-enters its own subscribers. A restart starts new epochs, which clients
 * coming back see as "resync", exactly as with Redis losing its data.
 */
export function createMemoryBroker(
  limits: HistoryLimits,
  now: () => number = Date.now,
): Broker & { stats(): { channels: number; publications: number } } {
  const channels = new Map<string, ChannelState>();
  // A quiet channel's epoch ends with its meta TTL, as its Redis keys would expire.
  const expired = (s: ChannelState, t: number) =>
    t - s.touchedAt > limits.metaTtlMs && s.listeners.size === 0;

  const state = (channel: string): ChannelState => {
    const t = now();
    let s = channels.get(channel);
    if (s && expired(s, t)) {
      channels.delete(channel);
      s = undefined;
    }
    if (!s) {
      s = { epoch: newEpoch(), offset: 0, entries: [], touchedAt: t, listeners: new Set() };
      channels.set(channel, s);
    }
    s.touchedAt = t;
    return s;
  };

  const trim = (s: ChannelState) => {
    const oldest = now() - limits.ttlMs;
    let drop = Math.max(0, s.entries.length - limits.size);
    while (drop < s.entries.length && s.entries[drop]!.timeMs < oldest) drop += 1;
    if (drop > 0) s.entries.splice(0, drop);
  };

  // Redis frees what expires on its own; here channels nobody touches again (a `user:<id>` per person) would keep
  // their history for the life of the process. So every so often, on a publish, all of them are trimmed by age
  // and the expired ones dropped.
  const sweepEveryMs = Math.min(limits.ttlMs, 60_000);
  let sweptAt = now();
  const sweep = (t: number) => {
    sweptAt = t;
    for (const [channel, s] of channels) {
      if (expired(s, t)) channels.delete(channel);
      else trim(s);
    }
  };

  const publishMany = async (channel: string, payloads: readonly Uint8Array[]): Promise<Position[]> => {
    if (payloads.length === 0) return [];
    if (now() - sweptAt >= sweepEveryMs) sweep(now());
    const s = state(channel);
    const timeMs = now();
    const publications: StoredPublication[] = [];
    const positions: Position[] = [];
    for (const payload of payloads) {
      s.offset += 1;
      publications.push({ channel, offset: s.offset, timeMs, payload });
      positions.push({ epoch: s.epoch, offset: s.offset });
    }
    if (limits.size > 0) {
      // Only the newest `size` can stay anyway.
      for (const p of publications.length > limits.size ? publications.slice(-limits.size) : publications)
        s.entries.push(p);
    }
    trim(s);
    if (s.listeners.size > 0) {
      const listeners = [...s.listeners];
      queueMicrotask(() => {
        for (const publication of publications)
          for (const listener of listeners) listener.publication(publication);
      });
    }
    return positions;
  };

  return {
    kind: 'memory',
    async publish(channel, payload) {
      return (await publishMany(channel, [payload]))[0]!;
    },
    publishMany,
    async subscribe(channel, listener) {
      state(channel).listeners.add(listener);
      return async () => {
        channels.get(channel)?.listeners.delete(listener);
      };
    },
    async history(channel, since?: Position): Promise<History> {
      const s = state(channel);
      trim(s);
      const position = { epoch: s.epoch, offset: s.offset };
      if (!since) return { position, publications: [], recovered: false };
      if (since.epoch !== s.epoch || since.offset > s.offset) {
        return { position, publications: [], recovered: false };
      }
      const missed = s.offset - since.offset;
      if (missed === 0) return { position, publications: [], recovered: true };
      const first = s.entries.length - missed;
      if (first < 0) return { position, publications: [], recovered: false };
      return { position, publications: s.entries.slice(first), recovered: true };
    },
    /** What it holds: channels, and publications kept for recovery. */
    stats() {
      let publications = 0;
      for (const c of channels.values()) publications += c.entries.length;
      return { channels: channels.size, publications };
    },
    // Only this process publishes here.
    foreignPublications: () => 0,
    async close() {
      channels.clear();
    },
  };
}
