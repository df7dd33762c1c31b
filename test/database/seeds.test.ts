import { beforeAll, describe, expect, it } from '@jest/globals';
import { createMigrator } from '../../core/db/migrate.js';
import { runSeeds } from '../../migrations/seeds/run.js';
import { useTestDatabase } from '../support/knex.js';

const settings = {
  retentionDays: 365,
  compressionAfterDays: 30,
  chunkIntervalDays: 7,
  partitionsAheadWeeks: 4,
};

/** The system and API roles, restated here by hand so that the catalogue in schemas/ is checked, not echoed. */
const EXPECTED_ROLES: Record<string, { name: string; twoFactor: boolean; permissions: string[] }> = {
  role_super_admin: { name: 'Super Admin', twoFactor: true, permissions: ['*:*'] },
  role_admin: { name: 'Admin', twoFactor: true, permissions: ['*:*'] },
  role_moderator: {
    name: 'Moderator',
    twoFactor: true,
    permissions: [
      'gps:read',
      'gps:write',
      'gps:delete',
      'users:read',
      'users:ban',
      'stats:read',
      'backend:access',
      'storage:read',
      'storage:write',
      'storage:edit',
      'storage:download',
      'storage:delete',
      'discord:read',
      'discord:guild.read',
      'discord:guild.sync',
      'discord:guild.warn',
      'discord:guild.timeout',
      'discord:guild.kick',
      'discord:guild.ban',
      'twitch:chat.warn',
      'twitch:chat.timeout',
      'twitch:chat.ban',
      'youtube:chat.warn',
      'youtube:chat.timeout',
      'youtube:chat.ban',
    ],
  },
  role_user: { name: 'User', twoFactor: false, permissions: [] },
  role_developer: {
    name: 'Developer',
    twoFactor: true,
    permissions: [
      'oauth_clients:read',
      'oauth_clients:create',
      'oauth_clients:update',
      'oauth_clients:delete',
      'api_keys:read',
      'api_keys:write',
      'api_keys:delete',
      'backend:access',
    ],
  },
  role_api_full_access: { name: 'API Full Access', twoFactor: false, permissions: ['*:*'] },
  role_api_read_only: {
    name: 'API Read Only',
    twoFactor: false,
    permissions: [
      'gps:read',
      'users:read',
      'roles:read',
      'permissions:read',
      'api_keys:read',
      'settings:read',
      'stats:read',
      'oauth_clients:read',
      'two_factor:read',
      'storage:read',
      'storage:download',
      'devices:read',
      'trips:read',
      'trip_categories:read',
      'locations:read',
      'geofences:read',
      'pegel:read',
    ],
  },
};

/** The default permissions, plus users:ban (held by Moderator) and the *:* wildcard. */
const EXPECTED_PERMISSIONS = [
  '*:*',
  'gps:read',
  'gps:write',
  'gps:delete',
  'users:read',
  'users:write',
  'users:delete',
  'users:ban',
  'roles:read',
  'roles:write',
  'roles:delete',
  'permissions:read',
  'permissions:write',
  'permissions:delete',
  'api_keys:read',
  'api_keys:write',
  'api_keys:delete',
  'settings:read',
  'settings:write',
  'settings:delete',
  'stats:read',
  'storage:read',
  'storage:write',
  'storage:edit',
  'storage:download',
  'storage:delete',
  'two_factor:read',
  'two_factor:write',
  'two_factor:manage',
  'oauth_clients:read',
  'oauth_clients:create',
  'oauth_clients:update',
  'oauth_clients:delete',
  'audit:read',
  'audit:write',
  'backend:access',
  'discord:read',
  'discord:edit',
  'discord:delete',
  'discord:bot.admin',
  'discord:guild.read',
  'discord:guild.edit',
  'discord:guild.sync',
  'discord:guild.warn',
  'discord:guild.timeout',
  'discord:guild.kick',
  'discord:guild.ban',
  'integrations:read',
  'integrations:manage',
  'devices:read',
  'devices:write',
  'devices:delete',
  'trips:read',
  'trips:write',
  'trips:delete',
  'trip_categories:read',
  'trip_categories:write',
  'trip_categories:delete',
  'locations:read',
  'locations:write',
  'locations:delete',
  'geofences:read',
  'geofences:write',
  'geofences:delete',
  'pegel:read',
  'twitch:read',
  'twitch:edit',
  'twitch:chat.warn',
  'twitch:chat.timeout',
  'twitch:chat.ban',
  'youtube:read',
  'youtube:edit',
  'youtube:chat.warn',
  'youtube:chat.timeout',
  'youtube:chat.ban',
  'realtime:subscribe',
  'realtime:publish',
];

