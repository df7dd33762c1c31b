import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { generateApiKey } from '../../core/auth/api-key-token.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';

const LIMITS = {
  HEIMDALL__RATE_LIMIT__TIERS__ANONYMOUS__READ: '3',
  HEIMDALL__RATE_LIMIT__TIERS__ANONYMOUS__WRITE: '2',
  HEIMDALL__RATE_LIMIT__TIERS__STANDARD__READ: '5',
  HEIMDALL__RATE_LIMIT__TIERS__STANDARD__WRITE: '2',
  HEIMDALL__RATE_LIMIT__TIERS__ELEVATED__READ: '8',
  HEIMDALL__RATE_LIMIT__FAILED_AUTH: '3',
};

function suite(
  name: string,
  extra: () => Record<string, string>,
  maybe: (n: string, fn: () => void) => void = describe,
) {
  maybe(`rate limits (${name})`, () => {
    let database: TestDatabase;
    let platform: RunningPlatform;
    beforeAll(async () => {
      database = await createTestDatabase();
      platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url, ...LIMITS, ...extra() });
    });
    afterAll(async () => {
      await platform?.stop();
      await database?.drop();
    });

    it('limits anonymous callers per IP and answers 429 with Retry-After', async () => {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await call(platform.url, 'GET', '/v1/me')).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await call(platform.url, 'GET', '/v1/me');
      expect(limited.body.error.code).toBe('rate_limit.exceeded');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-limit')).toBe('3');
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    });

    it('counts per key, with stricter writes and a higher tier for elevated callers', async () => {
      const db = platform.databases.primary;
      const one = await createKey(db);
      const two = await createKey(db);
      const reads = [];
      for (let i = 0; i < 6; i += 1)
        reads.push((await call(platform.url, 'GET', '/v1/me', { key: one.key })).status);
      expect(reads).toEqual([200, 200, 200, 200, 200, 429]);
      const first = await call(platform.url, 'GET', '/v1/me', { key: two.key });
      expect([
        first.status,
        first.headers.get('ratelimit-limit'),
        first.headers.get('ratelimit-remaining'),
      ]).toEqual([200, '5', '4']);
      const writes = [];
      for (let i = 0; i < 3; i += 1) {
        writes.push(
          (await call(platform.url, 'POST', '/v1/api-keys', { key: two.key, body: { name: 'w' } })).status,
        );
      }
      expect(writes).toEqual([403, 403, 429]);
      const elevated = await createKey(db, { roleIds: ['role_api_full_access'] });
      const res = await call(platform.url, 'GET', '/v1/me', { key: elevated.key });
      expect(res.headers.get('ratelimit-limit')).toBe('8');
    });

    it('counts refused credentials per IP: random keys get 429 once the budget is spent', async () => {
      const answers = [];
      for (let i = 0; i < 4; i += 1)
        answers.push(await call(platform.url, 'GET', '/v1/me', { key: generateApiKey().key }));
      expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
        [401, 'auth.invalid_api_key'],
        [401, 'auth.invalid_api_key'],
        [401, 'auth.invalid_api_key'],
        [429, 'rate_limit.exceeded'],
      ]);
      expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      expect(answers[0]!.headers.get('ratelimit-limit')).toBe('3');
      expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
      // The same budget covers GraphQL and every kind of credential; valid keys are not held back by it.
      const graphql = await fetch(`${platform.url}/api/graphql`, {
        method: 'POST',
        headers: { authorization: 'Bearer hs_nope', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { roles } }' }),
      });
      expect(graphql.status).toBe(429);
      const valid = await createKey(platform.databases.primary);
      expect((await call(platform.url, 'GET', '/v1/me', { key: valid.key })).status).toBe(200);
    });

    it('counts each mutation field of a GraphQL document as one write, and refuses before running any', async () => {
      const db = platform.databases.primary;
      const name = uniqueName('aliased');
      const document = (n: number) =>
        `mutation { ${Array.from({ length: n }, (_, i) => `k${i}: createApiKey(data: { name: "${name}" }) { key }`).join(' ')} }`;
      const post = (key: string, query: string) =>
        fetch(`${platform.url}/api/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        });
      // A user's own keys, standard tier: 2 writes per window.
      const userKey = async () =>
        (await createKey(db, { userId: await createUser(db, { roleIds: ['role_user'] }) })).key;
      const refused = await post(await userKey(), document(3));
      expect(refused.status).toBe(429);
      expect(await db('ApiKey').where({ name })).toEqual([]);
      const taken = await post(await userKey(), document(2));
      expect([taken.status, taken.headers.get('ratelimit-remaining')]).toEqual([200, '0']);
      expect(await db('ApiKey').where({ name })).toHaveLength(2);
    });
  });
}

suite('in-process', () => ({}));
suite(
  'Redis',
  () => ({ HEIMDALL__REDIS__URL: TEST_REDIS_URL, HEIMDALL__REDIS__KEY_PREFIX: `${uniqueName('rl')}:` }),
  describeWithRedis,
);
