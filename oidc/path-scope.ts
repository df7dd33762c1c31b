import type { RequestHandler } from 'express';

/**
 * `handler` for requests at `prefix` or below it only; every other request passes straight on. Pages mounted
 * this way are not walked by requests elsewhere (every /oidc/token call, every API request).
 */
export const onlyUnder =
  (prefix: string, handler: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.path === prefix || req.path.startsWith(`${prefix}/`) ? handler(req, res, next) : next();
