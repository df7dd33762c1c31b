import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';

/** The RBAC guard rails (escalation, system roles, the last super admin), each through the REST API. */
describe('RBAC guard rails', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let db: Knex;
  let superId: string;
  let superKey: string;
  let managerKey: string;
  const url = () => platform.url;

  const asKey = async (userId: string) =>
    (await createKey(db, { userId, roleIds: ['role_api_full_access'], scopes: ['*'] })).key;

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({
      HEIMDALL__DATABASE__URL: database.url,
      HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    });
    db = platform.databases.primary;
    superId = await createUser(db, { username: 'root', roleIds: ['role_super_admin'], twoFactor: true });
    superKey = await asKey(superId);
    // A delegated administrator: may manage roles and users, but holds only gps:read of the GPS permissions.
    await db('Role').insert({ id: 'role_manager', name: 'Manager' });
    await db('RolePermission').insert(
      [
        'roles:read',
        'roles:write',
        'roles:delete',
        'users:read',
        'users:write',
        'users:delete',
        'gps:read',
      ].map((permission_id) => ({ role_id: 'role_manager', permission_id })),
    );
    managerKey = await asKey(await createUser(db, { username: 'manager', roleIds: ['role_manager'] }));
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('system roles cannot be renamed or deleted except by a super admin', async () => {
    const rename = await call(url(), 'PATCH', '/v1/roles/role_moderator', {
      key: managerKey,
      body: { name: 'Mods' },
    });
    expect([rename.status, rename.body.error.code]).toEqual([403, 'role.system_role']);
    const remove = await call(url(), 'DELETE', '/v1/roles/role_user', { key: managerKey });
    expect([remove.status, remove.body.error.code]).toEqual([403, 'role.system_role']);
    const bySuper = await call(url(), 'PATCH', '/v1/roles/role_moderator', {
      key: superKey,
      body: { name: 'Mods' },
    });
    expect([bySuper.status, bySuper.body.name]).toEqual([200, 'Mods']);
    const protectedRole = await call(url(), 'DELETE', '/v1/roles/role_super_admin', { key: superKey });
    expect([protectedRole.status, protectedRole.body.error.code]).toEqual([409, 'role.protected']);
  });

  it('nobody grants a permission or role they do not hold', async () => {
    const role = await call(url(), 'POST', '/v1/roles', {
      key: managerKey,
      body: { name: 'GPS viewer', permission_ids: ['gps:read'] },
    });
    expect([role.status, role.body.id, role.body.permission_ids]).toEqual([
      201,
      'role_gps_viewer',
      ['gps:read'],
    ]);
    const widen = await call(url(), 'POST', '/v1/roles/role_gps_viewer/permissions', {
      key: managerKey,
      body: { permission_id: 'gps:write' },
    });
    expect([widen.status, widen.body.error.code, widen.body.error.details]).toEqual([
      403,
      'auth.escalation_denied',
      { missing: ['gps:write'] },
    ]);
    const wildcard = await call(url(), 'POST', '/v1/roles', {
      key: managerKey,
      body: { name: 'Sneaky', permission_ids: ['*:*'] },
    });
    expect(wildcard.body.error.code).toBe('auth.escalation_denied');
    const target = await createUser(db);
    const promote = await call(url(), 'POST', `/v1/users/${target}/roles`, {
      key: managerKey,
      body: { role_id: 'role_moderator' },
    });
    expect([promote.status, promote.body.error.code]).toEqual([403, 'auth.escalation_denied']);
    const ok = await call(url(), 'POST', `/v1/users/${target}/roles`, {
      key: managerKey,
      body: { role_id: 'role_gps_viewer' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.map((r: { id: string }) => r.id)).toEqual(['role_gps_viewer']);
    const unknown = await call(url(), 'POST', `/v1/users/${target}/roles`, {
      key: superKey,
      body: { role_id: 'role_nope' },
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, 'role.not_found']);
  });

  it('nobody deletes or demotes someone who holds more than they do', async () => {
    const moderator = await createUser(db, { roleIds: ['role_moderator'], twoFactor: true });
    const del = await call(url(), 'DELETE', `/v1/users/${moderator}`, { key: managerKey });
    expect([del.status, del.body.error.code]).toEqual([403, 'auth.escalation_denied']);
    const demote = await call(url(), 'DELETE', `/v1/users/${moderator}/roles/role_moderator`, {
      key: managerKey,
    });
    expect(demote.body.error.code).toBe('auth.escalation_denied');
  });

  it('the last super admin cannot be removed, by any path', async () => {
    const selfDelete = await call(url(), 'DELETE', `/v1/users/${superId}`, { key: superKey });
    expect([selfDelete.status, selfDelete.body.error.code]).toEqual([409, 'user.last_super_admin']);
    const demote = await call(url(), 'DELETE', `/v1/users/${superId}/roles/role_super_admin`, {
      key: superKey,
    });
    expect(demote.body.error.code).toBe('user.last_super_admin');
    expect(await db('UserRole').where({ user_id: superId, role_id: 'role_super_admin' })).toHaveLength(1);

    const second = await createUser(db, { roleIds: ['role_user'], twoFactor: true });
    expect(
      (
        await call(url(), 'POST', `/v1/users/${second}/roles`, {
          key: superKey,
          body: { role_id: 'role_super_admin' },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(url(), 'DELETE', `/v1/users/${superId}/roles/role_super_admin`, { key: superKey })).status,
    ).toBe(204);
    // The first super admin is now an ordinary user, and their key lost its powers at once.
    const me = await call(url(), 'GET', '/v1/me', { key: superKey });
    expect(me.body.is_super_admin).toBe(false);
    await db('UserRole').insert({ user_id: superId, role_id: 'role_super_admin' });
    await platform.services.authCache.invalidate({ type: 'all' });
  });

  it('deleting a user is a soft delete and their credentials stop working at once', async () => {
    const victim = await createUser(db, { username: 'leaving', roleIds: ['role_user'] });
    const key = await asKey(victim);
    expect((await call(url(), 'GET', '/v1/me', { key })).status).toBe(200);
    expect((await call(url(), 'DELETE', `/v1/users/${victim}`, { key: superKey })).status).toBe(204);
    const after = await call(url(), 'GET', '/v1/me', { key });
    expect([after.status, after.body.error.code]).toEqual([401, 'auth.account_deleted']);
    expect((await db('User').where({ id: victim }).first()).deleted_at).toBeInstanceOf(Date);
    const listed = await call(url(), 'GET', '/v1/users?q=leaving', { key: superKey });
    expect(listed.body.data).toEqual([]);
    const withDeleted = await call(url(), 'GET', '/v1/users?q=leaving&include_deleted=true', {
      key: superKey,
    });
    expect(withDeleted.body.data).toHaveLength(1);
    expect(withDeleted.body.data[0].deleted_at).toEqual(expect.any(String));
  });

  it('users read their own record without users:read, but not others', async () => {
    const self = await createUser(db, { username: 'selfie', roleIds: ['role_user'] });
    const key = await asKey(self);
    const me = await call(url(), 'GET', `/v1/users/${self}`, { key });
    expect([me.status, me.body.username]).toEqual([200, 'selfie']);
    expect((await call(url(), 'GET', `/v1/users/${self}/roles`, { key })).body.data[0].id).toBe('role_user');
    expect((await call(url(), 'GET', `/v1/users/${superId}`, { key })).status).toBe(404);
    expect(
      (await call(url(), 'PATCH', `/v1/users/${self}`, { key, body: { privacy_mode: true } })).status,
    ).toBe(403);
  });

  it('refuses a user whose role requires 2FA until they completed it', async () => {
    const moderator = await createUser(db, { roleIds: ['role_moderator'], twoFactor: false });
    const key = await asKey(moderator);
    const refused = await call(url(), 'GET', '/v1/users', { key });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'auth.two_factor_required']);
    const me = await call(url(), 'GET', '/v1/me', { key });
    expect(me.body).toMatchObject({ two_factor_required: true, two_factor_verified: false });
  });

  it('records each change with actor, target, IP, user agent and source_service', async () => {
    const target = await createUser(db);
    await call(url(), 'POST', `/v1/users/${target}/roles`, {
      key: superKey,
      body: { role_id: 'role_user' },
      headers: { 'user-agent': 'matrix-test/1.0' },
    });
    await platform.services.audit.flush();
    const event = await db('AuditEvent').where({ event_type: 'role_assigned', user_id: target }).first();
    expect(event).toMatchObject({
      actor_id: superId,
      resource_type: 'role',
      resource_id: 'role_user',
      user_agent: 'matrix-test/1.0',
      source_service: 'api',
      status: 'success',
    });
    expect(event.ip_address).toBe('127.0.0.1');
  });

  it('answers conflicts and bad input with stable codes', async () => {
    const taken = await call(url(), 'POST', '/v1/roles', {
      key: superKey,
      body: { id: 'role_other', name: 'Manager' },
    });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'role.name_taken']);
    const dup = await call(url(), 'POST', '/v1/permissions', {
      key: superKey,
      body: { resource: 'gps', action: 'read' },
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'permission.exists']);
    const builtIn = await call(url(), 'DELETE', '/v1/permissions/gps:read', { key: superKey });
    expect([builtIn.status, builtIn.body.error.code]).toEqual([409, 'permission.built_in']);
    const badId = await call(url(), 'GET', '/v1/users/not-a-uuid', { key: superKey });
    expect([badId.status, badId.body.error.details.fields[0]]).toEqual([
      400,
      { in: 'path', field: 'id', message: 'Must be a UUID.' },
    ]);
    const badJson = await fetch(`${url()}/v1/roles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${superKey}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect([badJson.status, ((await badJson.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'request.invalid_json',
    ]);
  });
});
