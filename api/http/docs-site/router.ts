import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import express, { Router } from 'express';
import { docsSiteCsp, inlineScriptHashes } from './csp.js';

/** Whether `npm run build` wrote the site to `dir` (a checkout that was never built has none). */
export const docsSiteBuilt = (dir: string): boolean => existsSync(path.join(dir, 'index.html'));

/**
 * The documentation site at /docs: VitePress's static build (`npm run build` writes it to dist/docs-site).
 * Hashed bundles under /docs/assets never change, so browsers keep them for a year; pages, the search index's
 * hash map and icons are revalidated by ETag on every visit, so a new release shows at once. Swagger UI at
 * /docs/api is mounted before this router and is not part of the build.
 */
export function docsSiteRouter(options: { dir: string }): Router {
  const router = Router();
  if (!docsSiteBuilt(options.dir)) return router;

  const csp = docsSiteCsp(inlineScriptHashes(options.dir));
  const setHeaders = (res: ServerResponse, file: string) => {
    const immutable = path.relative(options.dir, file).startsWith(`assets${path.sep}`);
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (file.endsWith('.html')) res.setHeader('Content-Security-Policy', csp);
  };
  // The client router knows the site only under its base, /docs/ with the slash.
  router.get('/docs', (req, res, next) => {
    if (req.path !== '/docs') return next();
    const query = req.originalUrl.indexOf('?');
    res.redirect(301, `/docs/${query === -1 ? '' : req.originalUrl.slice(query)}`);
  });
  router.use(
    '/docs',
    express.static(options.dir, { index: 'index.html', redirect: false, fallthrough: true, setHeaders }),
  );
  // VitePress's own not-found page, with the status a crawler or link checker needs to see.
  router.get(/^\/docs\//, (_req, res) => {
    res.status(404).setHeader('Content-Security-Policy', csp);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(options.dir, '404.html'), { cacheControl: false });
  });
  return router;
}
