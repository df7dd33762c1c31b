import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieFrom } from '../core/shared/cookies.js';

/**
 * CSRF protection for the interaction forms: a random secret in an HttpOnly, SameSite=Lax cookie, and in each
 * form an HMAC of that secret and the interaction uid. Another site can neither read the cookie nor compute the
 * token, and a token is good for one interaction only.
 */
const COOKIE = 'heimdall.csrf';

export const readCookie = (req: Request, name: string): string | undefined =>
  cookieFrom(req.headers.cookie, name);

export function createCsrf(options: { key: Buffer; secure: boolean; path: string }) {
  const sign = (secret: string, uid: string) =>
    createHmac('sha256', options.key).update(`${secret}:${uid}`).digest('base64url');

  return {
    /** The token for a form of interaction `uid`; sets the cookie when the browser has none yet. */
    token(req: Request, res: Response, uid: string): string {
      // A page with several forms asks more than once: they must all share the secret set on the first ask.
      let secret = (res.locals.csrfSecret as string | undefined) ?? readCookie(req, COOKIE);
      if (!secret || !/^[\w-]{32,64}$/.test(secret)) {
        secret = randomBytes(32).toString('base64url');
        res.locals.csrfSecret = secret;
        res.cookie(COOKIE, secret, {
          httpOnly: true,
          sameSite: 'lax',
          secure: options.secure,
          path: options.path,
        });
      }
      return sign(secret, uid);
    },

    valid(req: Request, uid: string, submitted: unknown): boolean {
      const secret = readCookie(req, COOKIE);
      if (!secret || typeof submitted !== 'string') return false;
      const expected = Buffer.from(sign(secret, uid));
      const actual = Buffer.from(submitted);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
