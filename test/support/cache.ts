import type { Redis } from 'ioredis';
import { waitUntil } from './wait.js';

/** What the cache tests share (core/cache/*.test.ts). */

/** Polls `check` as the cache tests do: every 5 ms, for 2 s at most. */
export const eventually = (check: () => boolean | Promise<boolean>, what: string) =>
  waitUntil(check, what, 2000, 5);

/** Deletes every key under `prefix` (what a test namespace left behind). */
export async function deleteKeys(raw: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await raw.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
