/* eslint-disable @typescript-eslint/no-explicit-any -- answers are asserted field by field */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/** GET /v1/permissions/explain: the answer, the rule that decided it, and who may ask. */
describe('the permission explainer over REST', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let adminKey: string;
  const ids: Record<string, string> = {};

  const explain = async (query: Record<string, string>, key = adminKey) =>
    call(t.url, 'GET', `/v1/permissions/explain?${new URLSearchParams(query)}`, { key });
  const ofUser = (name: string, permission: string) => explain({ permission, user_id: ids[name]! });
  const ofKey = (name: string, permission: string) => explain({ permission, api_key_id: ids[name]! });
  const step = (body: any, check: string) => body.steps.find((s: any) => s.check === check);

  beforeAll(async () => {
    const db = t.db;
    adminKey = (await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    await db('Role').insert([
      { id: 'role_explained', name: 'Explained' },
      { id: 'role_legacy', name: 'super_admin' },
      { id: 'role_permissions_reader', name: 'Permissions reader' },
    ]);
    // Wildcard grants are permissions like any other (a role holds only what the catalogue has).
    await db('Permission').insert([
      { id: 'discord:guild.*', resource: 'discord', action: 'guild.*' },
      { id: 'gps:*', resource: 'gps', action: '*' },
    ]);
    await db('RolePermission').insert(
      [
        ['role_explained', 'discord:guild.*'],
        ['role_explained', 'gps:*'],
        ['role_explained', 'users:read'],
        ['role_permissions_reader', 'permissions:read'],
      ].map(([role_id, permission_id]) => ({ role_id, permission_id })),
    );
    ids.grace = await createUser(db, { username: 'grace', roleIds: ['role_explained'] });
    ids.mod = await createUser(db, { username: 'mod', roleIds: ['role_moderator'], twoFactor: true });
    ids.pending = await createUser(db, { username: 'pending', roleIds: ['role_moderator'] });
    ids.root = await createUser(db, { username: 'root', roleIds: ['role_super_admin'], twoFactor: true });
    ids.legacy = await createUser(db, { username: 'legacy', roleIds: ['role_legacy'] });
    ids.admin = await createUser(db, { username: 'admin', roleIds: ['role_admin'], twoFactor: true });
    ids.banned = await createUser(db, { username: 'banned', roleIds: ['role_explained'] });
    ids.deleted = await createUser(db, { username: 'deleted', roleIds: ['role_explained'] });
    const full = { roleIds: ['role_api_full_access'] };
    ids.graceScoped = (await createKey(db, { ...full, userId: ids.grace, scopes: ['discord:guild.*'] })).id;
    ids.graceFull = (await createKey(db, { ...full, userId: ids.grace, name: 'grace-full' })).id;
    ids.pendingKey = (await createKey(db, { ...full, userId: ids.pending })).id;
    ids.bannedKey = (await createKey(db, { ...full, userId: ids.banned })).id;
    ids.system = (await createKey(db, { roleIds: ['role_api_read_only'], isSystem: true })).id;
    ids.inactive = (await createKey(db, { ...full, isActive: false })).id;
    ids.expired = (await createKey(db, { ...full, expiresAt: new Date(Date.now() - 60_000) })).id;
    const ban = await call(t.url, 'POST', `/v1/users/${ids.banned}/ban`, {
      key: adminKey,
      body: { reason: 'explainer', expires_at: '2099-01-01T00:00:00Z' },
    });
    expect(ban.status).toBe(200);
    expect((await call(t.url, 'DELETE', `/v1/users/${ids.deleted}`, { key: adminKey })).status).toBe(204);
  });

  it('answers allowed with the role and grant that decided it', async () => {
    const res = await ofUser('grace', 'discord:guild.member.kick');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      permission: 'discord:guild.member.kick',
      allowed: true,
      reason: 'granted',
      summary:
        'Allowed: Explained (role_explained) grants discord:guild.*, which covers discord:guild.member.kick (a dotted prefix).',
      subject: { type: 'user', user_id: ids.grace, username: 'grace', api_key_id: null, api_key_name: null },
      permission_exists: false,
      two_factor_session_required: false,
      steps: [
        expect.objectContaining({ check: 'account', passed: true }),
        expect.objectContaining({ check: 'two_factor', passed: true, roles: [] }),
        expect.objectContaining({ check: 'scope', passed: true, grant: '*', grant_kind: 'all' }),
        {
          check: 'permission',
          passed: true,
          grant: 'discord:guild.*',
          grant_kind: 'prefix',
          super_admin_rule: null,
          roles: [{ id: 'role_explained', name: 'Explained' }],
          detail:
            'Explained (role_explained) grants discord:guild.*, which covers discord:guild.member.kick (a dotted prefix).',
        },
      ],
    });
  });

  it('names each kind of grant', async () => {
    const kinds = [
      ['grace', 'users:read', 'users:read', 'exact'],
      ['grace', 'discord:guild.ban', 'discord:guild.*', 'prefix'],
      ['grace', 'gps:delete', 'gps:*', 'resource_wildcard'],
      ['mod', 'discord:guild.ban', 'discord:guild.ban', 'exact'],
    ];
    for (const [user, permission, grant, kind] of kinds) {
      const res = await ofUser(user!, permission!);
      expect([permission, res.body.allowed, step(res.body, 'permission')]).toEqual([
        permission,
        true,
        expect.objectContaining({ grant, grant_kind: kind }),
      ]);
    }
    const denied = await ofUser('grace', 'users:write');
    expect(denied.body).toMatchObject({
      allowed: false,
      reason: 'permission_missing',
      permission_exists: true,
    });
    expect(denied.body.summary).toBe(
      'Denied: No role of grace grants users:write (its roles: Explained (role_explained)).',
    );
  });

  it('names the super-admin rule and the role that meets it', async () => {
    const rules = [
      ['root', 'role_id', 'role_super_admin'],
      ['legacy', 'legacy_role_name', 'role_legacy'],
      ['admin', 'wildcard_permission', 'role_admin'],
    ];
    for (const [user, rule, role] of rules) {
      const res = await ofUser(user!, 'roles:delete');
      expect(res.body).toMatchObject({ allowed: true, reason: 'super_admin' });
      expect(step(res.body, 'permission')).toMatchObject({
        super_admin_rule: rule,
        roles: [expect.objectContaining({ id: role })],
      });
    }
  });

  it('allows a user whose role requires 2FA, if enabled, in a 2FA-checked session; refuses them otherwise', async () => {
    const enabled = await ofUser('mod', 'users:ban');
    expect(enabled.body).toMatchObject({
      allowed: true,
      reason: 'granted',
      two_factor_session_required: true,
    });
    expect(enabled.body.summary).toMatch(/Only in a session whose second factor was checked\.$/);
    expect(step(enabled.body, 'two_factor')).toMatchObject({
      passed: true,
      roles: [{ id: 'role_moderator', name: 'Moderator' }],
    });
    const missing = await ofUser('pending', 'users:ban');
    expect(missing.body).toMatchObject({
      allowed: false,
      reason: 'two_factor_missing',
      two_factor_session_required: false,
    });
    // The permission itself is there: only the second factor is missing.
    expect(step(missing.body, 'permission').passed).toBe(true);
    expect((await ofKey('pendingKey', 'users:ban')).body.reason).toBe('two_factor_missing');
  });

  it('intersects a key’s scopes with its roles, capped by its owner', async () => {
    const scoped = await ofKey('graceScoped', 'discord:guild.ban');
    expect(scoped.body).toMatchObject({
      allowed: true,
      reason: 'granted',
      subject: { type: 'api_key', user_id: ids.grace, username: 'grace', api_key_id: ids.graceScoped },
    });
    expect(scoped.body.steps.map((s: any) => [s.check, s.passed, s.grant])).toEqual([
      ['api_key', true, null],
      ['account', true, null],
      ['two_factor', true, null],
      ['scope', true, 'discord:guild.*'],
      ['permission', true, null],
      ['owner_cap', true, 'discord:guild.*'],
    ]);
    expect(step(scoped.body, 'permission').super_admin_rule).toBe('wildcard_permission');
    expect((await ofKey('graceScoped', 'gps:read')).body.reason).toBe('scope_missing');
    const capped = await ofKey('graceFull', 'users:write');
    expect(capped.body).toMatchObject({ allowed: false, reason: 'owner_lacks_permission' });
    expect(capped.body.summary).toBe(
      'Denied: A key never exceeds its owner, and its owner grace does not hold users:write.',
    );
    const system = await ofKey('system', 'roles:read');
    expect(system.body).toMatchObject({ allowed: true, reason: 'granted', subject: { user_id: null } });
    expect(step(system.body, 'owner_cap')).toBeUndefined();
  });

  it('refuses a banned or deleted account and an inactive or expired key, with that reason', async () => {
    const cases = [
      [
        await ofUser('banned', 'users:read'),
        'account_banned',
        'The account banned is banned until 2099-01-01',
      ],
      [await ofUser('deleted', 'users:read'), 'account_deleted', 'The account deleted has been deleted.'],
      [await ofKey('bannedKey', 'users:read'), 'account_banned', "The key's owner banned is banned"],
      [await ofKey('inactive', 'users:read'), 'api_key_inactive', 'The key has been deactivated.'],
      [await ofKey('expired', 'users:read'), 'api_key_expired', 'The key expired at'],
    ] as const;
    for (const [res, reason, text] of cases) {
      expect([res.status, res.body.allowed, res.body.reason]).toEqual([200, false, reason]);
      expect(res.body.summary).toContain(text);
    }
  });

  it('refuses bad input with 400 and unknown subjects with 404', async () => {
    const fields = async (query: Record<string, string>) => {
      const res = await explain(query);
      expect([res.status, res.body.error.code]).toEqual([400, 'request.validation_failed']);
      return res.body.error.details.fields.map((f: any) => f.field);
    };
    expect(await fields({ permission: 'users:read' })).toEqual(['user_id']);
    expect(await fields({ permission: 'users:read', user_id: ids.grace!, api_key_id: ids.system! })).toEqual([
      'user_id',
    ]);
    for (const permission of ['users', 'Users:Read', 'users:', ':read', 'users:read write'])
      expect(await fields({ permission, user_id: ids.grace! })).toEqual(['permission']);
    expect(await fields({ user_id: ids.grace! })).toEqual(['permission']);
    expect(await fields({ permission: 'users:read', user_id: 'grace' })).toEqual(['user_id']);
    expect(await fields({ permission: 'users:read', user_id: ids.grace!, extra: '1' })).toEqual(['']);
    const user = await explain({ permission: 'users:read', user_id: randomUUID() });
    expect([user.status, user.body.error.code]).toEqual([404, 'user.not_found']);
    const key = await explain({ permission: 'users:read', api_key_id: randomUUID() });
    expect([key.status, key.body.error.code]).toEqual([404, 'api_key.not_found']);
  });

  it('needs permissions:read, and users:read for a user or api_keys:read for a key', async () => {
    const reader = (await createKey(t.db, { roleIds: ['role_permissions_reader'], isSystem: true })).key;
    const forUser = await explain({ permission: 'users:read', user_id: ids.grace! }, reader);
    expect([forUser.status, forUser.body.error.code, forUser.body.error.details]).toEqual([
      403,
      'auth.forbidden',
      { required: 'users:read' },
    ]);
    const forKey = await explain({ permission: 'users:read', api_key_id: ids.system! }, reader);
    expect([forKey.status, forKey.body.error.details]).toEqual([403, { required: 'api_keys:read' }]);
    // Access comes first: an unknown id is not revealed to a caller who may not ask.
    const unknown = await explain({ permission: 'users:read', user_id: randomUUID() }, reader);
    expect(unknown.status).toBe(403);
    const readOnly = (await createKey(t.db, { roleIds: ['role_api_read_only'], isSystem: true })).key;
    expect((await explain({ permission: 'users:read', api_key_id: ids.system! }, readOnly)).status).toBe(200);
    const noCredential = await call(
      t.url,
      'GET',
      `/v1/permissions/explain?permission=users:read&user_id=${ids.grace}`,
    );
    expect(noCredential.status).toBe(401);
  });

  it('is in the OpenAPI document, with its parameters and errors', async () => {
    const doc = (await call(t.url, 'GET', '/v1/openapi.json')).body;
    const operation = doc.paths['/v1/permissions/explain'].get;
    expect(operation['x-required-permission']).toBe('permissions:read');
    expect(operation.parameters.map((p: any) => [p.name, p.required])).toEqual([
      ['permission', true],
      ['user_id', false],
      ['api_key_id', false],
    ]);
    expect(operation.responses['404'].description).toContain('`user.not_found`');
    expect(Object.keys(operation.responses['200'].content['application/json'].schema.properties)).toEqual([
      'permission',
      'allowed',
      'reason',
      'summary',
      'subject',
      'permission_exists',
      'two_factor_session_required',
      'steps',
    ]);
  });
});
