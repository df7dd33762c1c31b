import { EventEmitter } from 'node:events';
import type { Cache } from '../cache/types.js';

export interface Topic<T> {
  /** Sends items to every node (one bus message per call). */
  publish(items: readonly T[]): void;
  /** Calls `listener` for each item published on any node; returns the unsubscribe function. */
  listen(listener: (item: T) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A named stream of JSON items over the cache's pub/sub (Redis across nodes, in-process on one): listeners on a
 * node share one bus subscription. Delivery is at most once and live only; history and replay are the realtime
 * service's job.
 */
const RESUBSCRIBE_MS = 2000;

/** A topic that also sends items the caller already holds as a JSON array (`[…]`), as they are. */
export type JsonTopic<T> = Topic<T> & { publishJson(array: string): void };

export function createTopic<T>(bus: Cache, channel: string, onError: (err: unknown) => void): JsonTopic<T> {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  let unsubscribe: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  const send = (message: string) => void bus.publish(channel, message).catch(onError);
  return {
    publish(items) {
      if (items.length > 0) send(JSON.stringify(items));
    },
    publishJson(array) {
      send(array);
    },
    listen(listener) {
      local.on('item', listener);
      return () => void local.off('item', listener);
    },
    /** Subscribes to the bus; while it is unreachable (Redis down at start) keeps retrying in the background. */
    async start() {
      const listen = async () => {
        try {
          unsubscribe = await bus.subscribe(channel, (message) => {
            // Live only: with nobody listening on this node, there is no one to parse the message for.
            if (local.listenerCount('item') === 0) return;
            try {
              for (const item of JSON.parse(message) as T[]) local.emit('item', item);
            } catch (err) {
              onError(err);
            }
          });
        } catch (err) {
          onError(err);
          if (!stopped) retry = setTimeout(() => void listen(), RESUBSCRIBE_MS).unref();
        }
      };
      await listen();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await unsubscribe?.();
      local.removeAllListeners();
    },
  };
}