describe('seeds', () => {
  const t = useTestDatabase();
  let first: Awaited<ReturnType<typeof runSeeds>>;
  beforeAll(async () => {
    await createMigrator(t.db, 'core', settings).up();
    first = await runSeeds(t.db);
  });

  it('seeds the platforms with github, kick, steam and trovo disabled', async () => {
    const rows = await t.db('Platform').select('id', 'enabled').orderBy('display_order');
    expect(rows).toEqual([
      { id: 'email', enabled: true },
      { id: 'twitch', enabled: true },
      { id: 'discord', enabled: true },
      { id: 'github', enabled: false },
      { id: 'google', enabled: true },
      { id: 'kick', enabled: false },
      { id: 'steam', enabled: false },
      { id: 'trovo', enabled: false },
    ]);
  });

  it('seeds exactly the permission catalogue, with descriptions and display order per resource', async () => {
    const rows = await t.db('Permission').select('id', 'resource', 'action', 'description', 'display_order');
    expect(rows.map((r) => r.id).sort()).toEqual([...EXPECTED_PERMISSIONS].sort());
    for (const row of rows) {
      expect(row.id).toBe(`${row.resource}:${row.action}`);
      expect(row.description).toEqual(expect.any(String));
    }
    const discord = rows
      .filter((r) => r.resource === 'discord')
      .sort((a, b) => a.display_order - b.display_order);
    expect(discord.map((r) => r.action)).toEqual([
      'read',
      'edit',
      'delete',
      'bot.admin',
      'guild.read',
      'guild.edit',
      'guild.sync',
      'guild.warn',
      'guild.timeout',
      'guild.kick',
      'guild.ban',
    ]);
    expect(discord.map((r) => r.display_order)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await t.db('Permission').where({ admin_only: true }).pluck('id')).toEqual(
      expect.arrayContaining(['*:*', 'two_factor:manage']),
    );
  });

  it('seeds the system and API roles with exactly their permission sets and 2FA flags', async () => {
    const roles = await t.db('Role').select('id', 'name', 'is_system', 'requires_two_factor');
    expect(roles.map((r) => r.id).sort()).toEqual(Object.keys(EXPECTED_ROLES).sort());
    for (const role of roles) {
      const expected = EXPECTED_ROLES[role.id]!;
      expect({ name: role.name, twoFactor: role.requires_two_factor, system: role.is_system }).toEqual({
        name: expected.name,
        twoFactor: expected.twoFactor,
        system: true,
      });
      const permissions = await t.db('RolePermission').where({ role_id: role.id }).pluck('permission_id');
      expect(permissions.sort()).toEqual([...expected.permissions].sort());
    }
    expect(first).toEqual({
      platforms: 8,
      permissions: EXPECTED_PERMISSIONS.length,
      roles: 7,
      rolePermissions: Object.values(EXPECTED_ROLES).reduce((n, r) => n + r.permissions.length, 0),
    });
  });

  it('changes nothing when run again, and never undoes or removes what an admin did', async () => {
    await t.db('Role').insert({ id: 'role_gps_manager', name: 'GPS Manager' });
    await t.db('RolePermission').insert({ role_id: 'role_gps_manager', permission_id: 'gps:write' });
    await t.db('RolePermission').where({ role_id: 'role_moderator', permission_id: 'gps:delete' }).delete();
    await t.db('Permission').where({ id: 'gps:read' }).update({ description: 'Edited by an admin' });
    const counts = async () => ({
      permissions: (await t.db('Permission').count({ n: '*' }))[0]!.n,
      roles: (await t.db('Role').count({ n: '*' }))[0]!.n,
      rolePermissions: (await t.db('RolePermission').count({ n: '*' }))[0]!.n,
      platforms: (await t.db('Platform').count({ n: '*' }))[0]!.n,
    });
    const before = await counts();

    expect(await runSeeds(t.db)).toEqual({ platforms: 0, permissions: 0, roles: 0, rolePermissions: 0 });
    expect(await counts()).toEqual(before);
    expect(await t.db('Role').where({ id: 'role_gps_manager' })).toHaveLength(1);
    expect(
      await t.db('RolePermission').where({ role_id: 'role_moderator', permission_id: 'gps:delete' }),
    ).toEqual([]);
    expect((await t.db('Permission').where({ id: 'gps:read' }).first()).description).toBe(
      'Edited by an admin',
    );
  });

  it('serialises concurrent runs (several nodes starting at once)', async () => {
    const results = await Promise.all([runSeeds(t.db), runSeeds(t.db), runSeeds(t.db)]);
    expect(results.every((r) => r.permissions === 0 && r.roles === 0)).toBe(true);
  });
});
