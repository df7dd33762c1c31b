import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * Every request gets an id that appears in its log lines, its error body and the `X-Request-Id` response header.
 * A well-formed id from a trusted proxy is kept so that one id follows the request across services.
 */
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  req.id = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  next();
};
