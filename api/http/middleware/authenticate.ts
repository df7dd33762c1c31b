import type { RequestHandler } from 'express';
import type { Authenticator } from '../../../core/auth/authenticator.js';
import { authenticateBearer } from '../../../core/auth/bearer.js';
import { AppError } from '../../../core/errors/index.js';
import type { RateLimiter } from '../../../core/rate-limit/limiter.js';
import { applyDecision } from './rate-limit.js';

/**
 * Turns the request's credential into `req.auth` (after CORS and logging, before the rate limit, so refusals
 * are logged and carry CORS headers). No credential: the anonymous context, and routes decide. A bad
 * credential: 401 right away, counted against its IP address's budget of refused credentials, and 429 once
 * that is spent, so guessing keys is limited like anonymous requests are.
 */
export function authenticate(authenticator: Authenticator, limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    try {
      req.auth = await authenticateBearer(authenticator, req.get('authorization'));
    } catch (err) {
      if (err instanceof AppError && err.status === 401)
        applyDecision(res, await limiter.failedAuthentication(req.ip ?? 'unknown'));
      throw err;
    }
    next();
  };
}
