import type { Redis } from 'ioredis';
import { channelNamespace } from '../../schemas/redis-namespace.js';
import { closeRedis, connectRedis, connectSubscriber } from '../../core/cache/redis-connection.js';
import type {
  Broker,
  BrokerListener,
  History,
  HistoryLimits,
  Position,
  StoredPublication,
} from './broker.js';
import { newEpoch } from './memory-broker.js';
import { fromEntry, HISTORY, parseMessage, PUBLISH, type StreamEntry } from './redis-broker-wire.js';

interface Heard {
  epoch: string;
  publication: StoredPublication;
  /** This node's count of heard messages when it arrived: which store reads came after it. */
  seq: number;
}

interface ChannelState {
  listeners: Set<BrokerListener>;
  subscribed: Promise<unknown>;
  /** The stored epoch this node follows: undefined until read after subscribing. */
  epoch: string | undefined;
  last: number;
  /** Heard while the stored state is read, handled after it. */
  held: Heard[];
  syncing: boolean;
  /** Asked to sync while syncing (the subscriber connection came back): one more round after this one. */
  again: boolean;
  /** A foreign publication was logged (once per channel subscription; every one is counted). */
  warned: boolean;
}

export interface RedisBrokerOptions extends HistoryLimits {
  url: string;
  keyPrefix: string;
  onError(err: unknown): void;
}

/**
 * The multi-node broker on Redis, after Centrifugo's Redis engine:
 * - per channel a hash {e: epoch, o: last offset} and a Stream of recent publications (fields o, d), both under
 *   one hash tag so they live on one Redis Cluster slot;
 * - one Lua script stores, trims (length and age) and PUBLISHes atomically, so pub/sub order is offset order;
 * - a node keeps one Redis subscription per channel, reads the channel's stored position once subscribed, and
 *   checks every message it hears against it: a gap (a lost pub/sub message, a reconnect of the subscriber
 *   connection) is filled from the Stream, and when that history is gone or the stored epoch changed its
 *   subscribers are told to reset;
 * - a message whose epoch is not the stored one when the store is read after hearing it is a foreign or stale
 *   publication (another deployment naming the same channel, an epoch already replaced): it is dropped and
 *   counted, and recovery goes on from the stored position.
 * Pub/sub channels are named in the deployment's namespace (schemas/redis-namespace.ts); keys carry the prefix
 * and live in the configured database. Scripts and message format: redis-broker-wire.ts.
 */
export function createRedisBroker(options: RedisBrokerOptions): Broker {
  // First: ambiguous settings are refused before any connection is opened.
  const namespace = channelNamespace(options.url, options.keyPrefix);
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
  const pubsubName = (channel: string) => `${namespace}rt:${channel}`;
  const channelOf = new Map<string, string>();
  let heardSeq = 0;
  let foreignCount = 0;

  const deliver = (s: ChannelState, publication: StoredPublication) => {
    s.last = publication.offset;
    for (const listener of [...s.listeners]) listener.publication(publication);
  };
  const reset = (s: ChannelState) => {
    for (const listener of [...s.listeners]) listener.reset();
  };
  const foreign = (channel: string, s: ChannelState, heard: Heard) => {
    foreignCount += 1;
    if (s.warned) return;
    s.warned = true;
    options.onError(
      new Error(
        `Dropped a publication on ${channel} of epoch ${heard.epoch}, stored epoch ${s.epoch}: another ` +
          'deployment publishing under this namespace, or a stale publisher.',
      ),
    );
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

  /**
   * Brings a channel in line with the store: its position after subscribing, then the publications missed since
   * (or a reset when they are gone or the epoch changed), then what was held meanwhile. A held message of
   * another epoch is judged only by a read issued after it was heard: Redis stores a publication before
   * sending it, so that read knows its epoch unless it is foreign or stale.
   */
  const sync = async (channel: string, s: ChannelState): Promise<void> => {
    if (s.syncing) {
      s.again = true;
      return;
    }
    s.syncing = true;
    try {
      for (;;) {
        s.again = false;
        const readAfter = heardSeq;
        const since = s.epoch === undefined ? undefined : { epoch: s.epoch, offset: s.last };
        const h = await history(channel, since);
        if (!since || !h.recovered) {
          s.epoch = h.position.epoch;
          s.last = h.position.offset;
          if (since) reset(s);
        } else {
          for (const publication of h.publications) if (publication.offset > s.last) deliver(s, publication);
        }
        const held = s.held.sort((x, y) => x.publication.offset - y.publication.offset);
        s.held = [];
        for (const heard of held) {
          const { offset } = heard.publication;
          if (heard.epoch !== s.epoch) {
            if (heard.seq <= readAfter) foreign(channel, s, heard);
            else s.held.push(heard);
          } else if (offset === s.last + 1) deliver(s, heard.publication);
          else if (offset > s.last + 1) s.held.push(heard);
        }
        if (s.held.length === 0 && !s.again) return;
      }
    } catch (err) {
      s.held = [];
      // Before the first read nothing was promised: subscribing fails. Afterwards the node lost track.
      if (s.epoch === undefined) throw err;
      options.onError(err);
      reset(s);
    } finally {
      s.syncing = false;
    }
  };

  const onMessage = (name: Buffer, message: Buffer) => {
    const channel = channelOf.get(name.toString());
    const s = channel === undefined ? undefined : channels.get(channel);
    if (!channel || !s) return;
    const parsed = parseMessage(channel, message);
    if (!parsed) return;
    heardSeq += 1;
    const heard: Heard = { ...parsed, seq: heardSeq };
    const { offset } = heard.publication;
    if (s.syncing || s.epoch === undefined) {
      s.held.push(heard);
    } else if (heard.epoch === s.epoch && offset === s.last + 1) {
      deliver(s, heard.publication);
    } else if (heard.epoch !== s.epoch || offset > s.last + 1) {
      // A gap, a new epoch, or a foreign publication: the store tells which.
      s.held.push(heard);
      void sync(channel, s);
    }
    // Same epoch, offset <= last: already delivered (through a catch-up).
  };

  const getSubscriber = (): Redis => {
    if (subscriber) return subscriber;
    // Whatever was published while the connection was away comes from history.
    // (A channel still subscribing reads its position once subscribed.)
    subscriber = connectSubscriber(options.url, () => {
      for (const [channel, s] of channels) if (s.syncing || s.epoch !== undefined) void sync(channel, s);
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
        const created: ChannelState = {
          listeners: new Set(),
          subscribed: Promise.resolve(),
          epoch: undefined,
          last: 0,
          held: [],
          syncing: false,
          again: false,
          warned: false,
        };
        // Live once subscribed and the stored position is known: what is heard is checked against it.
        created.subscribed = getSubscriber()
          .subscribe(name)
          .then(() => sync(channel, created));
        s = created;
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
    foreignPublications: () => foreignCount,
    async close() {
      channels.clear();
      await closeRedis(client, subscriber);
    },
  };
}
