import type { RequestHandler } from 'express';
import type { Logger } from '../../../core/logger/logger.js';

/**
 * One JSON log line per finished request, tagged with the request id: 5xx are errors, 4xx warnings.
 * Hand-rolled rather than pino-http, which builds a child logger per request: a cost every request would pay
 * for nothing this line needs (docs/performance.md). Successful probe requests (/health, /metrics) are not
 * logged.
 */
const QUIET = new Set(['/health', '/metrics']);

/**
 * Query parameters that carry credentials or one-time secrets (an upstream provider's code coming back to the
 * social sign-in callback, Steam's signed assertion, tokens some clients put in URLs): logged as `[redacted]`.
 */
const SECRET_PARAMS =
  /^(code|state|token|access_token|refresh_token|id_token|client_secret|openid\.sig|openid\.response_nonce|openid\.assoc_handle)$/i;

/** Paths that carry a one-time secret themselves: the first-run setup link (`/setup/<token>`). */
const SECRET_PATH = /^\/setup\/[^?]*/;

/** The request URL as logged: path and query, with secret path segments and parameters' values replaced. */
export function loggedUrl(original: string): string {
  const url = original.replace(SECRET_PATH, '/setup/[redacted]');
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  let redacted = false;
  for (const key of new Set(query.keys())) {
    if (!SECRET_PARAMS.test(key)) continue;
    query.set(key, '[redacted]');
    redacted = true;
  }
  return redacted ? `${url.slice(0, at)}?${query}` : url;
}

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level) || (status < 400 && QUIET.has(req.path))) return;
      logger[level](
        {
          req: { id: req.id, method: req.method, url: loggedUrl(req.originalUrl) },
          res: { statusCode: status },
          responseTime: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      );
    });
    next();
  };
}
