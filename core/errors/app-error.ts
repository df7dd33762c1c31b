/**
 * The one error model: a dotted machine-readable code, an HTTP status, a message a person
 * understands, and optional details that are safe to show. Anything else thrown is an internal error whose
 * text never reaches the client.
 */
export interface ErrorDetails {
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Throws an AppError when `condition` is false; narrows the type like a TypeScript assertion. */
export function assert(
  condition: unknown,
  code: string,
  status: number,
  message: string,
  details?: ErrorDetails,
): asserts condition {
  if (!condition) throw new AppError(code, status, message, details);
}

export const notFound = (code: string, message: string): AppError => new AppError(code, 404, message);
