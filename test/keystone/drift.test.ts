import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createMigrator } from '../../core/db/migrate.js';
import { PRISMA_SCHEMA_FILE } from '../../keystone/artifacts.js';
import { schemaDrift } from '../../keystone/drift.js';
import { createKnex } from '../../core/db/knex.js';
import { createTestDatabase } from '../support/database.js';
import { useTestDatabase } from '../support/knex.js';

const AUDIT = { retentionDays: 365, compressionAfterDays: 30, chunkIntervalDays: 7, partitionsAheadWeeks: 4 };

/** Tables in the primary database that Keystone does not model. */
const NOT_IN_KEYSTONE = [
  'Session',
  'UserTwoFactor',
  'TwoFactorBackupCode',
  'UserBan',
  'OidcPayload',
  'OidcPayload_short_lived',
  'OidcPayload_long_lived',
  'OidcSigningKey',
  'AccountToken',
  'PlatformToken',
  // Served by REST only: bots' warnings, deletion requests, stored files' metadata, data export jobs, avatars.
  'BotWarning',
  'AccountDeletion',
  'StoredFile',
  'DataExport',
  'UserAvatar',
  'knex_migrations',
  'knex_migrations_lock',
  'knex_migrations_audit',
  'knex_migrations_audit_lock',
  'heimdall_seed_applied',
];

describe('Keystone lists ↔ migrated database', () => {
  const t = useTestDatabase();
  let prismaSchema: string;
  beforeAll(async () => {
    await createMigrator(t.db, 'core', AUDIT).up();
    prismaSchema = await readFile(PRISMA_SCHEMA_FILE, 'utf8');
  });

  it('the Prisma schema Keystone generates matches the migrated database exactly', async () => {
    const sql = await schemaDrift({
      databaseUrl: t.database.url,
      prismaSchema,
      externalTables: NOT_IN_KEYSTONE,
    });
    expect(sql).toBe('');
  });

  it('catches a list that no longer matches its table', async () => {
    const edited = prismaSchema.replace(
      /\n\s*altitude\s+Float\?[^\n]*/,
      '\n  heading Float? @map("heading")',
    );
    const sql = await schemaDrift({
      databaseUrl: t.database.url,
      prismaSchema: edited,
      externalTables: NOT_IN_KEYSTONE,
    });
    expect(sql).toContain('DROP COLUMN "altitude"');
    expect(sql).toContain('ADD COLUMN     "heading" DOUBLE PRECISION');
  });

  it('catches a migration that changes a table under a list (on a scratch database)', async () => {
    const scratch = await createTestDatabase('heimdall_drift');
    const db = createKnex(scratch.url, { min: 0, max: 2 });
    try {
      await createMigrator(db, 'core', AUDIT).up();
      // What a careless migration might do: a new NOT NULL column, a type change, a dropped unique rule.
      await db.raw(`
        ALTER TABLE "GpsData" ADD COLUMN accuracy REAL NOT NULL DEFAULT 0;
        ALTER TABLE "Platform" ALTER COLUMN display_order TYPE BIGINT;
        ALTER TABLE "UserRole" DROP CONSTRAINT "UserRole_user_id_role_id_key";`);
      const sql = await schemaDrift({
        databaseUrl: scratch.url,
        prismaSchema,
        externalTables: NOT_IN_KEYSTONE,
      });
      expect(sql).toContain('ALTER TABLE "GpsData" DROP COLUMN "accuracy"');
      expect(sql).toContain('ALTER COLUMN "display_order" SET DATA TYPE INTEGER');
      expect(sql).toContain('CREATE UNIQUE INDEX "UserRole_user_id_role_id_key"');
    } finally {
      await db.destroy();
      await scratch.drop();
    }
  });
});
