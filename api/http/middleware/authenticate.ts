import type { RequestHandler } from 'express';
import type { Authenticator } from '../../../core/auth/authenticator.js';
import { authenticateBearer } from '../../../core/auth/bearer.js';

/**
 * Turns the request's credential into `req.auth` (seed 000 request flow: after CORS and logging, before the
 * rate limit). No credential: the anonymous context, and routes decide. A bad credential: 401 right away.
 */
export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    req.auth = await authenticateBearer(authenticator, req.get('authorization'));
    next();
  };
}
