import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { cookieFrom } from '../../core/shared/cookies.js';

/**
 * Double-submit CSRF protection for the panel. Each panel session has a random token, also given to the page in
 * the `XSRF-TOKEN` cookie (readable by the page's scripts, sent to no other site); the panel's requests carry it
 * back in the `X-XSRF-TOKEN` header (AdminJS's HTTP client does so by itself, our components likewise). A
 * change without the header, or with another session's token, is refused before anything happens. The one
 * exception is Heimdall ID's answer posted to /admin/login, which is bound by state, nonce and PKCE instead.
 */
export const CSRF_COOKIE = 'XSRF-TOKEN';
const HEADER = 'x-xsrf-token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfProtection(options: {
  secure: boolean;
  exempt: (path: string) => boolean;
}): RequestHandler {
  return (req, res, next) => {
    const session = req.session;
    if (!session) return next();
    session.csrf ??= randomBytes(32).toString('base64url');
    if (cookieFrom(req.headers.cookie, CSRF_COOKIE) !== session.csrf) {
      res.cookie(CSRF_COOKIE, session.csrf, {
        path: '/admin',
        sameSite: 'strict',
        secure: options.secure,
        httpOnly: false,
      });
    }
    if (SAFE.has(req.method) || options.exempt(req.path)) return next();
    const sent = Buffer.from(String(req.get(HEADER) ?? ''));
    const expected = Buffer.from(session.csrf);
    if (sent.length === expected.length && timingSafeEqual(sent, expected)) return next();
    res.status(403).json({
      error: {
        code: 'admin.csrf',
        message: 'This page has expired, so the change was not made. Reload the page and try again.',
      },
    });
  };
}
