/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

const UA = 'graphql-mutations-test/1.0';

describe('GraphQL mutations run through the same services as REST', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__SERVER__TRUST_PROXY: 'true',
  });
  let adminId: string;
  let admin: ReturnType<typeof graphqlClient>;
  let managerKey: string;

  beforeAll(async () => {
    adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    const key = (await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] })).key;
    admin = graphqlClient(t.url, key, { 'x-forwarded-for': '81.2.69.142', 'user-agent': UA });
    // A user manager: may change users, holds nothing else (so cannot hand out bigger roles).
    await t.db('Role').insert({ id: 'role_user_manager', name: 'User manager' });
    await t.db('RolePermission').insert([
      { role_id: 'role_user_manager', permission_id: 'users:read' },
      { role_id: 'role_user_manager', permission_id: 'users:write' },
    ]);
    const manager = await createUser(t.db, { roleIds: ['role_user_manager'] });
    managerKey = (await createKey(t.db, { userId: manager, roleIds: ['role_api_full_access'] })).key;
  });

  const events = async (type: string, resourceId: string) => {
    await t.platform.services.audit.flush();
    return t.db('AuditEvent').where({ event_type: type, resource_id: resourceId }).orderBy('created_at');
  };

  it('updateUser answers the Keystone User, records user_updated with actor, address and agent', async () => {
    const id = await createUser(t.db, { roleIds: ['role_user'] });
    const res = await admin(
      `mutation { updateUser(id: "${id}", data: { preferredLocale: "de", privacyMode: true }) { id preferredLocale privacyMode roles { role { id } } } }`,
    );
    expect(res.errors).toEqual([]);
    expect(res.data.updateUser).toEqual({
      id,
      preferredLocale: 'de',
      privacyMode: true,
      roles: [{ role: { id: 'role_user' } }],
    });
    expect(await events('user_updated', id)).toEqual([
      expect.objectContaining({
        actor_id: adminId,
        user_id: id,
        ip_address: '81.2.69.142',
        user_agent: UA,
        source_service: 'api',
      }),
    ]);
    const bad = await admin(`mutation { updateUser(id: "${id}", data: { preferredLocale: "fr" }) { id } }`);
    expect(bad.errors[0]?.extensions).toMatchObject({
      code: 'request.validation_failed',
      details: { fields: [expect.objectContaining({ field: 'preferred_locale' })] },
    });
  });

  it('the escalation guard holds: nobody hands out a role they do not hold', async () => {
    const id = await createUser(t.db, { roleIds: ['role_user'] });
    const manager = graphqlClient(t.url, managerKey);
    const refused = await manager(`mutation { assignRole(userId: "${id}", roleId: "role_admin") { id } }`);
    expect(refused.errors[0]?.extensions).toMatchObject({ code: 'auth.escalation_denied' });
    expect(await t.db('UserRole').where({ user_id: id, role_id: 'role_admin' })).toEqual([]);
    // The same manager may give what they hold.
    const allowed = await manager(
      `mutation { assignRole(userId: "${id}", roleId: "role_user_manager") { id } }`,
    );
    expect(allowed.errors).toEqual([]);
  });

  it('assignRole and removeRole take effect at once (caches invalidated) and are audited', async () => {
    const id = await createUser(t.db, { roleIds: ['role_user'], twoFactor: true });
    const theirKey = (await createKey(t.db, { userId: id, roleIds: ['role_api_full_access'] })).key;
    const canBan = async () =>
      (await graphqlClient(t.url, theirKey)('{ can(resource: "users", action: "ban") }')).data.can;
    expect(await canBan()).toBe(false); // now cached on this node
    const given = await admin(
      `mutation { assignRole(userId: "${id}", roleId: "role_moderator") { roles { role { id } } } }`,
    );
    expect(given.data.assignRole.roles.map((r: any) => r.role.id).sort()).toEqual([
      'role_moderator',
      'role_user',
    ]);
    expect(await canBan()).toBe(true);
    await admin(`mutation { removeRole(userId: "${id}", roleId: "role_moderator") { id } }`);
    expect(await canBan()).toBe(false);
    await t.platform.services.audit.flush();
    const types = await t
      .db('AuditEvent')
      .where({ user_id: id, resource_id: 'role_moderator' })
      .orderBy('created_at')
      .pluck('event_type');
    expect(types).toEqual(['role_assigned', 'role_removed']);
  });

  it('API keys: created (secret shown once), updated, rotated and revoked', async () => {
    const created = await admin(
      'mutation { createApiKey(data: { name: "from graphql", scopes: ["users:read"] }) { key apiKey { id name scopes keyPrefix } } }',
    );
    expect(created.errors).toEqual([]);
    const { key, apiKey } = created.data.createApiKey;
    expect(key).toMatch(/^hm_/);
    expect(apiKey).toMatchObject({
      name: 'from graphql',
      scopes: ['users:read'],
      keyPrefix: key.slice(0, 11),
    });
    expect((await call(t.url, 'GET', '/v1/me', { key })).status).toBe(200);

    const renamed = await admin(
      `mutation { updateApiKey(id: "${apiKey.id}", data: { name: "renamed" }) { name } }`,
    );
    expect(renamed.data.updateApiKey).toEqual({ name: 'renamed' });
    const rotated = await admin(`mutation { rotateApiKey(id: "${apiKey.id}") { key } }`);
    expect((await call(t.url, 'GET', '/v1/me', { key })).status).toBe(401);
    const next = rotated.data.rotateApiKey.key;
    expect((await call(t.url, 'GET', '/v1/me', { key: next })).status).toBe(200);
    expect((await admin(`mutation { deleteApiKey(id: "${apiKey.id}") }`)).data.deleteApiKey).toBe(apiKey.id);
    expect((await call(t.url, 'GET', '/v1/me', { key: next })).status).toBe(401);
    const types =
      (await events('api_key_updated', apiKey.id)).length +
      (await events('api_key_revoked', apiKey.id)).length;
    expect(types).toBe(3);
    const escalation = await graphqlClient(
      t.url,
      managerKey,
    )('mutation { createApiKey(data: { name: "x", roleIds: ["role_admin"] }) { key } }');
    expect(codes(escalation)).toEqual(['auth.escalation_denied']);
  });

  it('roles and permissions: create, change, grant, revoke, delete — each a permission_changed event', async () => {
    const action = uniqueName('act').toLowerCase();
    const perm = await admin(
      `mutation { createPermission(data: { resource: "reports", action: "${action}" }) { id resource } }`,
    );
    expect(perm.errors).toEqual([]);
    const permissionId = `reports:${action}`;
    const role = await admin(
      `mutation { createRole(data: { name: "${uniqueName('Reporter')}", permissionIds: ["gps:read"] }) { id permissions { permission { id } } } }`,
    );
    expect(role.errors).toEqual([]);
    const roleId = role.data.createRole.id;
    await admin(`mutation { updateRole(id: "${roleId}", data: { description: "reads reports" }) { id } }`);
    const granted = await admin(
      `mutation { addRolePermission(roleId: "${roleId}", permissionId: "${permissionId}") { permissions { permission { id } } } }`,
    );
    expect(granted.data.addRolePermission.permissions.map((p: any) => p.permission.id).sort()).toEqual([
      'gps:read',
      permissionId,
    ]);
    await admin(`mutation { removeRolePermission(roleId: "${roleId}", permissionId: "gps:read") { id } }`);
    expect((await admin(`mutation { deleteRole(id: "${roleId}") }`)).data.deleteRole).toBe(roleId);
    expect((await admin(`mutation { deletePermission(id: "${permissionId}") }`)).data.deletePermission).toBe(
      permissionId,
    );
    await t.platform.services.audit.flush();
    const actions = await t
      .db('AuditEvent')
      .where({ event_type: 'permission_changed', resource_id: roleId })
      .orderBy('created_at')
      .select('metadata');
    expect(actions.map((a: any) => a.metadata.action)).toEqual([
      'role_created',
      'role_updated',
      'permission_added',
      'permission_removed',
      'role_deleted',
    ]);
    const denied = await graphqlClient(
      t.url,
      managerKey,
    )('mutation { createRole(data: { name: "Nope" }) { id } }');
    expect(codes(denied)).toEqual(['auth.forbidden']);
  });

  it('deleteUser and bans go through the user service', async () => {
    const id = await createUser(t.db, { roleIds: ['role_user'] });
    const banned = await admin(`mutation { banUser(id: "${id}", reason: "spam") { id } }`);
    expect(banned.errors).toEqual([]);
    expect(await events('user_banned', id)).toHaveLength(1);
    await admin(`mutation { unbanUser(id: "${id}") { id } }`);
    expect((await admin(`mutation { deleteUser(id: "${id}") }`)).data.deleteUser).toBe(id);
    expect(await events('user_deleted', id)).toHaveLength(1);
    const selfDelete = await admin(`mutation { deleteUser(id: "${adminId}") }`);
    expect(selfDelete.errors[0]?.extensions?.code).toMatch(/^(user|auth)\./);
  });

  it('settings, platforms and GPS data changed through Keystone each leave an audit event with the actor', async () => {
    const steps = [
      'mutation { createSetting(id: "custom.motto", value: "hi", isPublic: true) { id } }',
      'mutation { updateSetting(where: { id: "custom.motto" }, data: { value: "ho" }) { id } }',
      'mutation { deleteSetting(where: { id: "custom.motto" }) { id } }',
      'mutation { createPlatform(id: "mastodon", name: "Mastodon", enabled: false) { id } }',
      'mutation { updatePlatform(where: { id: "mastodon" }, data: { enabled: true }) { id } }',
      'mutation { deletePlatform(where: { id: "mastodon" }) { id } }',
    ];
    for (const step of steps) expect((await admin(step)).errors).toEqual([]);
    const point = await admin(
      'mutation { createGpsData(data: { latitude: 1, longitude: 2, timestamp: "2026-11-23T00:00:00Z" }) { id } }',
    );
    const pointId = point.data.createGpsData.id as string;
    expect((await admin(`mutation { deleteGpsData(where: { id: "${pointId}" }) { id } }`)).errors).toEqual(
      [],
    );
    const trail = async (type: string, id: string) =>
      (await events(type, id)).map((e: any) => [
        e.metadata.operation,
        e.actor_id,
        e.ip_address,
        e.user_agent,
      ]);
    const by = (operation: string) => [operation, adminId, '81.2.69.142', UA];
    expect(await trail('setting_changed', 'custom.motto')).toEqual([
      by('create'),
      by('update'),
      by('delete'),
    ]);
    expect(await trail('platform_changed', 'mastodon')).toEqual([by('create'), by('update'), by('delete')]);
    expect(await trail('gps_data_changed', pointId)).toEqual([by('create'), by('delete')]);
    const [setting] = await events('setting_changed', 'custom.motto');
    expect(JSON.stringify(setting)).not.toMatch(/"h[io]"/);
  });
});

