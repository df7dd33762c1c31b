import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Request } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics (`GET /metrics`). The route label is the matched route pattern (`/v1/users/:id`), never the
 * raw URL, so that label cardinality stays bounded; unmatched requests share one label.
 */
export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
  /** The same measurement for a request served outside Express (the provider endpoints), with its route. */
  measure(req: IncomingMessage, res: ServerResponse, route: string): void;
}

function routeLabel(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched';
}

/** `extra` registers the metrics of other services of the process (realtime) on the same registry. */
export function createHttpMetrics(extra?: (registry: Registry) => void): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heimdall_' });
  extra?.(registry);
  const duration = new Histogram({
    name: 'heimdall_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const measure = (req: IncomingMessage, res: ServerResponse, route: string | (() => string)) => {
    const end = duration.startTimer();
    res.once('finish', () =>
      end({
        method: req.method ?? 'GET',
        route: typeof route === 'string' ? route : route(),
        status_code: String(res.statusCode),
      }),
    );
  };
  const middleware: RequestHandler = (req, res, next) => {
    measure(req, res, () => routeLabel(req));
    next();
  };
  return { registry, middleware, measure };
}
