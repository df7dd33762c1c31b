import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Cache } from '../core/cache/types.js';
import { counterFor } from '../core/rate-limit/limiter.js';

/**
 * RFC 8628 §5.1: a user code is short enough to guess, so wrong entries on the verification page are limited.
 * They are counted per IP address (in Redis when configured, so every node counts together): a browser can drop
 * its cookies, an address it cannot. Past `maxWrongPerIp` wrong codes within `windowSeconds` the page refuses
 * every entry from that address until the window ends.
 */
export interface DeviceCodeLimit {
  maxWrongPerIp: number;
  windowSeconds: number;
}

type Next = () => Promise<unknown>;

/** Marks a request whose user code was not found (set by the input page, read once the provider is done). */
const WRONG = Symbol('wrong user code');

export function createDeviceCodeThrottle(limit: DeviceCodeLimit, cache: Cache) {
  const counter = counterFor(cache, {
    points: limit.maxWrongPerIp,
    duration: limit.windowSeconds,
    keyPrefix: 'device-code:ip',
  });

  return {
    /**
     * Around the provider's `POST /device`: refuses an address that used up its wrong codes (`refuse` renders
     * the page), and counts a wrong code once the provider has answered.
     */
    middleware(refuse: (ctx: KoaContextWithOIDC, retryAfterSeconds: number) => void) {
      return async (ctx: KoaContextWithOIDC, next: Next) => {
        if (ctx.method !== 'POST' || ctx.path !== '/device') return next();
        const used = await counter.get(ctx.ip);
        if (used && used.consumedPoints >= limit.maxWrongPerIp) {
          const retryAfter = Math.max(1, Math.ceil(used.msBeforeNext / 1000));
          ctx.status = 429;
          ctx.set('Retry-After', String(retryAfter));
          return refuse(ctx, retryAfter);
        }
        await next();
        if ((ctx.state as Record<symbol, unknown>)[WRONG]) await counter.penalty(ctx.ip);
      };
    },

    /** The input page was shown again because the code matched no device. */
    wrongCode(ctx: KoaContextWithOIDC): void {
      (ctx.state as Record<symbol, unknown>)[WRONG] = true;
    },
  };
}

export type DeviceCodeThrottle = ReturnType<typeof createDeviceCodeThrottle>;
