/**
 * One interface for what Heimdall keeps outside the database:
 * short-lived values with a TTL, counters, and pub/sub between nodes.
 * `createCache` picks Redis when `redis.url` is configured and an in-process implementation otherwise.
 */
export type Unsubscribe = () => Promise<void>;

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The stored value (JSON round-trip), or undefined when missing or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value; without ttlMs it never expires. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /** Removes keys; resolves to how many existed. */
  delete(...keys: string[]): Promise<number>;
  /** Adds `by` (default 1) to a counter and returns the new value; ttlMs applies when the counter is created. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Remaining time to live in ms; -1 when the key has no expiry, -2 when it does not exist. */
  ttl(key: string): Promise<number>;
  /** Delivers a message to every subscriber of the channel on every node. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls handler for each message on the channel until the returned function is awaited. */
  subscribe(channel: string, handler: (message: string) => void): Promise<Unsubscribe>;
  /**
   * Calls handler whenever pub/sub delivery resumes after an interruption, when messages may have been lost
   * (never for the in-process bus, which cannot lose messages).
   */
  onBusGap(handler: () => void): void;
  /** Throws when the backing store is unreachable (used by /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
