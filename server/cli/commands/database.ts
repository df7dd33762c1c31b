import { openDatabases, prepareDatabases, type Databases } from '../../../core/db/databases.js';
import type { Config } from '../../../schemas/config.js';

/** Opens the databases for a one-shot command and always closes them (and embedded PostgreSQL) afterwards. */
export async function withDatabases<T>(config: Config, fn: (databases: Databases) => Promise<T>): Promise<T> {
  const databases = await openDatabases(config);
  try {
    return await fn(databases);
  } finally {
    await databases.close();
  }
}

/** Like withDatabases, after bringing the schema and seeds up to date (commands that need tables). */
export function withPreparedDatabases<T>(
  config: Config,
  fn: (databases: Databases) => Promise<T>,
): Promise<T> {
  return withDatabases(config, async (databases) => {
    await prepareDatabases(databases, config);
    return fn(databases);
  });
}
