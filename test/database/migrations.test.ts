import { describe, expect, it } from '@jest/globals';
import { createMigrator } from '../../core/db/migrate.js';
import { useTestDatabase } from '../support/knex.js';
import { coreMigrations } from '../../migrations/core/index.js';

const settings = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};

const SEED_TABLES = [
  'User',
  'Platform',
  'PlatformAccount',
  'Session',
  'ApiKey',
  'Role',
  'Permission',
  'UserRole',
  'ApiKeyRole',
  'RolePermission',
  'OAuthClient',
  'OAuthConsent',
  'DataExportLog',
  'UserTwoFactor',
  'TwoFactorBackupCode',
  'Setting',
  'GpsData',
  'UserBan',
];

describe('core and audit migrations', () => {
  const t = useTestDatabase();

  async function tables(): Promise<string[]> {
    const { rows } = await t.db.raw<{ rows: { table_name: string }[] }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    return rows.map((r) => r.table_name);
  }

  async function columns(table: string): Promise<Record<string, string>> {
    const { rows } = await t.db.raw<{
      rows: { column_name: string; data_type: string; is_nullable: string }[];
    }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position`,
      [table],
    );
    return Object.fromEntries(
      rows.map((r) => [r.column_name, `${r.data_type}${r.is_nullable === 'NO' ? ' not null' : ''}`]),
    );
  }

  it('goes up, down and up again', async () => {
    const core = createMigrator(t.db, 'core', settings);
    const audit = createMigrator(t.db, 'audit', settings);
    expect((await core.status()).pending).toHaveLength(coreMigrations.length);

    expect(await core.up()).toHaveLength(coreMigrations.length);
    expect(await audit.up()).toEqual(['0001_audit_event', '0002_audit_event_counts']);
    expect(await tables()).toEqual(
      expect.arrayContaining([...SEED_TABLES, 'AuditEvent', 'AuditEventHourly', 'AuditEventDaily']),
    );

    expect(await audit.down(true)).toEqual(['0002_audit_event_counts', '0001_audit_event']);
    expect(await core.down(true)).toHaveLength(coreMigrations.length);
    expect((await tables()).filter((name) => !name.startsWith('knex_'))).toEqual([]);

    expect(await core.up()).toHaveLength(coreMigrations.length);
    expect(await audit.up()).toHaveLength(2);
    expect(await core.up()).toEqual([]);
    expect((await core.status()).completed).toHaveLength(coreMigrations.length);
  });

  it('creates the core tables with their exact columns and types', async () => {
    expect(await columns('User')).toEqual({
      id: 'uuid not null',
      username: 'text not null',
      primary_platform_account_id: 'uuid',
      privacy_mode: 'boolean not null',
      preferred_locale: 'character varying',
      created_at: 'timestamp with time zone not null',
      updated_at: 'timestamp with time zone not null',
      last_login_at: 'timestamp with time zone',
      last_login_platform_account_id: 'uuid',
      deleted_at: 'timestamp with time zone',
    });
    expect(await columns('ApiKey')).toEqual({
      id: 'uuid not null',
      key_hash: 'text not null',
      key_prefix: 'text not null',
      name: 'text not null',
      description: 'text',
      user_id: 'uuid',
      scopes: 'ARRAY not null',
      is_active: 'boolean not null',
      is_system: 'boolean not null',
      expires_at: 'timestamp with time zone',
      last_used_at: 'timestamp with time zone',
      created_at: 'timestamp with time zone not null',
    });
    expect(await columns('Session')).toEqual({
      id: 'uuid not null',
      user_id: 'uuid not null',
      session_token: 'text not null',
      expires: 'timestamp with time zone not null',
      ip_address: 'text',
      user_agent: 'text',
      last_activity_at: 'timestamp with time zone',
      provider: 'text',
      created_at: 'timestamp with time zone not null',
      // When the session's second factor was checked (two-factor authentication).
      two_factor_verified_at: 'timestamp with time zone',
    });
    expect(Object.keys(await columns('PlatformAccount'))).toEqual([
      'id',
      'platform_id',
      'platform_user_id',
      'username',
      'email',
      'avatar_url',
      'password_hash',
      'email_verified_at',
      'user_id',
      'created_at',
      'updated_at',
      // The name a platform shows beside the login name (social sign-in).
      'display_name',
      // A linked Google account's YouTube channel: live chat names its authors by channel.
      'youtube_channel_id',
    ]);
    expect(await columns('PlatformToken')).toEqual({
      platform_account_id: 'uuid not null',
      access_token_encrypted: 'text not null',
      refresh_token_encrypted: 'text',
      token_type: 'text not null',
      scopes: 'ARRAY not null',
      expires_at: 'timestamp with time zone',
      status: 'text not null',
      invalid_reason: 'text',
      invalid_at: 'timestamp with time zone',
      refreshed_at: 'timestamp with time zone',
      created_at: 'timestamp with time zone not null',
      updated_at: 'timestamp with time zone not null',
    });
    expect(Object.keys(await columns('Role'))).toEqual([
      'id',
      'name',
      'description',
      'is_system',
      'requires_two_factor',
      'created_at',
    ]);
    expect(Object.keys(await columns('Permission'))).toEqual([
      'id',
      'resource',
      'action',
      'description',
      'admin_only',
      'display_order',
      'created_at',
    ]);
    expect(Object.keys(await columns('OAuthConsent'))).toEqual([
      'id',
      'user_id',
      'client_id',
      'scopes',
      'created_at',
      'updated_at',
    ]);
    expect(await columns('DataExportLog')).toMatchObject({ ip_address: 'inet', file_size_bytes: 'bigint' });
    expect(Object.keys(await columns('AuditEvent'))).toEqual([
      'id',
      'user_id',
      'event_type',
      'resource_type',
      'resource_id',
      'actor_id',
      'ip_address',
      'user_agent',
      'description',
      'metadata',
      'status',
      'error_message',
      'country_code',
      'country_name',
      'city',
      'region',
      'source_service',
      'is_reported',
      'created_at',
    ]);
  });

  it('indexes every foreign key', async () => {
    // A foreign key is covered when some index starts with its column(s).
    const { rows } = await t.db.raw<{ rows: { constraint: string; covered: boolean }[] }>(`
      SELECT c.conname AS constraint,
             EXISTS (SELECT 1 FROM pg_index i
                     WHERE i.indrelid = c.conrelid
                       AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey) AS covered
      FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`);
    expect(rows.length).toBeGreaterThan(15);
    expect(rows.filter((r) => !r.covered).map((r) => r.constraint)).toEqual([]);
  });

  it('enforces unique usernames and emails regardless of case, and cascades user deletion', async () => {
    await t.db('Platform').insert({ id: 'email', name: 'Email' }).onConflict('id').ignore();
    const [user] = await t.db('User').insert({ username: 'Alice' }).returning('id');
    await expect(t.db('User').insert({ username: 'alice' })).rejects.toThrow(/User_username_lower_key/);
    await t.db('PlatformAccount').insert({
      platform_id: 'email',
      platform_user_id: 'alice@example.com',
      username: 'Alice',
      user_id: user.id,
    });
    const [other] = await t.db('User').insert({ username: 'bob' }).returning('id');
    await expect(
      t.db('PlatformAccount').insert({
        platform_id: 'email',
        platform_user_id: 'ALICE@example.com',
        username: 'Bob',
        user_id: other.id,
      }),
    ).rejects.toThrow(/PlatformAccount_email_user_id_lower_key/);
    await t.db('User').where({ id: user.id }).delete();
    expect(await t.db('PlatformAccount').where({ user_id: user.id })).toHaveLength(0);
  });

  it('keeps updated_at current on update', async () => {
    await t.db('Setting').insert({ key: 'site.name', value: JSON.stringify('Heimdall') });
    const before = await t.db('Setting').where({ key: 'site.name' }).first();
    await new Promise((r) => setTimeout(r, 20));
    await t
      .db('Setting')
      .where({ key: 'site.name' })
      .update({ value: JSON.stringify('Other') });
    const after = await t.db('Setting').where({ key: 'site.name' }).first();
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
  });
});
