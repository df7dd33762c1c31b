import type { Broker, Position, StoredPublication } from './broker/broker.js';
import { Recovery } from '../proto/index.js';
import { CLOSE } from './close-codes.js';
import type { Connection, Flusher } from './connection.js';
import { publicationFrame, subscribedFrame, wsFrame } from './frames.js';

/** The most payload bytes a recovery replays in one Subscribed. */
const MAX_REPLAY_BYTES = 16 * 1024 * 1024;

interface ChannelEntry {
  /** Receiving publications as they come. */
  live: Set<Connection>;
  /** Subscribing: their history is being read; what arrives meanwhile is held for each. */
  pending: Map<Connection, StoredPublication[]>;
  /**
   * Subscribed up to an offset the broker may still deliver (history and pub/sub are separate paths, so a
   * publication can be in the history read before it is heard): live from the first publication after it.
   */
  fresh: Map<Connection, number>;
  /** The node's one broker subscription for this channel. */
  subscribed: Promise<() => Promise<void>>;
  /** Publications heard in this event-loop turn, sent as one shared frame when it ends. */
  batch: Uint8Array[];
  batchBytes: number;
  /** Live subscribers that joined in the middle of this turn's batch: they get it from this index on. */
  joinedAt: Map<Connection, number>;
}

/**
 * The node's channels: one broker subscription per channel however many local clients listen
 * (reference-counted). Publications heard in one event-loop turn are encoded once and framed once, as one
 * WebSocket frame written to every live subscriber: a busy channel costs one write per subscriber per turn, not
 * one per publication (Centrifugo batches the same way). Each connection's own replies are flushed first.
 *
 * Subscribing with recovery cannot miss or repeat anything: the client is first registered as pending (so
 * every publication from now on is held for it), then history and the current position are read, then it gets
 * Subscribed with the replay, then the held publications newer than that position, then goes live.
 */
export function createHub(deps: { broker: Broker; onError(err: unknown, channel: string): void }) {
  const channels = new Map<string, ChannelEntry>();
  const dirty: Connection[] = [];
  const dirtyChannels: ChannelEntry[] = [];
  let flushScheduled = false;

  const flushChannel = (entry: ChannelEntry) => {
    const { batch, batchBytes, joinedAt } = entry;
    entry.batch = [];
    entry.batchBytes = 0;
    entry.joinedAt = new Map();
    const shared = wsFrame(batch, batchBytes);
    for (const connection of entry.live) {
      const from = joinedAt.get(connection);
      if (from === undefined) {
        connection.write(shared);
      } else {
        const own = batch.slice(from);
        connection.write(
          wsFrame(
            own,
            own.reduce((n, f) => n + f.length, 0),
          ),
        );
      }
    }
  };
  const flushAll = () => {
    flushScheduled = false;
    // Replies first: a Subscribed (and its replay) must reach a client before the publications that follow it.
    for (const connection of dirty.splice(0)) connection.flush();
    for (const entry of dirtyChannels.splice(0)) if (entry.batch.length > 0) flushChannel(entry);
  };
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flushAll);
  };
  const flusher: Flusher = {
    schedule(connection) {
      dirty.push(connection);
      scheduleFlush();
    },
  };

  const open = (channel: string): ChannelEntry => {
    const existing = channels.get(channel);
    if (existing) return existing;
    const entry: ChannelEntry = {
      live: new Set(),
      pending: new Map(),
      fresh: new Map(),
      batch: [],
      batchBytes: 0,
      joinedAt: new Map(),
      subscribed: deps.broker.subscribe(channel, {
        publication(publication) {
          const frame = publicationFrame(publication);
          const index = entry.batch.length;
          if (index === 0) {
            dirtyChannels.push(entry);
            scheduleFlush();
          }
          entry.batch.push(frame);
          entry.batchBytes += frame.length;
          for (const [connection, sent] of entry.fresh) {
            if (publication.offset <= sent) continue;
            entry.fresh.delete(connection);
            entry.live.add(connection);
            if (index > 0) entry.joinedAt.set(connection, index);
          }
          for (const held of entry.pending.values()) held.push(publication);
        },
        reset() {
          // The node cannot promise this channel's order any more: clients reconnect and recover (or resync).
          entry.batch = [];
          entry.batchBytes = 0;
          for (const connection of [...entry.live, ...entry.fresh.keys(), ...entry.pending.keys()]) {
            connection.close(CLOSE.insufficientState);
          }
        },
      }),
    };
    entry.subscribed.catch(() => {
      if (channels.get(channel) === entry) channels.delete(channel);
    });
    channels.set(channel, entry);
    return entry;
  };

  const release = (channel: string, entry: ChannelEntry) => {
    if (entry.live.size > 0 || entry.fresh.size > 0 || entry.pending.size > 0) return;
    if (channels.get(channel) !== entry) return;
    channels.delete(channel);
    entry.subscribed.then((unsubscribe) => unsubscribe()).catch((err: unknown) => deps.onError(err, channel));
  };

  return {
    flusher,

    /** Sends Subscribed (id = the request's) with the replay when `since` is given, then goes live. */
    async subscribe(connection: Connection, id: number, channel: string, since: Position | undefined) {
      const entry = open(channel);
      const held: StoredPublication[] = [];
      entry.pending.set(connection, held);
      let position: Position;
      let publications: StoredPublication[];
      let recovery: Recovery;
      try {
        await entry.subscribed;
        const history = await deps.broker.history(channel, since);
        position = history.position;
        // A replay too large for one frame is no better than reloading: the client is told to resync.
        const replayable =
          history.recovered &&
          history.publications.reduce((n, p) => n + p.payload.length, 0) <= MAX_REPLAY_BYTES;
        publications = replayable ? history.publications : [];
        recovery = !since
          ? Recovery.RECOVERY_NONE
          : replayable
            ? Recovery.RECOVERY_RECOVERED
            : Recovery.RECOVERY_RESYNC;
      } catch (err) {
        entry.pending.delete(connection);
        release(channel, entry);
        throw err;
      }
      entry.pending.delete(connection);
      // Unsubscribed or gone while history was read.
      if (connection.closed || !connection.subscriptions.has(channel)) {
        release(channel, entry);
        return;
      }
      connection.send(subscribedFrame(id, channel, position, recovery, publications));
      let sent = position.offset;
      for (const publication of held) {
        if (publication.offset <= sent) continue;
        connection.send(publicationFrame(publication));
        sent = publication.offset;
      }
      // What the broker delivers from now on may still include offsets already sent: skip those.
      entry.fresh.set(connection, sent);
    },

    unsubscribe(connection: Connection, channel: string): void {
      const entry = channels.get(channel);
      if (!entry) return;
      entry.live.delete(connection);
      entry.fresh.delete(connection);
      entry.pending.delete(connection);
      entry.joinedAt.delete(connection);
      release(channel, entry);
    },

    /** Channels this node listens to, and how many local subscribers each has. */
    stats(): { channels: number; subscribers: number } {
      let subscribers = 0;
      for (const entry of channels.values())
        subscribers += entry.live.size + entry.fresh.size + entry.pending.size;
      return { channels: channels.size, subscribers };
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
