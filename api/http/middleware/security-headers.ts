import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Headers every response carries, whatever answers it (a route, an error, a 404, a CORS preflight):
 * - `X-Content-Type-Options: nosniff`: browsers take the declared type, so a JSON answer is never run as script.
 * - `Referrer-Policy`: API answers send no referrer at all. Pages use `strict-origin-when-cross-origin`: under
 *   `no-referrer` a browser sends `Origin: null` with a same-origin form post, which the sign-in and account
 *   pages would no longer recognise as their own.
 * - `Cache-Control: no-store` on the API (/v1, /api/graphql): answers hold new keys, client secrets and
 *   personal data, which no browser or proxy cache may keep.
 */
const API_PREFIXES = ['/v1/', '/api/graphql'];
const isApi = (path: string) => path === '/v1' || API_PREFIXES.some((p) => path.startsWith(p));

export const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (isApi(req.path)) {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
  } else {
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  }
  next();
};

/** The provider endpoints (token, JWKS, discovery…) bypass Express; oidc-provider sets their caching itself. */
export function setProviderEndpointHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}
