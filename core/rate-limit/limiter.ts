import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Cache } from '../cache/types.js';
import type { RedisCache } from '../cache/redis-cache.js';

/**
 * Rate limits: per user or API key, different limits per tier (anonymous, standard, super admin), stricter for
 * writes.
 * One limiter per tier and kind, counted in Redis when configured (shared by every node), in memory otherwise.
 * Anonymous callers are counted per IP address.
 */
export type Tier = 'anonymous' | 'standard' | 'elevated';
export type Kind = 'read' | 'write';

export interface RateLimitSettings {
  enabled: boolean;
  windowSeconds: number;
  /** Refused credentials per IP address and window. */
  failedAuth: number;
  tiers: Record<Tier, Record<Kind, number>>;
}

/**
 * What the limiter reads of a caller: its tier and whom to count. The auth context satisfies it; the limiter names
 * only these fields so that it stays below auth (auth's brute-force guard counts with this module's counters).
 */
export interface RateSubject {
  readonly isAnonymous: boolean;
  readonly isSuperAdmin: boolean;
  readonly user: { readonly id: string } | null;
  readonly apiKey: { readonly id: string } | null;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Counts `points` requests (a GraphQL document with several mutations costs one write each). */
  consume(auth: RateSubject, ip: string, kind: Kind, points?: number): Promise<RateDecision>;
  /** Counts one refused credential from `ip`; not allowed once the IP's budget is spent. */
  failedAuthentication(ip: string): Promise<RateDecision>;
}

export function tierOf(auth: RateSubject): Tier {
  if (auth.isAnonymous) return 'anonymous';
  return auth.isSuperAdmin ? 'elevated' : 'standard';
}

function subjectOf(auth: RateSubject, ip: string): string {
  if (auth.apiKey) return `key:${auth.apiKey.id}`;
  if (auth.user) return `user:${auth.user.id}`;
  return `ip:${ip}`;
}

/**
 * A rate-limiter-flexible counter in Redis when the cache is Redis (shared by every node), in memory otherwise.
 * While Redis is unreachable each node counts on its own instead of failing every request.
 */
export function counterFor(
  cache: Cache,
  options: { points: number; duration: number; keyPrefix: string; blockDuration?: number },
): RateLimiterAbstract {
  if (cache.kind !== 'redis') return new RateLimiterMemory(options);
  const redis = cache as RedisCache;
  return new RateLimiterRedis({
    ...options,
    storeClient: redis.client,
    keyPrefix: `${redis.keyPrefix}${options.keyPrefix}`,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}

export function createRateLimiter(settings: RateLimitSettings, cache: Cache): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  for (const tier of ['anonymous', 'standard', 'elevated'] as const) {
    for (const kind of ['read', 'write'] as const) {
      const options = {
        points: settings.tiers[tier][kind],
        duration: settings.windowSeconds,
        keyPrefix: `ratelimit:${tier}:${kind}`,
      };
      limiters.set(`${tier}:${kind}`, counterFor(cache, options));
    }
  }

  const failedAuth = counterFor(cache, {
    points: settings.failedAuth,
    duration: settings.windowSeconds,
    keyPrefix: 'ratelimit:failed-auth',
  });

  async function take(
    limiter: RateLimiterAbstract,
    limit: number,
    key: string,
    points: number,
  ): Promise<RateDecision> {
    if (!settings.enabled)
      return { allowed: true, limit, remaining: limit, resetSeconds: settings.windowSeconds };
    try {
      const res = await limiter.consume(key, points);
      return {
        allowed: true,
        limit,
        remaining: res.remainingPoints,
        resetSeconds: Math.ceil(res.msBeforeNext / 1000),
      };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return {
          allowed: false,
          limit,
          remaining: 0,
          resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      throw rejection;
    }
  }

  return {
    consume(auth, ip, kind, points = 1) {
      const tier = tierOf(auth);
      const limiter = limiters.get(`${tier}:${kind}`)!;
      return take(limiter, settings.tiers[tier][kind], subjectOf(auth, ip), points);
    },
    failedAuthentication: (ip) => take(failedAuth, settings.failedAuth, `ip:${ip}`, 1),
  };
}
