import session from 'express-session';
import type { Cache } from '../../core/cache/types.js';

type Callback = (err?: unknown) => void;

/**
 * Panel sessions live in Heimdall's cache (Redis when configured, so every node knows every session; in-process
 * otherwise), each for as long as its cookie. A session holds who signed in, which Heimdall session they signed
 * in with (the hash of its token, not the token), and the refresh token sealed with the secrets key.
 */
export class CacheSessionStore extends session.Store {
  constructor(
    private readonly cache: Cache,
    private readonly ttlMs: number,
  ) {
    super();
  }

  private key(sid: string) {
    return `admin-session:${sid}`;
  }

  private lifetime(data: session.SessionData): number {
    const expires = data.cookie?.expires ? new Date(data.cookie.expires).getTime() - Date.now() : this.ttlMs;
    return Math.max(1, Math.min(expires, this.ttlMs));
  }

  override get(sid: string, callback: (err: unknown, data?: session.SessionData | null) => void): void {
    this.cache.get<session.SessionData>(this.key(sid)).then(
      (data) => callback(null, data ?? null),
      (err: unknown) => callback(err),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.cache.set(this.key(sid), data, this.lifetime(data)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.cache.delete(this.key(sid)).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }
}
