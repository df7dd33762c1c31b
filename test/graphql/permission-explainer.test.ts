import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { camelCase } from '../../schemas/common.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';

const EXPLAIN = `query ($permission: String!, $userId: ID, $apiKeyId: ID) {
  explainPermission(permission: $permission, userId: $userId, apiKeyId: $apiKeyId) {
    permission allowed reason summary
    subject { type userId username apiKeyId apiKeyName }
    permissionExists twoFactorSessionRequired
    steps { check passed grant grantKind superAdminRule roles { id name } detail }
  }
}`;

/** A REST answer with its keys as GraphQL names them. */
const camelized = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(camelized)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), camelized(v)]))
      : value;

describe('explainPermission (GraphQL): the REST explanation, field for field', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let adminKey: string;
  let modKey: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    adminKey = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    ids.mod = await createUser(t.db, { username: 'gql-mod', roleIds: ['role_moderator'], twoFactor: true });
    ids.pending = await createUser(t.db, { username: 'gql-pending', roleIds: ['role_developer'] });
    const modKeyRow = await createKey(t.db, {
      userId: ids.mod,
      roleIds: ['role_api_full_access'],
      scopes: ['users:*', 'discord:guild.*'],
      name: 'mod bot',
    });
    ids.modKey = modKeyRow.id;
    modKey = modKeyRow.key;
    ids.inactive = (await createKey(t.db, { roleIds: ['role_api_read_only'], isActive: false })).id;
  });

  it('answers what GET /v1/permissions/explain answers', async () => {
    const gql = graphqlClient(t.url, adminKey);
    const cases: [string, Record<string, string>][] = [
      ['users:ban', { user_id: ids.mod! }],
      ['discord:guild.kick', { api_key_id: ids.modKey! }],
      ['gps:read', { api_key_id: ids.modKey! }],
      ['users:write', { api_key_id: ids.modKey! }],
      ['api_keys:read', { user_id: ids.pending! }],
      ['roles:read', { api_key_id: ids.inactive! }],
    ];
    const reasons: string[] = [];
    for (const [permission, subject] of cases) {
      const rest = await call(
        t.url,
        'GET',
        `/v1/permissions/explain?${new URLSearchParams({ permission, ...subject })}`,
        {
          key: adminKey,
        },
      );
      expect(rest.status).toBe(200);
      const answer = await gql(EXPLAIN, {
        permission,
        userId: subject.user_id ?? null,
        apiKeyId: subject.api_key_id ?? null,
      });
      expect(answer.errors).toEqual([]);
      expect(answer.data.explainPermission).toEqual(camelized(rest.body));
      reasons.push(answer.data.explainPermission.reason);
    }
    expect(reasons).toEqual([
      'granted',
      'granted',
      'scope_missing',
      'owner_lacks_permission',
      'two_factor_missing',
      'api_key_inactive',
    ]);
  });

  it('refuses bad arguments, unknown ids and callers who may not ask, as REST does', async () => {
    const gql = graphqlClient(t.url, adminKey);
    expect(codes(await gql(EXPLAIN, { permission: 'users:read' }))).toEqual(['request.validation_failed']);
    const both = await gql(EXPLAIN, { permission: 'users:read', userId: ids.mod, apiKeyId: ids.modKey });
    expect(codes(both)).toEqual(['request.validation_failed']);
    expect(both.errors[0]!.extensions).toMatchObject({
      details: { fields: [expect.objectContaining({ field: 'user_id' })] },
    });
    expect(codes(await gql(EXPLAIN, { permission: 'users', userId: ids.mod }))).toEqual([
      'request.validation_failed',
    ]);
    expect(codes(await gql(EXPLAIN, { permission: 'users:read', userId: 'not-a-uuid' }))).toEqual([
      'request.validation_failed',
    ]);
    expect(codes(await gql(EXPLAIN, { permission: 'users:read', userId: randomUUID() }))).toEqual([
      'user.not_found',
    ]);
    expect(codes(await gql(EXPLAIN, { permission: 'users:read', apiKeyId: randomUUID() }))).toEqual([
      'api_key.not_found',
    ]);
    // A moderator holds users:read but not permissions:read (and the key has no scope for it either).
    const mod = await graphqlClient(t.url, modKey)(EXPLAIN, { permission: 'users:read', userId: ids.mod });
    expect(codes(mod)).toEqual(['auth.insufficient_scope']);
    const modFull = (await createKey(t.db, { userId: ids.mod, roleIds: ['role_api_full_access'] })).key;
    const unscoped = await graphqlClient(t.url, modFull)(EXPLAIN, {
      permission: 'users:read',
      userId: ids.mod,
    });
    expect(codes(unscoped)).toEqual(['auth.forbidden']);
    expect(codes(await graphqlClient(t.url)(EXPLAIN, { permission: 'users:read', userId: ids.mod }))).toEqual(
      ['auth.required'],
    );
  });
});
