import { createHash } from 'node:crypto';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Cache } from '../cache/types.js';
import { counterFor } from '../rate-limit/limiter.js';

/**
 * Brute-force protection for sign-in: failed attempts are counted per account (the email as
 * typed, so unknown addresses lock exactly like real ones and the lock reveals nothing) and per IP address, in
 * Redis when configured. After `delayAfter` failures each further attempt waits longer (0.5 s, 1 s, 2 s … up to
 * 8 s); at `maxPerAccount` the account, at `maxPerIp` the address, is locked for `lockoutSeconds`. A success
 * clears the account's count.
 */
export interface BruteForceSettings {
  maxPerAccount: number;
  maxPerIp: number;
  windowSeconds: number;
  lockoutSeconds: number;
  delayAfter: number;
}

export type Attempt =
  { allowed: true; delayMs: number } | { allowed: false; retryAfterSeconds: number; scope: 'account' | 'ip' };

const MAX_DELAY_MS = 8_000;

/** Counter keys never hold an email in clear. */
const accountKey = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');

export function createBruteForceGuard(settings: BruteForceSettings, cache: Cache) {
  const counter = (points: number, prefix: string): RateLimiterAbstract =>
    counterFor(cache, {
      points,
      duration: settings.windowSeconds,
      blockDuration: settings.lockoutSeconds,
      keyPrefix: `signin:${prefix}`,
    });
  const perAccount = counter(settings.maxPerAccount, 'account');
  const perIp = counter(settings.maxPerIp, 'ip');

  const used = (res: RateLimiterRes | null) => res?.consumedPoints ?? 0;
  const locked = (res: RateLimiterRes | null, max: number) => used(res) >= max;

  return {
    /** Before checking a password: may this attempt go ahead, and after how long a pause? */
    async before(email: string, ip: string): Promise<Attempt> {
      const [account, address] = await Promise.all([perAccount.get(accountKey(email)), perIp.get(ip)]);
      if (locked(account, settings.maxPerAccount)) {
        return {
          allowed: false,
          scope: 'account',
          retryAfterSeconds: Math.ceil(account!.msBeforeNext / 1000),
        };
      }
      if (locked(address, settings.maxPerIp)) {
        return { allowed: false, scope: 'ip', retryAfterSeconds: Math.ceil(address!.msBeforeNext / 1000) };
      }
      const over = used(account) - settings.delayAfter;
      return { allowed: true, delayMs: over < 0 ? 0 : Math.min(MAX_DELAY_MS, 500 * 2 ** over) };
    },

    /** After a wrong password (or unknown email): counts it; answers the lock it caused, if any. */
    async failed(email: string, ip: string): Promise<Attempt | undefined> {
      const results = await Promise.allSettled([perAccount.penalty(accountKey(email)), perIp.penalty(ip)]);
      const [account, address] = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
      if (account && account.consumedPoints >= settings.maxPerAccount) {
        await perAccount.block(accountKey(email), settings.lockoutSeconds);
        return { allowed: false, scope: 'account', retryAfterSeconds: settings.lockoutSeconds };
      }
      if (address && address.consumedPoints >= settings.maxPerIp) {
        await perIp.block(ip, settings.lockoutSeconds);
        return { allowed: false, scope: 'ip', retryAfterSeconds: settings.lockoutSeconds };
      }
      return undefined;
    },

    async succeeded(email: string): Promise<void> {
      await perAccount.delete(accountKey(email));
    },
  };
}

export type BruteForceGuard = ReturnType<typeof createBruteForceGuard>;
