import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';

describe('API keys and /v1/me', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let db: Knex;
  let alice: string;
  let aliceKey: TestKey;
  let adminKey: TestKey;
  const url = () => platform.url;

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url });
    db = platform.databases.primary;
    alice = await createUser(db, { username: 'alice', roleIds: ['role_user'] });
    aliceKey = await createKey(db, { userId: alice, roleIds: ['role_api_full_access'], scopes: ['*'] });
    adminKey = await createKey(db, { roleIds: ['role_api_full_access'], scopes: ['*'], isSystem: true });
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('GET /v1/me returns the AuthContext, capped by the owner', async () => {
    const me = await call(url(), 'GET', '/v1/me', { key: aliceKey.key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: alice, username: 'alice' },
      api_key: { id: aliceKey.id, prefix: aliceKey.key.slice(0, 11), user_id: alice, is_system: false },
      roles: ['API Full Access'],
      role_ids: ['role_api_full_access'],
      permissions: [],
      scopes: ['*'],
      is_super_admin: false,
    });
    const system = await call(url(), 'GET', '/v1/me', { key: adminKey.key });
    expect(system.body).toMatchObject({ user: null, is_super_admin: true, permissions: ['*:*'] });
  });

  it('a key created without an owner is a system key, and says so', async () => {
    const created = await call(url(), 'POST', '/v1/api-keys', {
      key: adminKey.key,
      body: { name: 'deploy bot', role_ids: ['role_api_read_only'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user_id: null, is_system: true });
    expect(
      (await call(url(), 'GET', `/v1/api-keys/${created.body.id}`, { key: adminKey.key })).body,
    ).toMatchObject({ user_id: null, is_system: true });
    const me = await call(url(), 'GET', '/v1/me', { key: created.body.key });
    expect(me.body).toMatchObject({ user: null, api_key: { user_id: null, is_system: true } });
    const del = await call(url(), 'DELETE', `/v1/api-keys/${created.body.id}`, { key: adminKey.key });
    expect([del.status, del.body.error.code]).toEqual([403, 'api_key.system_key']);
    // Deactivating still works, as for every system key.
    const off = await call(url(), 'PATCH', `/v1/api-keys/${created.body.id}`, {
      key: adminKey.key,
      body: { is_active: false },
    });
    expect(off.body.is_active).toBe(false);

    const own = await call(url(), 'POST', '/v1/api-keys', { key: aliceKey.key, body: { name: 'mine' } });
    expect(own.body).toMatchObject({ user_id: alice, is_system: false });
  });

  it('rejects missing, malformed, unknown, inactive and expired keys with distinct codes', async () => {
    expect((await call(url(), 'GET', '/v1/me')).body.error.code).toBe('auth.required');
    expect(
      (await call(url(), 'GET', '/v1/me', { headers: { authorization: 'Basic abc' } })).body.error.code,
    ).toBe('auth.malformed_credentials');
    const unknown = await call(url(), 'GET', '/v1/me', { key: `hm_${'A'.repeat(43)}` });
    expect([unknown.status, unknown.body.error.code]).toEqual([401, 'auth.invalid_api_key']);
    const inactive = await createKey(db, { isActive: false });
    expect((await call(url(), 'GET', '/v1/me', { key: inactive.key })).body.error.code).toBe(
      'auth.api_key_inactive',
    );
    const expired = await createKey(db, { expiresAt: new Date(Date.now() - 1000) });
    expect((await call(url(), 'GET', '/v1/me', { key: expired.key })).body.error.code).toBe(
      'auth.api_key_expired',
    );
  });

  it('creates a key whose secret is shown once and stored only as a hash', async () => {
    const created = await call(url(), 'POST', '/v1/api-keys', {
      key: aliceKey.key,
      body: { name: 'ci', scopes: ['gps:read'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hm_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ name: 'ci', user_id: alice, prefix: created.body.key.slice(0, 11) });
    const row = await db('ApiKey').where({ id: created.body.id }).first();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.body.key);
    const fetched = await call(url(), 'GET', `/v1/api-keys/${created.body.id}`, { key: aliceKey.key });
    expect(fetched.body.key).toBeUndefined();
    expect(fetched.body).not.toHaveProperty('key_hash');
    const works = await call(url(), 'GET', '/v1/me', { key: created.body.key });
    expect(works.body.scopes).toEqual(['gps:read']);
    await platform.services.audit.flush();
    expect(
      await db('AuditEvent').where({ event_type: 'api_key_created', resource_id: created.body.id }),
    ).toHaveLength(1);
  });

  it('rotates: the new key works and the old one stops at once', async () => {
    const created = await call(url(), 'POST', '/v1/api-keys', {
      key: aliceKey.key,
      body: { name: 'rotating' },
    });
    const oldKey = created.body.key;
    expect((await call(url(), 'GET', '/v1/me', { key: oldKey })).status).toBe(200);
    const rotated = await call(url(), 'POST', `/v1/api-keys/${created.body.id}/rotate`, {
      key: aliceKey.key,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(oldKey);
    expect((await call(url(), 'GET', '/v1/me', { key: oldKey })).status).toBe(401);
    expect((await call(url(), 'GET', '/v1/me', { key: rotated.body.key })).status).toBe(200);
  });

  it('deletes: the key stops at once; system keys cannot be deleted or rotated', async () => {
    const created = await call(url(), 'POST', '/v1/api-keys', {
      key: aliceKey.key,
      body: { name: 'short-lived' },
    });
    expect((await call(url(), 'GET', '/v1/me', { key: created.body.key })).status).toBe(200);
    expect(
      (await call(url(), 'DELETE', `/v1/api-keys/${created.body.id}`, { key: aliceKey.key })).status,
    ).toBe(204);
    expect((await call(url(), 'GET', '/v1/me', { key: created.body.key })).body.error.code).toBe(
      'auth.invalid_api_key',
    );
    const del = await call(url(), 'DELETE', `/v1/api-keys/${adminKey.id}`, { key: adminKey.key });
    expect([del.status, del.body.error.code]).toEqual([403, 'api_key.system_key']);
    const rot = await call(url(), 'POST', `/v1/api-keys/${adminKey.id}/rotate`, { key: adminKey.key });
    expect(rot.body.error.code).toBe('api_key.system_key');
  });

  it("hides other users' keys (404) and refuses escalation", async () => {
    const bob = await createUser(db, { username: 'bob', roleIds: ['role_user'] });
    const bobKey = await createKey(db, { userId: bob, roleIds: ['role_api_full_access'] });
    const peek = await call(url(), 'GET', `/v1/api-keys/${aliceKey.id}`, { key: bobKey.key });
    expect([peek.status, peek.body.error.code]).toEqual([404, 'api_key.not_found']);
    expect((await call(url(), 'DELETE', `/v1/api-keys/${aliceKey.id}`, { key: bobKey.key })).status).toBe(
      404,
    );
    const list = await call(url(), 'GET', '/v1/api-keys?all=true', { key: bobKey.key });
    expect([list.status, list.body.error.code]).toEqual([403, 'auth.forbidden']);
    const grab = await call(url(), 'POST', '/v1/api-keys', {
      key: bobKey.key,
      body: { name: 'x', role_ids: ['role_admin'] },
    });
    expect([grab.status, grab.body.error.code]).toEqual([403, 'auth.escalation_denied']);
    const scoped = await createKey(db, { userId: bob, scopes: ['gps:read', 'api_keys:write'] });
    const wider = await call(url(), 'POST', '/v1/api-keys', {
      key: scoped.key,
      body: { name: 'y', scopes: ['*'] },
    });
    expect(wider.body.error.code).toBe('auth.escalation_denied');
  });

  it('validates input and lists with pagination', async () => {
    const bad = await call(url(), 'POST', '/v1/api-keys', {
      key: aliceKey.key,
      body: { name: '', scopes: ['NOT A SCOPE'], extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('request.validation_failed');
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      '',
      'name',
      'scopes.0',
    ]);
    const list = await call(url(), 'GET', '/v1/api-keys?per_page=2&sort=name', { key: aliceKey.key });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(2);
    expect(list.body.pagination).toMatchObject({ page: 1, per_page: 2 });
    expect(list.body.pagination.total).toBeGreaterThanOrEqual(3);
    expect((await call(url(), 'GET', '/v1/api-keys?per_page=1000', { key: aliceKey.key })).status).toBe(400);
    const all = await call(url(), 'GET', '/v1/api-keys?all=true', { key: adminKey.key });
    expect(all.body.pagination.total).toBeGreaterThan(list.body.pagination.total);
  });

  it('records last_used_at without a write per request', async () => {
    const key = await createKey(db, { userId: alice });
    for (let i = 0; i < 5; i += 1) await call(url(), 'GET', '/v1/me', { key: key.key });
    await new Promise((r) => setTimeout(r, 100));
    const first = (await db('ApiKey').where({ id: key.id }).first()).last_used_at;
    expect(first).toBeInstanceOf(Date);
    await call(url(), 'GET', '/v1/me', { key: key.key });
    await new Promise((r) => setTimeout(r, 100));
    expect((await db('ApiKey').where({ id: key.id }).first()).last_used_at).toEqual(first);
  });

  it("bounds self-service by the key's scopes: a narrow key cannot manage its owner's keys", async () => {
    const narrow = await createKey(db, {
      userId: alice,
      roleIds: ['role_api_full_access'],
      scopes: ['users:read'],
    });
    const other = await createKey(db, { userId: alice, name: 'keep me' });
    const attempts = [
      ['GET', '/v1/api-keys', undefined, 'api_keys:read'],
      ['GET', `/v1/api-keys/${other.id}`, undefined, 'api_keys:read'],
      ['POST', '/v1/api-keys', { name: 'sneaky' }, 'api_keys:write'],
      ['PATCH', `/v1/api-keys/${other.id}`, { is_active: false }, 'api_keys:write'],
      ['POST', `/v1/api-keys/${other.id}/rotate`, undefined, 'api_keys:write'],
      ['DELETE', `/v1/api-keys/${other.id}`, undefined, 'api_keys:delete'],
    ] as const;
    for (const [method, path, body, required] of attempts) {
      const res = await call(url(), method, path, { key: narrow.key, body });
      expect({
        method,
        path,
        status: res.status,
        code: res.body?.error?.code,
        required: res.body?.error?.details?.required,
      }).toEqual({
        method,
        path,
        status: 403,
        code: 'auth.insufficient_scope',
        required,
      });
    }
    const self = await call(url(), 'GET', `/v1/users/${alice}`, { key: narrow.key });
    expect(self.status).toBe(200);
    const noScopes = await createKey(db, { userId: alice, scopes: [] });
    expect((await call(url(), 'GET', `/v1/users/${alice}`, { key: noScopes.key })).status).toBe(403);
    expect((await call(url(), 'GET', '/v1/me', { key: noScopes.key })).status).toBe(200);
    // Nothing changed: the other key still works.
    expect((await call(url(), 'GET', '/v1/me', { key: other.key })).status).toBe(200);

    const scoped = await createKey(db, { userId: alice, scopes: ['api_keys:*'] });
    const created = await call(url(), 'POST', '/v1/api-keys', {
      key: scoped.key,
      body: { name: 'allowed', scopes: ['api_keys:read'] },
    });
    expect(created.status).toBe(201);
    expect((await call(url(), 'DELETE', `/v1/api-keys/${created.body.id}`, { key: scoped.key })).status).toBe(
      204,
    );
    const inherited = await call(url(), 'POST', '/v1/api-keys', {
      key: scoped.key,
      body: { name: 'inherits' },
    });
    expect([inherited.status, inherited.body.scopes]).toEqual([201, ['api_keys:*']]);
  });
});
