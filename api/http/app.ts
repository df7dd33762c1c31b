import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerOptions, ServerResponse } from 'node:http';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import type { Authenticator } from '../../core/auth/authenticator.js';
import type { Cache } from '../../core/cache/types.js';
import type { Logger } from '../../core/logger/logger.js';
import type { RateLimiter } from '../../core/rate-limit/limiter.js';
import type { Config } from '../../schemas/config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import { authenticate } from './middleware/authenticate.js';
import { jsonBody } from './middleware/json-body.js';
import { corsMiddleware } from './middleware/cors.js';
import { requestLogger } from './middleware/logger.js';
import { byGraphqlOperation, rateLimit } from './middleware/rate-limit.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders, setProviderEndpointHeaders } from './middleware/security-headers.js';
import { expressServerOptions } from './request-classes.js';
import { mountRoute, type AnyRoute } from './route.js';
import { healthRoutes } from './routes/health.js';

/**
 * What the app needs of Heimdall ID's router (oidc/heimdall-id.ts `HeimdallIdRouter`): its pages, and the
 * provider endpoints served straight from Node's request event. api/ sits beside oidc/, not above it, so it names
 * the shape it uses; server/ hands the router over.
 */
export interface ProviderEndpointsRouter extends Router {
  endpoints: {
    owns(url: string): boolean;
    serve(req: IncomingMessage, res: ServerResponse): void;
    route(url: string): string;
  };
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  primary: Knex;
  audit: Knex;
  cache: Cache;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  /** Every /v1 route; also the source of the OpenAPI document. */
  routes: readonly AnyRoute[];
  /** Extra routers mounted before /v1 (documentation, later OIDC). */
  extra?: readonly Router[];
  /**
   * Heimdall ID at /oidc (absent when oidc.enabled is false): its pages mounted before any body parser, its
   * provider endpoints served before Express.
   */
  oidc?: ProviderEndpointsRouter;
  /** The person's own pages (/account, /policies), served with Heimdall ID and, like it, before any body parser. */
  account?: Router;
  /** The start page (/) and the first-run setup (/setup/…), which parse their own forms. */
  front?: Router;
  /** The admin panel (/admin), which parses its own bodies too. */
  admin?: Router;
  /** The GraphQL handler for /api/graphql (absent when graphql.enabled is false). */
  graphql?: RequestHandler;
  /** Registers other services' metrics (realtime) for /metrics. */
  metrics?: (registry: Registry) => void;
}

/** What the HTTP server is made with: the request listener, and the options it needs (`expressServerOptions`). */
export interface HttpApp {
  listener: RequestListener;
  serverOptions: ServerOptions;
}

/**
 * The Express app, in the order every request meets it: security headers → CORS → request id + logger →
 * metrics → health, pages and docs → auth → rate limit → handler (docs/architecture.md, "The request path").
 * Body parsers are scoped to their routes (never global): oidc-provider, mounted first, reads its own bodies.
 */
export function createApp(deps: AppDeps): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  // Weak ETags hash every response body; API clients here do not revalidate, so that is pure cost.
  app.set('etag', false);
  app.set('trust proxy', deps.config.server.trust_proxy);
  app.set('query parser', 'simple');
  const metrics = createHttpMetrics(deps.metrics);

  app.use(securityHeaders);
  // oidc-provider answers CORS for its own endpoints, by each client's registered origins.
  const corsHandler = corsMiddleware(deps.config.server.cors_origins);
  app.use((req, res, next) => (req.path.startsWith('/oidc/') ? next() : corsHandler(req, res, next)));
  app.use(requestId);
  app.use(requestLogger(deps.logger));
  app.use(metrics.middleware);

  app.use(healthRoutes({ primary: deps.primary, audit: deps.audit, cache: deps.cache, metrics }));
  // oidc-provider reads its own request bodies: nothing before it may consume them.
  if (deps.front) app.use(deps.front);
  if (deps.account) app.use(deps.account);
  if (deps.admin) app.use(deps.admin);
  if (deps.oidc) app.use(deps.oidc);
  for (const router of deps.extra ?? []) app.use(router);

  if (deps.graphql) {
    // The same credential resolution and rate limits as /v1: one AuthContext for every entry point.
    app.use(
      '/api/graphql',
      jsonBody('1mb'),
      authenticate(deps.authenticator, deps.rateLimiter),
      rateLimit(deps.rateLimiter, byGraphqlOperation),
      deps.graphql,
    );
  }

  // Routes declare full paths (`/v1/...`, as the OpenAPI document shows them); the router is mounted at /v1,
  // so requests elsewhere never walk its layers.
  const v1 = Router();
  // Bulk routes (bodyLimit) parse their larger bodies themselves, after authentication and rate limiting;
  // upload routes (rawBody) stream theirs.
  const bulk = new Set(
    deps.routes.filter((r) => r.bodyLimit || r.rawBody).map((r) => `${r.method.toUpperCase()} ${r.path}`),
  );
  const json = jsonBody('1mb');
  v1.use(
    (req, res, next) => (bulk.has(`${req.method} ${req.baseUrl}${req.path}`) ? next() : json(req, res, next)),
    authenticate(deps.authenticator, deps.rateLimiter),
    rateLimit(deps.rateLimiter),
  );
  for (const route of deps.routes) mountRoute(v1, route, '/v1');
  app.use('/v1', v1);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return {
    listener: deps.oidc ? withProviderEndpoints(app, deps.oidc.endpoints, deps.logger, metrics) : app,
    serverOptions: expressServerOptions(app),
  };
}

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const noop = () => undefined;

/**
 * Heimdall ID's provider endpoints (token, JWKS, discovery, …) skip Express altogether: its per-request setup
 * cost as much CPU as a client_credentials grant itself (oidc/heimdall-id.ts, `ProviderEndpoints`). Of the layers above
 * they keep what is seen from outside: the request id (as `requestId` does), the log line and the duration
 * metric (labelled with the provider's route). CORS is oidc-provider's own; /health and the pages stay on
 * Express. The logger reads only what Node's request and response carry, plus `id` and `originalUrl` (set by
 * `serve`).
 */
function withProviderEndpoints(
  app: RequestListener,
  endpoints: ProviderEndpointsRouter['endpoints'],
  logger: Logger,
  metrics: HttpMetrics,
): RequestListener {
  const log = requestLogger(logger);
  return (req, res) => {
    const url = req.url ?? '/';
    if (!endpoints.owns(url)) return app(req, res);
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    setProviderEndpointHeaders(res);
    log(Object.assign(req, { id }) as unknown as Request, res as Response, noop);
    metrics.measure(req, res, endpoints.route(url));
    endpoints.serve(req, res);
  };
}
