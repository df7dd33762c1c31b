import type { Knex } from 'knex';
import { auditMigrations, type AuditStorageSettings } from '../../migrations/audit/index.js';
import { coreMigrations } from '../../migrations/core/index.js';
import type { Migration } from '../../migrations/types.js';

/**
 * Runs knex migrations from our own in-code list (no file discovery, so the same code runs from src and dist).
 * The primary and the audit database keep separate migration tables, so both sets can share one database.
 */
export type MigrationSet = 'core' | 'audit';

export interface MigrationStatus {
  set: MigrationSet;
  completed: string[];
  pending: string[];
}

class ListSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly migrations: readonly Migration[]) {}
  getMigrations(): Promise<Migration[]> {
    return Promise.resolve([...this.migrations]);
  }
  getMigrationName(migration: Migration): string {
    return migration.name;
  }
  getMigration(migration: Migration): Promise<Knex.Migration> {
    return Promise.resolve({ up: migration.up, down: migration.down });
  }
}

function migratorConfig(set: MigrationSet, audit: AuditStorageSettings): Knex.MigratorConfig {
  return {
    migrationSource: new ListSource(set === 'core' ? coreMigrations : auditMigrations(audit)),
    tableName: set === 'core' ? 'knex_migrations' : 'knex_migrations_audit',
  };
}

export interface Migrator {
  /** Applies every pending migration; returns the names applied. */
  up(): Promise<string[]>;
  /** Rolls back the last batch, or everything with `all`; returns the names rolled back. */
  down(all?: boolean): Promise<string[]>;
  status(): Promise<MigrationStatus>;
}

export function createMigrator(knex: Knex, set: MigrationSet, audit: AuditStorageSettings): Migrator {
  const config = migratorConfig(set, audit);
  return {
    async up() {
      const [, names] = (await knex.migrate.latest(config)) as [number, string[]];
      return names;
    },
    async down(all = false) {
      const [, names] = (await knex.migrate.rollback(config, all)) as [number, string[]];
      return names;
    },
    async status() {
      const [completed, pending] = (await knex.migrate.list(config)) as [{ name: string }[], Migration[]];
      return { set, completed: completed.map((m) => m.name), pending: pending.map((m) => m.name) };
    },
  };
}
