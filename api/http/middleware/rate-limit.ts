import type { RequestHandler, Response } from 'express';
import type { RateDecision, RateLimiter } from '../../../core/rate-limit/limiter.js';
import { AppError } from '../../../core/errors/index.js';
import { graphqlCost, type GraphqlCost } from './graphql-cost.js';

/**
 * Applies the rate limit after authentication and answers with the IETF RateLimit headers
 * (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`), plus `Retry-After` on 429.
 */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a request costs: REST by method (one request), GraphQL by what its document does. */
export type Cost = (req: Parameters<RequestHandler>[0]) => GraphqlCost;

export const byMethod: Cost = (req) => ({ kind: READS.has(req.method) ? 'read' : 'write', points: 1 });

/** GraphQL: a query is one read; a mutation one write per mutation field (graphql-cost.ts). */
export const byGraphqlOperation: Cost = (req) =>
  READS.has(req.method) ? { kind: 'read', points: 1 } : graphqlCost(req.body);

/** Sets the RateLimit headers of `decision`; throws the 429 when it does not allow the request. */
export function applyDecision(res: Response, decision: RateDecision): void {
  res.setHeader('RateLimit-Limit', String(decision.limit));
  res.setHeader('RateLimit-Remaining', String(decision.remaining));
  res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
  if (decision.allowed) return;
  res.setHeader('Retry-After', String(decision.resetSeconds));
  throw new AppError(
    'rate_limit.exceeded',
    429,
    `Too many requests; try again in ${decision.resetSeconds} s.`,
    { retryAfterSeconds: decision.resetSeconds },
  );
}

export function rateLimit(limiter: RateLimiter, cost: Cost = byMethod): RequestHandler {
  return async (req, res, next) => {
    const { kind, points } = cost(req);
    applyDecision(res, await limiter.consume(req.auth, req.ip ?? 'unknown', kind, points));
    next();
  };
}
