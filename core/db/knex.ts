import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// BIGINT (int8) counts and sizes fit comfortably in a JS number for our data; parse them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PoolSettings {
  min: number;
  max: number;
}

/** Where knex's own warnings go; by default nowhere (failures surface as rejected queries and in /ready). */
export type KnexLog = (level: 'warn' | 'error' | 'debug', message: string) => void;

export function createKnex(
  url: string,
  pool: PoolSettings = { min: 0, max: 10 },
  log: KnexLog = () => undefined,
): Knex {
  const forward = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    log(level, message instanceof Error ? message.message : String(message));
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'heimdall' },
    pool: { min: pool.min, max: pool.max },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: forward('warn'),
      error: forward('error'),
      debug: forward('debug'),
      deprecate: forward('warn'),
    },
  });
}
