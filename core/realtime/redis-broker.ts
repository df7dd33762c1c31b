import type { Redis } from 'ioredis';
import { connectRedis } from '../cache/redis-cache.js';
import type {
  Broker,
  BrokerListener,
  History,
  HistoryLimits,
  Position,
  StoredPublication,
} from './broker.js';
import { newEpoch } from './memory-broker.js';

/**
 * The multi-node broker on Redis, after Centrifugo's Redis engine:
 * - per channel a hash {e: epoch, o: last offset} and a Stream of recent publications (fields o, d), both under
 *   one hash tag so they live on one Redis Cluster slot;
 * - one Lua script stores, trims (length and age) and PUBLISHes atomically, so pub/sub order is offset order;
 * - a node keeps one Redis subscription per channel and checks every offset it hears: a gap (a lost pub/sub
 *   message, a reconnect of the subscriber connection) is filled from the Stream, and when that history is gone
 *   or the epoch changed its subscribers are told to reset.
 * The pub/sub message is "<epoch> <offset> <ms> <payload bytes>".
 */
// A channel without meta starts a new epoch, and whatever history an older epoch left is dropped.
const ensureEpoch = (arg: number) => `
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[${arg}]
  redis.call('HSET', KEYS[1], 'e', epoch)
  redis.call('DEL', KEYS[2])
end`;

const PUBLISH = `${ensureEpoch(2)}
local offset = redis.call('HINCRBY', KEYS[1], 'o', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(ARGV[3]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], '*', 'o', offset, 'd', ARGV[1])
  redis.call('XTRIM', KEYS[2], 'MINID', ms - tonumber(ARGV[4]))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
redis.call('PUBLISH', ARGV[6], epoch .. ' ' .. offset .. ' ' .. ms .. ' ' .. ARGV[1])
return {epoch, offset}`;

// Returns {epoch, top offset, entries newest first | false when more were missed than history can hold}.
const HISTORY = `${ensureEpoch(1)}
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
local since = tonumber(ARGV[3])
if since < 0 or since >= top then return {epoch, top, {}} end
local missed = top - since
if missed > tonumber(ARGV[4]) then return {epoch, top, false} end
local t = redis.call('TIME')
redis.call('XTRIM', KEYS[2], 'MINID', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[5]))
return {epoch, top, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', missed)}`;

type StreamEntry = [id: Buffer, fields: Buffer[]];

interface ChannelState {
  listeners: Set<BrokerListener>;
  subscribed: Promise<unknown>;
  epoch: string | undefined;
  last: number;
  /** Heard while filling a gap, delivered after it. */
  held: StoredPublication[];
  catchingUp: boolean;
}

const SPACE = 0x20;

function parseMessage(
  channel: string,
  message: Buffer,
): { epoch: string; publication: StoredPublication } | null {
  const a = message.indexOf(SPACE);
  const b = message.indexOf(SPACE, a + 1);
  const c = message.indexOf(SPACE, b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  return {
    epoch: message.toString('latin1', 0, a),
    publication: {
      channel,
      offset: Number(message.toString('latin1', a + 1, b)),
      timeMs: Number(message.toString('latin1', b + 1, c)),
      payload: message.subarray(c + 1),
    },
  };
}

function fromEntry(channel: string, [id, fields]: StreamEntry): StoredPublication {
  let offset = 0;
  let payload: Uint8Array = new Uint8Array(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === 'o') offset = Number(fields[i + 1]!.toString());
    else if (name === 'd') payload = fields[i + 1]!;
  }
  return { channel, offset, timeMs: Number(id.toString().split('-')[0]), payload };
}

export interface RedisBrokerOptions extends HistoryLimits {
  url: string;
  keyPrefix: string;
  onError(err: unknown): void;
}

