import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';

/** Two app instances on one database and one Redis: a change made through one is seen by the other at once. */
describeWithRedis('two nodes sharing Redis', () => {
  let database: TestDatabase;
  let a: RunningPlatform;
  let b: RunningPlatform;

  beforeAll(async () => {
    database = await createTestDatabase();
    const vars = {
      HEIMDALL__DATABASE__URL: database.url,
      HEIMDALL__REDIS__URL: TEST_REDIS_URL,
      HEIMDALL__REDIS__KEY_PREFIX: `${uniqueName('nodes')}:`,
      // Long enough that only the pub/sub invalidation can explain a refusal within a second.
      HEIMDALL__AUTH__CACHE_TTL_MS: '60000',
    };
    a = await startTestPlatform(vars);
    b = await startTestPlatform(vars);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  async function refusedWithin(url: string, key: string, ms: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await call(url, 'GET', '/v1/me', { key })).status === 401) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`key still accepted after ${ms} ms`);
  }

  it('a key revoked on node A is refused by node B within one second', async () => {
    const owner = await createUser(a.databases.primary, { roleIds: ['role_user'] });
    const admin = await createKey(a.databases.primary, { roleIds: ['role_api_full_access'], isSystem: true });
    const victim = await createKey(a.databases.primary, { userId: owner });
    // Warm B's cache so that only an invalidation can make it refuse.
    expect((await call(b.url, 'GET', '/v1/me', { key: victim.key })).status).toBe(200);
    expect((await call(a.url, 'DELETE', `/v1/api-keys/${victim.id}`, { key: admin.key })).status).toBe(204);
    expect(await refusedWithin(b.url, victim.key, 1000)).toBeLessThan(1000);
  });

  it('a role removed on node A takes effect on node B at once', async () => {
    const admin = await createKey(a.databases.primary, { roleIds: ['role_api_full_access'], isSystem: true });
    const user = await createUser(a.databases.primary, { roleIds: ['role_user'] });
    const key = await createKey(a.databases.primary, { userId: user, roleIds: ['role_api_full_access'] });
    await call(a.url, 'POST', `/v1/users/${user}/roles`, {
      key: admin.key,
      body: { role_id: 'role_api_read_only' },
    });
    expect((await call(b.url, 'GET', '/v1/roles', { key: key.key })).status).toBe(200);
    await call(a.url, 'DELETE', `/v1/users/${user}/roles/role_api_read_only`, { key: admin.key });
    const started = Date.now();
    while ((await call(b.url, 'GET', '/v1/roles', { key: key.key })).status === 200) {
      if (Date.now() - started > 1000) throw new Error('role still effective on node B after 1 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  });
});
