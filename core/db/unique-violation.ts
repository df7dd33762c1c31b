import type { AppError } from '../errors/index.js';

/** PostgreSQL's unique_violation (SQLSTATE 23505): a unique index refused the row. */
export const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown })?.code === '23505';

/**
 * A check-then-insert races with a concurrent request for the same name: PostgreSQL's unique index decides and
 * answers unique_violation. That is the same conflict the check reports, so it gets the same 409; `conflict`
 * receives the violated constraint's name.
 */
export async function conflictOnDuplicate<T>(
  work: () => Promise<T>,
  conflict: (constraint: string) => AppError,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const constraint = (err as { constraint?: unknown }).constraint;
    throw conflict(typeof constraint === 'string' ? constraint : '');
  }
}
