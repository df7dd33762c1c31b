import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { isUniqueViolation } from '../../core/db/unique-violation.js';
import { AppError } from '../../core/errors/index.js';
import type { Logger } from '../../core/logger/logger.js';

/**
 * The one error shape (docs/api.md, "Errors"): `{"error":{"code","message","details?","requestId"}}`.
 * Internal errors are logged with their stack and answered with a generic message: no stack or SQL leaks.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return new AppError('request.validation_failed', 400, 'The request is not valid.', {
      fields: err.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    });
  }
  const e = err as { type?: string; status?: number; expose?: boolean };
  // The router decodes path parameters; malformed percent-encoding (`%ZZ`, overlong `%C0%AE`) is the caller's.
  if (err instanceof URIError && e.status === 400) {
    return new AppError(
      'request.invalid_path',
      400,
      'The request path holds malformed percent-encoding (a "%" not followed by valid UTF-8 in hex).',
    );
  }
  // Errors raised by express' body parsers carry a type and a 4xx status.
  if (e?.type === 'entity.parse.failed')
    return new AppError('request.invalid_json', 400, 'The request body is not valid JSON.');
  if (e?.type === 'entity.too.large')
    return new AppError('request.too_large', 413, 'The request body is too large.');
  // A unique index refused a row a service did not foresee a race for: still a conflict, never a 500.
  if (isUniqueViolation(err))
    return new AppError('request.conflict', 409, 'This conflicts with something that already exists.');
  if (e?.expose && typeof e.status === 'number' && e.status < 500) {
    return new AppError('request.invalid', e.status, 'The request could not be processed.');
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('route.not_found', 404, `No route for ${req.method} ${req.path}.`));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toAppError(err);
    if (!known) logger.error({ err, requestId: req.id }, 'unhandled error');
    const error =
      known ?? new AppError('internal_error', 500, 'Something went wrong on our side. Try again later.');
    const body: ErrorBody = { error: { code: error.code, message: error.message, requestId: req.id } };
    if (error.details) body.error.details = error.details;
    if (res.headersSent) return;
    res.status(error.status).json(body);
  };
}
