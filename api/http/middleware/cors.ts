import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for the configured origins only (before the request id, logging and auth, so every answer,
 * refusals included, carries its CORS headers). `*` in the list allows any
 * origin but never with credentials; an origin not on the list simply gets no CORS headers.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return cors({
    origin: any ? '*' : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: !any,
    exposedHeaders: [
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ],
    maxAge: 600,
  });
}
