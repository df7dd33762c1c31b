/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';

describe('GraphQL lists at /api/graphql: access through the same AuthContext as REST', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  const ids = {} as Record<'super' | 'admin' | 'mod' | 'user' | 'other', string>;
  const keys = {} as Record<
    'super' | 'admin' | 'mod' | 'user' | 'other' | 'mod2fa' | 'system' | 'gpsOnly',
    string
  >;
  const as = (who: keyof typeof keys) => graphqlClient(t.url, keys[who]);

  beforeAll(async () => {
    const person = async (who: keyof typeof ids, roleIds: string[], twoFactor = true) => {
      ids[who] = await createUser(t.db, { roleIds, twoFactor });
      keys[who] = (await createKey(t.db, { userId: ids[who], roleIds: ['role_api_full_access'] })).key;
    };
    await person('super', ['role_super_admin']);
    await person('admin', ['role_admin']);
    await person('mod', ['role_moderator']);
    await person('user', ['role_user']);
    await person('other', ['role_user']);
    const pending = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: false });
    keys.mod2fa = (await createKey(t.db, { userId: pending, roleIds: ['role_api_full_access'] })).key;
    keys.system = (await createKey(t.db, { roleIds: ['role_api_read_only'], isSystem: true })).key;
    keys.gpsOnly = (
      await createKey(t.db, { userId: ids.user, roleIds: ['role_api_full_access'], scopes: ['gps:read'] })
    ).key;
  });

  it('reads lists and their relationships with the seeded roles and permissions', async () => {
    const res = await as('super')(`{
      role(where: { id: "role_moderator" }) { id name isSystem requiresTwoFactor permissions(orderBy: { createdAt: asc }) { permission { id } } }
      permissions(where: { resource: { equals: "gps" } }, orderBy: { id: asc }) { id action }
      platforms(orderBy: { displayOrder: asc }) { id name enabled }
    }`);
    expect(res.errors).toEqual([]);
    expect(res.data.role).toMatchObject({
      id: 'role_moderator',
      name: 'Moderator',
      isSystem: true,
      requiresTwoFactor: true,
    });
    expect(res.data.role.permissions.map((p: any) => p.permission.id)).toContain('users:ban');
    expect(res.data.permissions.map((p: any) => p.id)).toEqual(['gps:delete', 'gps:read', 'gps:write']);
    expect(res.data.platforms.map((p: any) => p.id)).toContain('discord');
    const ro = await as('system')('{ roles(take: 1) { id } users(take: 1) { id } }');
    expect(ro.errors).toEqual([]);
  });

  it('row rules: users see their own record, keys and roles; users:read sees everyone', async () => {
    const mine = await as('user')(
      `{ users { id } apiKeys { id user { id } } userRoles { role { id } } other: user(where: { id: "${ids.other}" }) { id } }`,
    );
    expect(mine.errors).toEqual([]);
    expect(mine.data.users).toEqual([{ id: ids.user }]);
    expect(mine.data.apiKeys.every((k: any) => k.user.id === ids.user)).toBe(true);
    expect(mine.data.apiKeys.length).toBe(2);
    expect(mine.data.userRoles).toEqual([{ role: { id: 'role_user' } }]);
    expect(mine.data.other).toBeNull();

    const mod = await as('mod')(
      `{ usersCount other: user(where: { id: "${ids.other}" }) { id roles { createdAt role { id } } } }`,
    );
    expect(mod.errors).toEqual([]);
    expect(mod.data.usersCount).toBeGreaterThanOrEqual(6);
    // users:read shows that the other user holds a role; which role takes roles:read (the Role row is filtered).
    expect(mod.data.other).toEqual({ id: ids.other, roles: [{ createdAt: expect.any(String), role: null }] });
  });

  it('a Moderator cannot see what users:read does not give', async () => {
    const res = await as('mod')('{ roles { id } apiKeysCount oAuthClients { id } settings { id } }');
    // Without roles:read, only the roles they hold.
    expect(res.data.roles).toEqual([{ id: 'role_moderator' }]);
    expect(res.errors.map((e) => [e.path?.[0], e.extensions])).toEqual([
      ['settings', { code: 'auth.forbidden', details: { required: 'settings:read' } }],
    ]);
    // Only their own keys and clients (none of the clients): rows, not refusals.
    expect(res.data.apiKeysCount).toBe(1);
    expect(res.data.oAuthClients).toEqual([]);
  });

  it('secrets are not in the API at all', async () => {
    for (const query of [
      '{ apiKeys { keyHash } }',
      '{ platformAccounts { passwordHash } }',
      '{ oAuthClients { clientSecret } }',
      '{ apiKeys(where: { keyHash: { equals: "x" } }) { id } }',
    ]) {
      const res = await as('super')(query);
      expect(res.status).toBe(400);
      expect(codes(res)).toEqual(['graphql.invalid_query']);
    }
    const fields = await as('super')(`{
      apiKey: __type(name: "ApiKey") { fields { name } }
      account: __type(name: "PlatformAccount") { fields { name } }
      client: __type(name: "OAuthClient") { fields { name } }
    }`);
    const names = JSON.stringify(fields.data);
    expect(names).not.toMatch(/keyHash|passwordHash|clientSecret/);
    expect(names).toContain('keyPrefix');
  });

  it('refuses with the same codes as REST: no credential, pending 2FA, missing scope', async () => {
    const anon = await graphqlClient(t.url)('{ users { id } }');
    expect(codes(anon)).toEqual(['auth.required']);
    const pending = await as('mod2fa')('{ users { id } }');
    expect(pending.status).toBe(403);
    expect(codes(pending)).toEqual(['auth.two_factor_required']);
    const scoped = await as('gpsOnly')('{ apiKeys { id } gpsDataPoints { id } }');
    // The key lacks the scope for its owner's keys; its owner (a plain user) lacks gps:read, whatever the key says.
    expect(scoped.errors.map((e) => [e.path?.[0], e.extensions?.code]).sort()).toEqual([
      ['apiKeys', 'auth.insufficient_scope'],
      ['gpsDataPoints', 'auth.forbidden'],
    ]);
    const wrongKey = await graphqlClient(
      t.url,
      'hm_not_a_real_key_at_all_0000000000000000000',
    )('{ users { id } }');
    expect(wrongKey.status).toBe(401);
  });

  it('GPS data: create, read, update and delete with the gps permissions', async () => {
    const create = await as('mod')(
      `mutation { createGpsData(data: { latitude: 52.52, longitude: 13.4, altitude: 34, timestamp: "2026-11-23T10:00:00Z" }) { id latitude timestamp } }`,
    );
    expect(create.errors).toEqual([]);
    const id = create.data.createGpsData.id;
    expect((await as('system')(`{ gpsData(where: { id: "${id}" }) { longitude } }`)).data.gpsData).toEqual({
      longitude: 13.4,
    });
    const update = await as('mod')(
      `mutation { updateGpsData(where: { id: "${id}" }, data: { speed: 3.5 }) { speed } }`,
    );
    expect(update.data.updateGpsData).toEqual({ speed: 3.5 });
    const denied = await as('user')(`mutation { deleteGpsData(where: { id: "${id}" }) { id } }`);
    expect(codes(denied)).toEqual(['auth.forbidden']);
    const invalid = await as('mod')(
      `mutation { createGpsData(data: { latitude: 123, longitude: 0, timestamp: "2026-11-23T10:00:00Z" }) { id } }`,
    );
    expect(codes(invalid)).toEqual(['request.validation_failed']);
    expect(
      (await as('mod')(`mutation { deleteGpsData(where: { id: "${id}" }) { id } }`)).data.deleteGpsData,
    ).toEqual({ id });
  });

  it('settings and platforms are created under a chosen name with settings:write', async () => {
    const created = await as('admin')(
      'mutation ($v: JSON!) { createSetting(id: "custom.banner", value: $v, isPublic: false) { id value isPublic } }',
      { v: { text: 'Heimdall' } },
    );
    expect(created.errors).toEqual([]);
    expect(created.data.createSetting).toEqual({
      id: 'custom.banner',
      value: { text: 'Heimdall' },
      isPublic: false,
    });
    const again = await as('admin')('mutation { createSetting(id: "custom.banner", value: 1) { id } }');
    expect(again.errors[0]?.extensions).toMatchObject({ code: 'setting.conflict' });
    const badName = await as('admin')('mutation { createSetting(id: "Site Name!", value: 1) { id } }');
    expect(badName.errors[0]?.extensions).toMatchObject({ code: 'setting.invalid_key' });
    expect(codes(await as('mod')('mutation { createSetting(id: "x", value: 1) { id } }'))).toEqual([
      'auth.forbidden',
    ]);
    const platform = await as('admin')(
      'mutation { createPlatform(id: "mastodon", name: "Mastodon", enabled: false) { id name enabled displayOrder } }',
    );
    expect(platform.data.createPlatform).toEqual({
      id: 'mastodon',
      name: 'Mastodon',
      enabled: false,
      displayOrder: 0,
    });
  });

  it('settings keep the registry’s types and visibility, and one platform stays enabled, through GraphQL too', async () => {
    expect(codes(await as('admin')('mutation { createSetting(id: "whatever", value: 1) { id } }'))).toEqual([
      'setting.unknown_key',
    ]);
    expect(
      codes(
        await as('admin')(
          'mutation { createSetting(id: "security.session_ttl_hours", value: "long") { id } }',
        ),
      ),
    ).toEqual(['setting.invalid_value']);
    const ttl = await as('admin')(
      'mutation { createSetting(id: "security.session_ttl_hours", value: 48) { id value } }',
    );
    expect(ttl.data.createSetting).toEqual({ id: 'security.session_ttl_hours', value: 48 });
    const wrong = await as('admin')(
      'mutation { updateSetting(where: { id: "security.session_ttl_hours" }, data: { value: 0 }) { id } }',
    );
    expect(wrong.errors?.length).toBe(1);
    const visibility = await as('admin')(
      'mutation { updateSetting(where: { id: "security.session_ttl_hours" }, data: { isPublic: true }) { id } }',
    );
    expect(visibility.errors?.length).toBe(1);
    expect(
      await t.db('Setting').where({ key: 'security.session_ttl_hours' }).first('value', 'is_public'),
    ).toEqual({
      value: 48,
      is_public: false,
    });

    const enabled = await t.db('Platform').where({ enabled: true }).pluck('id');
    await t.db('Platform').whereNot({ id: 'email' }).update({ enabled: false });
    const off = await as('admin')(
      'mutation { updatePlatform(where: { id: "email" }, data: { enabled: false }) { id } }',
    );
    expect(off.errors?.length).toBe(1);
    expect(await t.db('Platform').where({ id: 'email' }).first('enabled')).toEqual({ enabled: true });
    await t.db('Platform').whereIn('id', enabled).update({ enabled: true });
  });

  it('settings and platforms need settings:write to change', async () => {
    const updated = await as('admin')(
      'mutation ($value: JSON) { updateSetting(where: { id: "custom.banner" }, data: { value: $value, isPublic: true }) { id value isPublic } }',
      { value: { text: 'Asgard' } },
    );
    expect(updated.errors).toEqual([]);
    expect(updated.data.updateSetting).toEqual({
      id: 'custom.banner',
      value: { text: 'Asgard' },
      isPublic: true,
    });
    expect(codes(await as('mod')('{ settings { id } }'))).toEqual(['auth.forbidden']);
    const platform = await as('mod')(
      'mutation { updatePlatform(where: { id: "discord" }, data: { enabled: false }) { id } }',
    );
    expect(codes(platform)).toEqual(['auth.forbidden']);
  });

  it("Keystone's own CRUD is not offered for lists whose changes go through the shared services", async () => {
    const res = await as('super')(
      'mutation { deleteUser(where: { id: "00000000-0000-4000-8000-000000000000" }) { id } }',
    );
    // deleteUser(id:) is the service-backed one: Keystone's `where` argument does not exist.
    expect(new Set(codes(res))).toEqual(new Set(['graphql.invalid_query']));
    expect(res.errors.map((e) => e.message).join(' ')).toMatch(/Unknown argument "where"/);
  });

  it('limits depth, cost and page size before running anything, and never leaks a stack', async () => {
    const deep = await as('super')(
      '{ users { roles { role { users { user { roles { role { users { user { roles { role { id } } } } } } } } } } } }',
    );
    expect(deep.status).toBe(400);
    expect(codes(deep)).toContain('graphql.too_deep');
    const costly = await as('super')(
      '{ users { roles { role { permissions { permission { roles { role { id name } } } } } } } }',
    );
    expect(codes(costly)).toEqual(['graphql.too_costly']);
    const page = await as('super')('{ users(take: 101) { id } }');
    expect(page.errors[0]).toMatchObject({ extensions: { code: 'graphql.limit_exceeded', limit: 100 } });
    for (const answer of [deep, costly, page])
      expect(JSON.stringify(answer.errors)).not.toMatch(/stacktrace|\.ts:\d+|\n\s+at /);
  });
});

describe('GraphQL in production settings', () => {
  const t = useTestPlatform({
    HEIMDALL__GRAPHQL__INTROSPECTION: 'false',
    HEIMDALL__GRAPHQL__PLAYGROUND: 'false',
  });

  it('introspection and the sandbox page are off', async () => {
    const userId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    const key = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
    const res = await graphqlClient(t.url, key)('{ __schema { types { name } } }');
    expect(codes(res)).toEqual(['graphql.invalid_query']);
    const page = await fetch(`${t.url}/api/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');
  });
});
