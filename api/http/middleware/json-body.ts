import express, { type RequestHandler } from 'express';
import { AppError } from '../../../core/errors/index.js';
import { MAX_INPUT_DEPTH, jsonNestsDeeperThan } from '../../../core/shared/input-text.js';

/**
 * Every JSON body parser of the app (/v1, bulk routes, /api/graphql). Nesting is bounded on the raw text,
 * before JSON.parse builds the value: a body nested thousands deep would otherwise overflow the stack of
 * whatever walks it next (validation, JSON.stringify, the GraphQL executor).
 */
export function jsonBody(limit: string): RequestHandler {
  return express.json({
    limit,
    verify: (_req, _res, raw) => {
      if (jsonNestsDeeperThan(raw)) {
        throw new AppError(
          'request.too_deep',
          400,
          `The request body nests deeper than ${MAX_INPUT_DEPTH} levels.`,
        );
      }
    },
  });
}
