import type { Knex } from 'knex';
import type { Cache } from '../cache/types.js';

/** The state of one dependency as /ready and the start page report it. */
export type CheckState = 'ok' | 'unreachable' | 'not_configured';

export interface DependencyChecks {
  database: CheckState;
  /** Present only when the audit log has a database of its own. */
  audit_database?: CheckState;
  redis: CheckState;
}

const CHECK_TIMEOUT_MS = 2000;

async function probe(fn: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

/** Asks each dependency at once, none for longer than two seconds: a hung one must not hang the probe. */
export async function checkDependencies(deps: {
  primary: Knex;
  audit: Knex;
  cache: Cache;
}): Promise<DependencyChecks> {
  const [database, auditDb, redis] = await Promise.all([
    probe(() => deps.primary.raw('select 1')),
    deps.audit === deps.primary ? Promise.resolve(undefined) : probe(() => deps.audit.raw('select 1')),
    deps.cache.kind === 'redis'
      ? probe(() => deps.cache.ping())
      : Promise.resolve<CheckState>('not_configured'),
  ]);
  return { database, ...(auditDb ? { audit_database: auditDb } : {}), redis };
}

/** The names of the dependencies that did not answer. */
export const unreachable = (checks: DependencyChecks): string[] =>
  Object.entries(checks)
    .filter(([, state]) => state === 'unreachable')
    .map(([name]) => name);
