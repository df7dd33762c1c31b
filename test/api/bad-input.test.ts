/* eslint-disable @typescript-eslint/no-explicit-any -- responses are asserted field by field */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

/**
 * Hostile and malformed input answers a 4xx in the one error shape, and nothing is changed or acknowledged
 * that cannot be stored with its audit event: text PostgreSQL cannot keep, broken percent-encoding, dates
 * outside what the OpenAPI document allows, JSON nested too deep, and concurrent creates of one name.
 */
describe('bad input over REST', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let admin: TestKey; // a system key with API Full Access (audit:write among everything)
  let moderator: TestKey;

  beforeAll(async () => {
    admin = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    const moderatorId = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    moderator = await createKey(t.db, { userId: moderatorId, roleIds: ['role_api_full_access'] });
  });

  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect([res.status, res.body?.error?.code]).toEqual([status, code]);
    expect(typeof res.body.error.message).toBe('string');
    expect(typeof res.body.error.requestId).toBe('string');
  };
  const fieldsOf = (res: { body: any }) => [
    ...new Set(res.body.error.details.fields.map((f: { in: string; field: string }) => `${f.in}:${f.field}`)),
  ];

  it('answers 400 request.invalid_path for malformed percent-encoding in a path parameter', async () => {
    for (const path of [
      '/v1/users/%ZZ',
      '/v1/users/%C0%AE',
      '/v1/roles/%E0%A4%A',
      '/v1/api-keys/%ZZ',
      '/v1/users/%ZZ/roles/x',
    ]) {
      const res = await call(t.url, 'GET', path, { key: admin.key });
      expectError(res, 400, 'request.invalid_path');
    }
  });

  it('refuses NUL and lone surrogates at validation, naming the field, before anything is stored', async () => {
    const q = await call(t.url, 'GET', '/v1/users?q=a%00b', { key: admin.key });
    expectError(q, 400, 'request.validation_failed');
    expect(fieldsOf(q)).toEqual(['query:q']);

    const pathId = await call(t.url, 'GET', '/v1/roles/a%00b', { key: admin.key });
    expectError(pathId, 400, 'request.validation_failed');
    expect(fieldsOf(pathId)).toEqual(['path:id']);

    const role = await call(t.url, 'POST', '/v1/roles', { key: admin.key, body: { name: 'a\u0000b' } });
    expectError(role, 400, 'request.validation_failed');
    expect(fieldsOf(role)).toEqual(['body:name']);

    const keyName = await call(t.url, 'POST', '/v1/api-keys', { key: admin.key, body: { name: 'k\udc00' } });
    expectError(keyName, 400, 'request.validation_failed');
    expect(keyName.body.error.details.fields[0].message).toMatch(/lone surrogate/);
  });

  it('does not ban when the ban’s audit event could not be kept', async () => {
    const target = await createUser(t.db, { roleIds: ['role_user'] });
    const res = await call(t.url, 'POST', `/v1/users/${target}/ban`, {
      key: moderator.key,
      body: { reason: 'x\ud800y' },
    });
    expectError(res, 400, 'request.validation_failed');
    expect(fieldsOf(res)).toEqual(['body:reason']);
    expect(await t.db('UserBan').where({ user_id: target })).toEqual([]);

    const banned = await call(t.url, 'POST', `/v1/users/${target}/ban`, {
      key: moderator.key,
      body: { reason: 'spam' },
    });
    expect(banned.status).toBe(200);
    await t.platform.services.audit.flush();
    expect(
      await t.platform.databases.audit('AuditEvent').where({ user_id: target, event_type: 'user_banned' }),
    ).toHaveLength(1);
  });

  it('acknowledges a submitted audit event only when it can be stored', async () => {
    const marker = uniqueName('marker');
    const event = (extra: Record<string, unknown>) => ({
      event_type: 'bot_command_executed',
      source_service: 'discord_bot',
      resource_id: marker,
      ...extra,
    });
    const refused: [Record<string, unknown>, string][] = [
      [{ description: 'a\u0000b' }, 'body:description'],
      [{ metadata: { note: 'a\u0000b' } }, 'body:metadata.note'],
      [{ metadata: { note: 'a\ud800b' } }, 'body:metadata.note'],
      [{ metadata: { 'k\u0000': 1 } }, 'body:metadata.k\u0000'],
      [{ created_at: '0000-01-01T00:00:00Z' }, 'body:created_at'],
      [{ created_at: '1900-01-01T00:00:00Z' }, 'body:created_at'],
      [{ created_at: new Date(Date.now() - 40 * 86_400_000).toISOString() }, 'body:created_at'],
      [{ created_at: new Date(Date.now() + 3_600_000).toISOString() }, 'body:created_at'],
      [{ created_at: 1_700_000_000_000 }, 'body:created_at'],
      [{ created_at: null }, 'body:created_at'],
      [{ created_at: '+275760-09-13T00:00:00.000Z' }, 'body:created_at'],
    ];
    for (const [extra, field] of refused) {
      const res = await call(t.url, 'POST', '/v1/audit', { key: admin.key, body: event(extra) });
      expectError(res, 400, 'request.validation_failed');
      expect(fieldsOf(res)).toEqual([field]);
    }
    const batch = await call(t.url, 'POST', '/v1/audit', {
      key: admin.key,
      body: { events: [event({}), event({ metadata: { x: '\u0000' } })] },
    });
    expectError(batch, 400, 'request.validation_failed');

    const kept = await call(t.url, 'POST', '/v1/audit', {
      key: admin.key,
      body: event({ created_at: new Date(Date.now() - 86_400_000).toISOString(), metadata: { ok: 'é😀' } }),
    });
    expect(kept.status).toBe(201);
    const stored = await t.platform.databases.audit('AuditEvent').where({ resource_id: marker });
    expect(stored.map((r: any) => r.id)).toEqual(kept.body.ids);
  });

  it('takes date-times only as RFC 3339 with years 1970–9999, as the OpenAPI document says', async () => {
    for (const [path, key] of [
      ['/v1/audit', admin.key],
      ['/v1/user/activity', moderator.key],
    ] as const) {
      for (const from of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2026-01-01', '1700000000']) {
        const res = await call(t.url, 'GET', `${path}?from=${encodeURIComponent(from)}`, { key });
        expectError(res, 400, 'request.validation_failed');
        expect(fieldsOf(res)).toEqual(['query:from']);
      }
    }
    for (const expires of ['+275760-09-13T00:00:00.000Z', 1_900_000_000_000, null, '10000-01-01T00:00:00Z']) {
      const res = await call(t.url, 'POST', '/v1/api-keys', {
        key: admin.key,
        body: { name: 'k', expires_at: expires },
      });
      expectError(res, 400, 'request.validation_failed');
      expect(fieldsOf(res)).toEqual(['body:expires_at']);
    }
    const ok = await call(t.url, 'POST', '/v1/api-keys', {
      key: admin.key,
      body: { name: 'k', expires_at: '9999-12-31T23:59:59+01:00' },
    });
    expect(ok.status).toBe(201);

    const document = (await call(t.url, 'GET', '/v1/openapi.json')).body;
    const from = document.paths['/v1/audit'].get.parameters.find((p: any) => p.name === 'from');
    const patterns = JSON.stringify(from.schema);
    expect(patterns).toContain('19[7-9]');
    expect(from.schema.format).toBe('date-time');
    const body = document.paths['/v1/api-keys'].post.requestBody.content['application/json'].schema;
    expect(body.properties.expires_at.type).toBe('string');
    expect(JSON.stringify(body.properties.expires_at)).toContain('19[7-9]');
  });

  it('refuses JSON nested too deep before parsing it, on every JSON body', async () => {
    const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const raw = (path: string, body: string) =>
      fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
        body,
      }).then(async (res) => ({ status: res.status, body: await res.json() }));
    const metadata = `{"event_type":"login","source_service":"api","metadata":${deep(10_000)}}`;
    expectError(await raw('/v1/audit', metadata), 400, 'request.too_deep');
    expectError(await raw('/v1/roles', `{"name":${deep(10_000)}}`), 400, 'request.too_deep');
    expectError(
      await raw('/api/graphql', `{"query":"{ me { roles } }","variables":${deep(10_000)}}`),
      400,
      'request.too_deep',
    );
    // 32 levels in all is the bound: the body object and metadata nested 31 deep is still taken.
    const event = (levels: number) =>
      `{"event_type":"login","source_service":"api","metadata":${deep(levels)}}`;
    expect((await raw('/v1/audit', event(31))).status).toBe(201);
    expectError(await raw('/v1/audit', event(32)), 400, 'request.too_deep');
  });

  it('answers 409 to every concurrent create of the same role or permission but one', async () => {
    const name = uniqueName('Role');
    const roles = await Promise.all(
      Array.from({ length: 8 }, () => call(t.url, 'POST', '/v1/roles', { key: admin.key, body: { name } })),
    );
    expect(roles.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of roles.filter((r) => r.status === 409)) {
      expect(['role.exists', 'role.name_taken']).toContain(r.body.error.code);
    }

    const resource = uniqueName('res').toLowerCase();
    const permissions = await Promise.all(
      Array.from({ length: 8 }, () =>
        call(t.url, 'POST', '/v1/permissions', { key: admin.key, body: { resource, action: 'read' } }),
      ),
    );
    expect(permissions.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of permissions.filter((r) => r.status === 409)) {
      expect(r.body.error.code).toBe('permission.exists');
    }
  });
});