describe('OAuth clients through GraphQL (oauth_clients:*; a Developer manages their own)', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let dev: ReturnType<typeof graphqlClient>;
  let otherDev: ReturnType<typeof graphqlClient>;
  let admin: ReturnType<typeof graphqlClient>;
  let user: ReturnType<typeof graphqlClient>;
  let devId: string;

  beforeAll(async () => {
    const person = async (roleId: string) => {
      const id = await createUser(t.db, { roleIds: [roleId], twoFactor: true });
      return {
        id,
        client: graphqlClient(
          t.url,
          (await createKey(t.db, { userId: id, roleIds: ['role_api_full_access'] })).key,
        ),
      };
    };
    const d = await person('role_developer');
    devId = d.id;
    dev = d.client;
    otherDev = (await person('role_developer')).client;
    admin = (await person('role_admin')).client;
    user = (await person('role_user')).client;
  });

  const NEW =
    'mutation ($data: NewOAuthClient!) { createOAuthClient(data: $data) { clientSecret client { id clientId name redirectUris owner { id } } } }';

  it('creates a client with its secret shown once and stored hashed', async () => {
    const res = await dev(NEW, {
      data: {
        name: 'Stream overlay',
        redirectUris: ['https://overlay.example/callback', 'http://127.0.0.1:8080/cb'],
      },
    });
    expect(res.errors).toEqual([]);
    const { clientSecret, client } = res.data.createOAuthClient;
    expect(clientSecret).toMatch(/^hcs_/);
    expect(client).toMatchObject({ name: 'Stream overlay', owner: { id: devId } });
    const row = await t.db('OAuthClient').where({ id: client.id }).first();
    expect(row.client_secret).not.toBe(clientSecret);
    expect(row.client_secret).toMatch(/^[0-9a-f]{64}$/);
    await t.platform.services.audit.flush();
    expect(
      await t.db('AuditEvent').where({ event_type: 'client_created', resource_id: client.id }),
    ).toHaveLength(1);

    const rotated = await dev(
      `mutation { regenerateOAuthClientSecret(id: "${client.id}") { clientSecret } }`,
    );
    expect(rotated.data.regenerateOAuthClientSecret.clientSecret).not.toBe(clientSecret);
  });

  it('validates redirect URIs: https, or http on loopback only, never a fragment', async () => {
    for (const uri of ['http://evil.example/cb', 'https://app.example/cb#frag', 'not a uri']) {
      const res = await dev(NEW, { data: { name: 'Bad', redirectUris: [uri] } });
      expect(res.errors[0]?.extensions).toMatchObject({
        code: 'request.validation_failed',
        details: { fields: [expect.objectContaining({ field: 'redirect_uris.0' })] },
      });
    }
  });

  it('a Developer changes only their own clients; an admin changes anyone’s; a user may not create', async () => {
    const created = await dev(NEW, { data: { name: 'Mine', redirectUris: ['https://mine.example/cb'] } });
    const id = created.data.createOAuthClient.client.id;
    const stranger = await otherDev(
      `mutation { updateOAuthClient(id: "${id}", data: { name: "Taken" }) { id } }`,
    );
    expect(codes(stranger)).toEqual(['auth.forbidden']);
    const renamed = await dev(
      `mutation { updateOAuthClient(id: "${id}", data: { name: "Still mine" }) { name } }`,
    );
    expect(renamed.data.updateOAuthClient).toEqual({ name: 'Still mine' });
    const byAdmin = await admin(
      `mutation { updateOAuthClient(id: "${id}", data: { isActive: false }) { isActive } }`,
    );
    expect(byAdmin.data.updateOAuthClient).toEqual({ isActive: false });
    expect(codes(await user(NEW, { data: { name: 'No', redirectUris: ['https://no.example/cb'] } }))).toEqual(
      ['auth.forbidden'],
    );
    expect((await dev(`mutation { deleteOAuthClient(id: "${id}") }`)).data.deleteOAuthClient).toBe(id);
    await t.platform.services.audit.flush();
    const types = await t
      .db('AuditEvent')
      .where({ resource_id: id })
      .orderBy('created_at')
      .pluck('event_type');
    expect(types).toEqual(['client_created', 'client_updated', 'client_updated', 'client_deleted']);
  });
});
