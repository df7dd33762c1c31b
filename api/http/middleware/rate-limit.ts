import type { RequestHandler } from 'express';
import type { RateLimiter } from '../../../core/rate-limit/limiter.js';
import { AppError } from '../../../core/errors/index.js';

/**
 * Applies the rate limit after authentication and answers with the IETF RateLimit headers
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`), plus `Retry-After` on 429.
 */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function rateLimit(limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    const decision = await limiter.consume(
      req.auth,
      req.ip ?? 'unknown',
      READS.has(req.method) ? 'read' : 'write',
    );
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.resetSeconds));
      throw new AppError(
        'rate_limit.exceeded',
        429,
        `Too many requests; try again in ${decision.resetSeconds} s.`,
        {
          retryAfterSeconds: decision.resetSeconds,
        },
      );
    }
    next();
  };
}
