import type { Cache, Unsubscribe } from '../cache/types.js';
import type { AuthContextData } from './context.js';

/**
 * Resolved credentials, kept per node for a short TTL so a request costs no database round trip.
 * Any change to keys, users, roles or permissions is published on the cache bus; every node drops what it
 * affects at once (a revoked key stops working everywhere within the pub/sub latency, not the TTL).
 * A node-local map rather than a shared Redis entry: it saves a network hop per request, and cross-node
 * invalidation is needed either way.
 */
export type AuthInvalidation =
  | { type: 'all' }
  | { type: 'key'; keyId: string }
  | { type: 'user'; userId: string }
  /** An OAuth client changed: its client-credentials contexts and the provider's cached copy go. */
  | { type: 'oauth_client'; clientId: string }
  /** A session was revoked or refreshed. */
  | { type: 'session'; sessionId: string }
  /**
   * Grants were revoked (a connected app removed, a refresh token revoked or reused, a sign-out, a password
   * reset): the access tokens issued within them are dead. Nothing cached depends on a grant (the API checks
   * it on every request), but open connections that authenticated with such a token must check again.
   * `userId` names whose grants, when known.
   */
  | { type: 'grants_revoked'; userId: string | null };

interface Entry {
  data: AuthContextData;
  expiresAt: number;
  keyId: string | null;
  userId: string | null;
  sessionId: string | null;
}

export interface AuthCache {
  get(credential: string): AuthContextData | undefined;
  /** The generation to pass to set(): entries loaded before an invalidation are not stored. */
  generation(): number;
  set(credential: string, data: AuthContextData, generation: number): void;
  invalidate(event: AuthInvalidation): Promise<void>;
  /** Hears every invalidation this node applies (its own and other nodes'); returns the unsubscribe function. */
  onInvalidate(listener: (event: AuthInvalidation) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = 'auth:invalidate';
const MAX_ENTRIES = 50_000;

const RESUBSCRIBE_MS = 1000;

export function createAuthCache(options: {
  bus: Cache;
  ttlMs: number;
  onError?: (err: unknown) => void;
}): AuthCache {
  const entries = new Map<string, Entry>();
  let generation = 0;
  let unsubscribe: Unsubscribe | undefined;
  // Caching is only safe while this node hears invalidations; until then every request resolves afresh.
  let listening = false;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;

  const listeners = new Set<(event: AuthInvalidation) => void>();
  const apply = (event: AuthInvalidation) => {
    generation += 1;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        options.onError?.(err);
      }
    }
    if (event.type === 'all') {
      entries.clear();
      return;
    }
    if (event.type === 'grants_revoked') return;
    if (event.type === 'oauth_client') {
      entries.delete(`oidc-client:${event.clientId}`);
      for (const credential of entries.keys()) {
        if (credential.startsWith('oidc-user:') && credential.endsWith(`:${event.clientId}`)) {
          entries.delete(credential);
        }
      }
      return;
    }
    for (const [credential, entry] of entries) {
      const match =
        event.type === 'key'
          ? entry.keyId === event.keyId
          : event.type === 'session'
            ? entry.sessionId === event.sessionId
            : entry.userId === event.userId;
      if (match) entries.delete(credential);
    }
  };

  return {
    get(credential) {
      const entry = entries.get(credential);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(credential);
        return undefined;
      }
      return entry.data;
    },
    generation: () => generation,
    onInvalidate(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    set(credential, data, loadedAt) {
      if (!listening || options.ttlMs === 0 || loadedAt !== generation) return;
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
      entries.set(credential, {
        data,
        expiresAt: Date.now() + options.ttlMs,
        keyId: data.apiKey?.id ?? null,
        userId: data.user?.id ?? null,
        sessionId: data.sessionId,
      });
    },
    async invalidate(event) {
      apply(event);
      // The change is already committed: a bus failure must not turn it into an error. Other nodes then
      // catch up when their bus reconnects (onBusGap flushes them) or, at worst, when the TTL runs out.
      await options.bus
        .publish(CHANNEL, JSON.stringify(event))
        .catch((err: unknown) => options.onError?.(err));
    },
    async start() {
      options.bus.onBusGap(() => apply({ type: 'all' }));
      const listen = async () => {
        try {
          unsubscribe = await options.bus.subscribe(CHANNEL, (message) => {
            try {
              apply(JSON.parse(message) as AuthInvalidation);
            } catch {
              apply({ type: 'all' }); // unreadable: be safe
            }
          });
          listening = true;
        } catch (err) {
          options.onError?.(err);
          if (!stopped) retry = setTimeout(listen, RESUBSCRIBE_MS).unref();
        }
      };
      await listen();
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      listening = false;
      await unsubscribe?.();
      entries.clear();
    },
  };
}