export function createRedisBroker(options: RedisBrokerOptions): Broker {
  // Many publishers on one node share round trips.
  const client = connectRedis(options.url, { offlineQueue: true, autoPipelining: true });
  client.defineCommand('rtPublish', { numberOfKeys: 2, lua: PUBLISH });
  client.defineCommand('rtHistory', { numberOfKeys: 2, lua: HISTORY });
  const commands = client as unknown as {
    rtPublish(...args: (string | Uint8Array | number)[]): Promise<[Buffer, number]>;
    rtHistoryBuffer(...args: (string | number)[]): Promise<[Buffer, number, StreamEntry[] | null]>;
  };
  let subscriber: Redis | undefined;
  const channels = new Map<string, ChannelState>();
  const prefix = options.keyPrefix;
  const keys = (channel: string) => [`${prefix}rt:{${channel}}:m`, `${prefix}rt:{${channel}}:s`] as const;
  const pubsubName = (channel: string) => `${prefix}rt:${channel}`;
  const channelOf = new Map<string, string>();

  const deliver = (s: ChannelState, publication: StoredPublication) => {
    s.last = publication.offset;
    for (const listener of [...s.listeners]) listener.publication(publication);
  };
  const reset = (s: ChannelState) => {
    s.held = [];
    for (const listener of [...s.listeners]) listener.reset();
  };

  const history = async (channel: string, since?: Position): Promise<History> => {
    const [meta, stream] = keys(channel);
    const [epochRaw, top, entries] = await commands.rtHistoryBuffer(
      meta,
      stream,
      newEpoch(),
      options.metaTtlMs,
      since ? since.offset : -1,
      options.size,
      options.ttlMs,
    );
    const position = { epoch: epochRaw.toString(), offset: Number(top) };
    if (!since) return { position, publications: [], recovered: false };
    if (since.epoch !== position.epoch || since.offset > position.offset || entries === null) {
      return { position, publications: [], recovered: false };
    }
    const publications = entries.map((e) => fromEntry(channel, e)).reverse();
    const missed = position.offset - since.offset;
    const complete =
      publications.length === missed && (missed === 0 || publications[0]!.offset === since.offset + 1);
    return complete
      ? { position, publications, recovered: true }
      : { position, publications: [], recovered: false };
  };

  /** Fills the gap between what this node delivered and what it heard, from history. */
  const catchUp = async (channel: string, s: ChannelState) => {
    if (s.catchingUp || s.epoch === undefined) return;
    s.catchingUp = true;
    try {
      const h = await history(channel, { epoch: s.epoch, offset: s.last });
      if (!h.recovered) {
        s.epoch = h.position.epoch;
        s.last = h.position.offset;
        reset(s);
        return;
      }
      for (const publication of h.publications) if (publication.offset > s.last) deliver(s, publication);
      const held = s.held.sort((x, y) => x.offset - y.offset);
      s.held = [];
      for (const publication of held) if (publication.offset === s.last + 1) deliver(s, publication);
    } catch (err) {
      options.onError(err);
      reset(s);
    } finally {
      s.catchingUp = false;
    }
  };

  const onMessage = (name: Buffer, message: Buffer) => {
    const channel = channelOf.get(name.toString());
    const s = channel === undefined ? undefined : channels.get(channel);
    if (!channel || !s) return;
    const parsed = parseMessage(channel, message);
    if (!parsed) return;
    const { epoch, publication } = parsed;
    if (s.epoch === undefined) {
      s.epoch = epoch;
      deliver(s, publication);
    } else if (epoch !== s.epoch) {
      // Redis lost the channel's state (restart, eviction, expiry): nobody can recover into the new epoch.
      s.epoch = epoch;
      s.last = publication.offset;
      reset(s);
    } else if (s.catchingUp) {
      s.held.push(publication);
    } else if (publication.offset === s.last + 1) {
      deliver(s, publication);
    } else if (publication.offset > s.last + 1) {
      s.held.push(publication);
      void catchUp(channel, s);
    }
    // offset <= last: already delivered (through a catch-up).
  };

  const getSubscriber = (): Redis => {
    if (subscriber) return subscriber;
    subscriber = connectRedis(options.url, { offlineQueue: true });
    let connectedBefore = false;
    subscriber.on('ready', () => {
      // ioredis resubscribes after a reconnect; whatever was published meanwhile comes from history.
      if (connectedBefore) for (const [channel, s] of channels) void catchUp(channel, s);
      connectedBefore = true;
    });
    subscriber.on('messageBuffer', onMessage);
    return subscriber;
  };

  // ioredis sends only Buffers as bytes; any other Uint8Array would go as its String() ("1,2,3").
  const asBuffer = (payload: Uint8Array) =>
    Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);

  /**
   * The script once per payload, all issued in this tick: auto-pipelining sends them as one pipelined series, in
   * order, and Redis runs them in that order.
   */
  const publishMany = async (channel: string, payloads: readonly Uint8Array[]): Promise<Position[]> => {
    const [meta, stream] = keys(channel);
    const name = pubsubName(channel);
    const replies = payloads.map((payload) =>
      commands.rtPublish(
        meta,
        stream,
        asBuffer(payload),
        newEpoch(),
        options.size,
        options.ttlMs,
        options.metaTtlMs,
        name,
      ),
    );
    return (await Promise.all(replies)).map(([e, offset]) => ({
      epoch: e.toString(),
      offset: Number(offset),
    }));
  };

  return {
    kind: 'redis',
    async publish(channel, payload) {
      return (await publishMany(channel, [payload]))[0]!;
    },
    publishMany,
    async subscribe(channel, listener) {
      let s = channels.get(channel);
      if (!s) {
        const name = pubsubName(channel);
        channelOf.set(name, channel);
        s = {
          listeners: new Set(),
          subscribed: getSubscriber().subscribe(name),
          epoch: undefined,
          last: 0,
          held: [],
          catchingUp: false,
        };
        const created = s;
        created.subscribed.catch(() => {
          if (channels.get(channel) === created) channels.delete(channel);
        });
        channels.set(channel, s);
      }
      s.listeners.add(listener);
      try {
        await s.subscribed;
      } catch (err) {
        s.listeners.delete(listener);
        throw err;
      }
      const state = s;
      return async () => {
        if (!state.listeners.delete(listener) || state.listeners.size > 0) return;
        if (channels.get(channel) === state) channels.delete(channel);
        channelOf.delete(pubsubName(channel));
        await subscriber?.unsubscribe(pubsubName(channel)).catch(() => undefined);
      };
    },
    history,
    async close() {
      channels.clear();
      await Promise.all(
        [client, subscriber].map(async (c) => {
          if (c?.status === 'ready') await c.quit().catch(() => c.disconnect());
          else c?.disconnect();
        }),
      );
    },
  };
}
