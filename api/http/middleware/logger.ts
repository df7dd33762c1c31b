import type { RequestHandler } from 'express';
import type { Logger } from '../../../core/logger/logger.js';

/**
 * One JSON log line per finished request, tagged with the request id: 5xx are errors, 4xx warnings.
 * Hand-rolled rather than pino-http, which builds a child logger per request: a cost every request would pay
 * for nothing this line needs (docs/performance.md). Successful probe requests (/health, /metrics) are not
 * logged.
 */
const QUIET = new Set(['/health', '/metrics']);

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level) || (status < 400 && QUIET.has(req.path))) return;
      logger[level](
        {
          req: { id: req.id, method: req.method, url: req.originalUrl },
          res: { statusCode: status },
          responseTime: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      );
    });
    next();
  };
}
