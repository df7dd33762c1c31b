import type { AnyRoute } from '../route.js';
import { v1Routes, type V1Services } from '../v1/routes.js';
import { buildOpenApiDocument } from './document.js';

/** The document `/v1/openapi.json` serves for `routes`. */
export function v1OpenApiDocument(routes: readonly AnyRoute[], version: string): Record<string, unknown> {
  return buildOpenApiDocument(routes, {
    title: 'Heimdall API',
    version,
    description:
      'REST /v1 of Heimdall. Authenticate with an API key: `Authorization: Bearer hm_…`. ' +
      'Errors are `{"error":{"code","message","details?","requestId"}}`; lists take `page` and `per_page` ' +
      '(at most 100) and answer `pagination.total`.',
  });
}

/**
 * The /v1 route declarations without a database or a server behind them, to describe the API where none runs
 * (the REST SDK's types are generated from them at build time). Declaring the routes never calls a service,
 * so every service is a stand-in that throws if a handler ever reached it.
 */
export function v1RouteDeclarations(): AnyRoute[] {
  const unavailable = (name: string): never => {
    throw new Error(`${name} is not available: these routes only describe the API.`);
  };
  const service = (name: string) =>
    new Proxy(() => unavailable(name), {
      get: (_target, method) => () => unavailable(`${name}.${String(method)}`),
    });
  const services = new Proxy({}, { get: (_target, name) => service(String(name)) }) as V1Services;
  return v1Routes(services);
}
