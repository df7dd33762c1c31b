import type { RequestHandler } from 'express';
import type { RateLimiter } from '../../../core/rate-limit/limiter.js';
import { AppError } from '../../../core/errors/index.js';

/**
 * Applies the rate limit after authentication and answers with the IETF RateLimit headers
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`), plus `Retry-After` on 429.
 */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * REST: by method. GraphQL posts every operation: a document that declares a mutation counts as a write, any
 * other (queries) as a read. Erring towards "write" is the safe side of a limit.
 */
export type CostKind = (req: Parameters<RequestHandler>[0]) => 'read' | 'write';

export const byMethod: CostKind = (req) => (READS.has(req.method) ? 'read' : 'write');

export const byGraphqlOperation: CostKind = (req) => {
  if (READS.has(req.method)) return 'read';
  const query = (req.body as { query?: unknown } | undefined)?.query;
  return typeof query === 'string' && !/(^|[^\w"])mutation\b/.test(query) ? 'read' : 'write';
};

export function rateLimit(limiter: RateLimiter, kind: CostKind = byMethod): RequestHandler {
  return async (req, res, next) => {
    const decision = await limiter.consume(req.auth, req.ip ?? 'unknown', kind(req));
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
