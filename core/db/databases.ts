import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../schemas/config.js';
import type { AuditStorageSettings } from '../../migrations/audit/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { createKnex } from './knex.js';
import { createMigrator } from './migrate.js';
import { runSeeds, type SeedResult } from '../../migrations/seeds/run.js';

export { createKnex } from './knex.js';
export { createMigrator, type Migrator, type MigrationSet, type MigrationStatus } from './migrate.js';
export { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';

/**
 * The primary database and the audit database (the same one unless `audit.database.url` is set).
 * Without `database.url`, an embedded PostgreSQL under `data_dir` serves as the primary.
 */
export interface Databases {
  primary: Knex;
  /** Connection URL of the primary (Keystone's Prisma adapter opens its own pool on it). */
  primaryUrl: string;
  audit: Knex;
  /** Set when the primary runs embedded; stopped by close(). */
  embedded?: EmbeddedServer;
  close(): Promise<void>;
}

export function auditStorageSettings(config: Config): AuditStorageSettings {
  return {
    retentionDays: config.audit.retention_days,
    compressionAfterDays: config.audit.compression_after_days,
    chunkIntervalDays: config.audit.chunk_interval_days,
    partitionsAheadWeeks: config.audit.partitions_ahead_weeks,
  };
}

export async function openDatabases(
  config: Config,
  log: (line: string) => void = () => undefined,
): Promise<Databases> {
  let embedded: EmbeddedServer | undefined;
  let url = config.database.url;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dir: path.resolve(config.data_dir, config.database.embedded.dir),
      port: config.database.embedded.port,
      log,
    });
    url = embedded.url;
  }
  const pool = { min: config.database.pool_min, max: config.database.pool_max };
  const knexLog = (level: string, message: string) => log(`knex ${level}: ${message}`);
  const primary = createKnex(url, pool, knexLog);
  const auditUrl = config.audit.database.url;
  const audit = auditUrl && auditUrl !== url ? createKnex(auditUrl, pool, knexLog) : primary;

  let closed: Promise<void> | undefined;
  const databases: Databases = {
    primary,
    primaryUrl: url,
    audit,
    close: () =>
      (closed ??= (async () => {
        await primary.destroy();
        if (audit !== primary) await audit.destroy();
        await embedded?.stop();
      })()),
  };
  if (embedded) databases.embedded = embedded;
  return databases;
}

export interface PrepareResult {
  core: string[];
  audit: string[];
  seeds: SeedResult;
}

/** What `npm start` does before serving: migrate both databases, then seed. */
export async function prepareDatabases(databases: Databases, config: Config): Promise<PrepareResult> {
  const settings = auditStorageSettings(config);
  const core = await createMigrator(databases.primary, 'core', settings).up();
  const audit = await createMigrator(databases.audit, 'audit', settings).up();
  const seeds = await runSeeds(databases.primary);
  return { core, audit, seeds };
}
