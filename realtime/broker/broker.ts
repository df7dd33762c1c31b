/**
 * Where realtime publications go between nodes and where their recent history lives. Redis when
 * `redis.url` is configured (pub/sub for fan-out, a Stream per channel for history); an in-process broker on a
 * single node. Both give the same guarantees, so the realtime service and its tests do not care which is in use:
 * - offsets count from 1 within an epoch, without gaps, in publish order;
 * - a subscriber on a node hears a channel's publications in offset order, without gaps or duplicates, or is
 *   told `reset()` when that can no longer be promised (history gone, epoch changed);
 * - `history()` returns exactly the publications after a position, or says they are gone.
 */
export interface Position {
  /** Names one unbroken history of a channel; a new epoch starts when the old history was lost. */
  epoch: string;
  /** The last publication's offset (0 before the first). */
  offset: number;
}

export interface StoredPublication {
  channel: string;
  offset: number;
  /** When the broker stored it (ms since the Unix epoch). */
  timeMs: number;
  /** An encoded heimdall.realtime.v1.Payload. */
  payload: Uint8Array;
}

export interface History {
  position: Position;
  /** After `since`, in order; empty when none was asked for. */
  publications: StoredPublication[];
  /** False when `since` was given but its history is gone (other epoch, trimmed): the client must resync. */
  recovered: boolean;
}

export interface BrokerListener {
  publication(publication: StoredPublication): void;
  /** The broker lost track of the channel: local subscribers must recover through history. */
  reset(): void;
}

export interface Broker {
  readonly kind: 'memory' | 'redis';
  publish(channel: string, payload: Uint8Array): Promise<Position>;
  /**
   * Publishes several payloads to one channel, in order: the same as calling publish() for each in turn (offsets
   * follow one another unless another publisher interleaves), for less work per publication.
   * Resolves to the position after each.
   */
  publishMany(channel: string, payloads: readonly Uint8Array[]): Promise<Position[]>;
  /** Starts hearing a channel on this node; resolves once live. The returned function stops it. */
  subscribe(channel: string, listener: BrokerListener): Promise<() => Promise<void>>;
  history(channel: string, since?: Position): Promise<History>;
  /**
   * Publications heard and dropped since start because their epoch was not the channel's stored one: another
   * deployment publishing under the same channel names, or a stale publisher (always 0 in-process).
   */
  foreignPublications(): number;
  close(): Promise<void>;
}

export interface HistoryLimits {
  /** Publications kept per channel (0: none, recovery always resyncs). */
  size: number;
  /** Oldest publication kept (ms). */
  ttlMs: number;
  /** How long a quiet channel keeps its epoch and offset (ms). */
  metaTtlMs: number;
}
