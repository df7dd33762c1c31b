import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import type { AnyRoute } from '../route.js';
import { v1OpenApiDocument } from './v1-document.js';

/**
 * `GET /v1/openapi.json` (always) and Swagger UI at `/docs/api/` (unless `server.api_docs = false`).
 * Swagger UI's files come from the `swagger-ui-dist` package: no CDN, so the docs work offline and the page's
 * Content-Security-Policy can stay at 'self'. Our own page and initializer replace the package's demo ones.
 */
const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Heimdall API</title>
  <link rel="stylesheet" href="/docs/api/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/api/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/api/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/api/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  tryItOutEnabled: false,
});
`;

// Swagger UI sets inline styles and loads SVG icons as data: URLs; scripts stay same-origin only.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface ApiDocsOptions {
  routes: readonly AnyRoute[];
  version: string;
  swaggerUi: boolean;
}

export function apiDocsRouter(options: ApiDocsOptions): Router {
  const document = JSON.stringify(v1OpenApiDocument(options.routes, options.version));
  const router = Router();
  router.get('/v1/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  if (!options.swaggerUi) return router;

  // Both spellings: the documentation site's navigation links to /docs/api/, people type /docs/api.
  router.get(['/docs/api', '/docs/api/'], (_req, res) => {
    res.set('Content-Security-Policy', CSP).type('html').send(PAGE);
  });
  router.get('/docs/api/init.js', (_req, res) => {
    res.type('text/javascript').send(INIT);
  });
  router.use(
    '/docs/api/assets',
    express.static(swaggerDir, { index: false, fallthrough: true, maxAge: '1h', immutable: false }),
  );
  return router;
}
