import type { AppError } from '../errors/index.js';

/**
 * A check-then-insert races with a concurrent request for the same name: PostgreSQL's unique index decides and
 * answers unique_violation (SQLSTATE 23505). That is the same conflict the check reports, so it gets the same
 * 409; `conflict` receives the violated constraint's name.
 */
export async function conflictOnDuplicate<T>(
  work: () => Promise<T>,
  conflict: (constraint: string) => AppError,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const pg = err as { code?: unknown; constraint?: unknown };
    if (pg?.code !== '23505') throw err;
    throw conflict(typeof pg.constraint === 'string' ? pg.constraint : '');
  }
}
