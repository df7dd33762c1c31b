import { AppError } from '../../core/errors/index.js';

/**
 * Values the database refuses as malformed for their column (a uuid filter on "abc", a timestamp in year 0,
 * a string too long for its varchar): the caller's input, not a fault of ours, so 400 rather than 500.
 * Prisma reports them as P2000 (too long), P2007 (invalid input value) and P2020 (out of range), or as a
 * PostgreSQL data exception (SQLSTATE class 22) passed through as P2039. A check constraint refusing a value
 * (23514) is the same kind of refusal: the schema's own rule for what the column holds. Heimdall's own
 * mutations reach the database through the services' knex queries, whose errors carry the SQLSTATE as is.
 */
const PRISMA_INPUT_CODES = new Set(['P2000', 'P2007', 'P2020']);

interface PrismaLike {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
}

/** node-postgres' DatabaseError (the services' knex queries): the SQLSTATE itself, beside a severity. */
const isPgDataException = (err: unknown) => {
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && code.startsWith('22');
};

function isRefusedInput(err: unknown): boolean {
  if (isPgDataException(err)) return true;
  const { code, meta } = err as PrismaLike;
  if (typeof code !== 'string') return false;
  if (PRISMA_INPUT_CODES.has(code)) return true;
  const sqlState = meta?.driverAdapterError?.cause?.originalCode;
  return typeof sqlState === 'string' && (sqlState.startsWith('22') || sqlState === '23514');
}

/** The validation error for a value the database refused, when that is what `err` (or its cause) is. */
export function refusedByDatabase(err: unknown): AppError | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (isRefusedInput(e)) {
      return new AppError(
        'request.validation_failed',
        400,
        'A value in the request does not fit the field it is compared with or stored in (an id that is not a UUID, a date the database cannot hold, text that is too long).',
      );
    }
    const next = e as { originalError?: unknown; cause?: unknown };
    e = next.originalError ?? next.cause;
  }
  return undefined;
}
