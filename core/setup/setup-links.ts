import { createHash, randomBytes } from 'node:crypto';
import type { Cache } from '../cache/types.js';

/**
 * One-time links that create the first administrator from a browser. The link itself is the credential, so
 * only its SHA-256 is kept, in the cache: with Redis every node accepts a link any node printed. A link works
 * for fifteen minutes and once.
 */
export const SETUP_LINK_TTL_MS = 15 * 60 * 1000;

/** The same, as people read it on the first-run page and in the log. */
export const SETUP_LINK_MINUTES = SETUP_LINK_TTL_MS / 60_000;

const KEY = (hash: string) => `setup:first-admin:${hash}`;
// 32 random bytes as base64url: 43 characters, unguessable, safe in a path.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SetupLinks {
  /** A new token, valid for SETUP_LINK_TTL_MS. */
  issue(): Promise<{ token: string; expiresAt: Date }>;
  /** Whether the token was issued, is unused and has not expired. */
  valid(token: string): Promise<boolean>;
  /** Uses the token up; true when it was still valid (only one caller gets true). */
  consume(token: string): Promise<boolean>;
}

export function createSetupLinks(cache: Cache, ttlMs = SETUP_LINK_TTL_MS): SetupLinks {
  return {
    async issue() {
      const token = randomBytes(32).toString('base64url');
      await cache.set(KEY(digest(token)), 1, ttlMs);
      return { token, expiresAt: new Date(Date.now() + ttlMs) };
    },
    async valid(token) {
      return TOKEN.test(token) && (await cache.get(KEY(digest(token)))) !== undefined;
    },
    async consume(token) {
      return TOKEN.test(token) && (await cache.delete(KEY(digest(token)))) === 1;
    },
  };
}

/**
 * Prints a fresh setup link whenever the last one printed by this process has expired: at start, and again when
 * someone opens the first-run page later. Nobody but the reader of the log learns the link.
 */
export function setupAnnouncer(
  links: SetupLinks,
  publicUrl: string,
  print: (url: string, expiresAt: Date) => void,
): () => Promise<void> {
  let until = 0;
  let pending: Promise<void> | undefined;
  // Visits at the same moment share one new link rather than each printing their own.
  const announce = async () => {
    const { token, expiresAt } = await links.issue();
    until = expiresAt.getTime();
    print(`${publicUrl.replace(/\/+$/, '')}/setup/${token}`, expiresAt);
  };
  return async () => {
    if (Date.now() < until) return;
    pending ??= announce().finally(() => {
      pending = undefined;
    });
    await pending;
  };
}
