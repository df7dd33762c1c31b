import type { RequestHandler } from 'express';
import type { Authenticator } from '../../../core/auth/authenticator.js';
import { ANONYMOUS, createAuthContext } from '../../../core/auth/context.js';
import { AppError } from '../../../core/errors/index.js';

/**
 * Turns the request's credential into `req.auth` (seed 000 request flow: after CORS and logging, before the
 * rate limit). No credential: the anonymous context, and routes decide. A bad credential: 401 right away.
 * Credential kinds plug in here: API keys today; OIDC access tokens and session cookies come next.
 */
const anonymous = createAuthContext(ANONYMOUS);

export function authenticate(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (!header) {
      req.auth = anonymous;
      return next();
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new AppError(
        'auth.malformed_credentials',
        401,
        'Use the header "Authorization: Bearer <credential>".',
      );
    }
    const token = match[1]!;
    if (token.startsWith('hm_')) {
      req.auth = await authenticator.authenticateApiKey(token);
      return next();
    }
    throw new AppError(
      'auth.unsupported_credential',
      401,
      'This kind of bearer credential is not accepted here.',
    );
  };
}
