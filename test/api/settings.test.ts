import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/** REST /v1/settings over the settings service (whose rules core/settings/service.db.test.ts covers in depth). */
describe('/v1/settings', () => {
  const t = useTestPlatform();
  let admin: TestKey;
  beforeAll(async () => {
    admin = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
  });
  const as = (method: string, path: string, body?: unknown) =>
    call(t.url, method, path, { key: admin.key, body });

  it('lists, reads, sets and deletes, with the registry behind every key', async () => {
    const list = await as('GET', '/v1/settings');
    expect(list.status).toBe(200);
    expect(list.body.data.find((s: { key: string }) => s.key === 'site.name')).toMatchObject({
      value: 'Heimdall',
      is_set: false,
      known: true,
      value_schema: { type: 'string', minLength: 1, maxLength: 100 },
    });

    const put = await as('PUT', '/v1/settings/site.name', { value: 'Asgard', expected_updated_at: null });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key: 'site.name', value: 'Asgard', is_set: true });
    expect((await as('GET', '/v1/settings/site.name')).body.value).toBe('Asgard');

    const stale = await as('PUT', '/v1/settings/site.name', { value: 'Midgard', expected_updated_at: null });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('setting.conflict');

    const removed = await as(
      'DELETE',
      `/v1/settings/site.name?expected_updated_at=${encodeURIComponent(put.body.updated_at)}`,
    );
    expect(removed.status).toBe(204);
    expect((await as('GET', '/v1/settings/site.name')).body).toMatchObject({
      value: 'Heimdall',
      is_set: false,
    });
    expect((await as('DELETE', '/v1/settings/site.name')).body.error.code).toBe('setting.not_found');
  });

  it('answers the public settings to anyone, without private ones', async () => {
    await as('PUT', '/v1/settings/security.session_ttl_hours', { value: 24 });
    await as('PUT', '/v1/settings/maintenance.message', { value: 'Upgrade at 22:00' });
    const res = await call(t.url, 'GET', '/v1/settings/public');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      'maintenance.message': 'Upgrade at 22:00',
      'site.name': 'Heimdall',
    });
    expect(res.body.data).not.toHaveProperty(['security.session_ttl_hours']);
  });

  it('refuses bad requests with stable codes', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/v1/settings/security.session_ttl_hours', { value: 'a lot' }, 400, 'setting.invalid_value'],
      ['/v1/settings/security.session_ttl_hours', {}, 400, 'request.validation_failed'],
      ['/v1/settings/security.session_ttl_hours', { value: 5, extra: 1 }, 400, 'request.validation_failed'],
      [
        '/v1/settings/site.name',
        { value: 'x', expected_updated_at: 'yesterday' },
        400,
        'request.validation_failed',
      ],
      ['/v1/settings/custom.big', { value: 'x'.repeat(17_000) }, 400, 'setting.too_large'],
      ['/v1/settings/site.motto', { value: 'x' }, 422, 'setting.unknown_key'],
      ['/v1/settings/site.name', { value: 'x', is_public: false }, 422, 'setting.visibility_fixed'],
      ['/v1/settings/Bad%20Key', { value: 1 }, 400, 'request.validation_failed'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await as('PUT', path, body);
      expect({ path, body, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        body,
        status,
        code,
      });
    }
    const fields = (await as('PUT', '/v1/settings/security.session_ttl_hours', { value: 0 })).body.error
      .details.fields;
    expect(fields).toEqual([{ field: 'value', message: expect.any(String) }]);
    expect((await as('GET', '/v1/settings/custom.none')).status).toBe(404);
  });
});
