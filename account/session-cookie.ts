import type { Request } from 'express';
import type { Authenticator } from '../core/auth/authenticator.js';
import type { AuthContext } from '../core/auth/context.js';
import { AppError } from '../core/errors/index.js';
import { readCookie } from '../oidc/csrf.js';

/**
 * The person behind a request's Heimdall session cookie; undefined when there is none, or it has ended or been
 * revoked. Only a failure of Heimdall itself (5xx) is thrown.
 */
export async function signedInBy(
  authenticator: Authenticator,
  req: Request,
  cookieName: string,
): Promise<AuthContext | undefined> {
  const token = readCookie(req, cookieName);
  if (!token) return undefined;
  try {
    return await authenticator.authenticateSession(token);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return undefined;
    throw err;
  }
}
