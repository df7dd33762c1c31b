/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { startTestPlatform } from '../support/platform.js';

/** Users with their roles and each role's permissions: the shape of an authorization dashboard. */
const usersWithPermissions = (take: number) => `{
  users(take: ${take}, orderBy: { username: asc }) {
    id username
    roles { role { id name permissions { permission { id resource action } } } }
  }
}`;

describe('GraphQL reads nested relationship lists in batches, and costs them by what they hold', () => {
  // The natural answer below (100 users, half of them Moderators with their 25 permissions) is about 21,000
  // fields, a little over the default limit; the fan-out query stays far beyond this one.
  const vars = { HEIMDALL__RATE_LIMIT__ENABLED: 'false', HEIMDALL__GRAPHQL__MAX_COST: '50000' };
  let database: TestDatabase;
  let platform: RunningPlatform;
  const t = {
    get url() {
      return platform.url;
    },
    get db() {
      return platform.databases.primary;
    },
    get platform() {
      return platform;
    },
  };
  let superKey: string;
  let userKey: string;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url, ...vars });
    const superId = await createUser(t.db, {
      username: 'aaa-super',
      roleIds: ['role_super_admin'],
      twoFactor: true,
    });
    superKey = (await createKey(t.db, { userId: superId, roleIds: ['role_api_full_access'] })).key;
    for (let i = 0; i < 100; i++) {
      const id = await createUser(t.db, {
        username: `bulk-${String(i).padStart(3, '0')}`,
        roleIds: i % 2 ? ['role_user', 'role_moderator'] : ['role_user'],
        twoFactor: true,
      });
      if (i === 0) userId = id;
    }
    userKey = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
    // A deployment with these users: relationship sizes are counted when the server starts (then each minute).
    await platform.stop();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url, ...vars });
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  /** The answer to `query` and how many SQL statements Keystone sent for it. */
  const measured = async (key: string, query: string) => {
    const before = t.platform.services.keystone.sql.statements;
    const answer = await graphqlClient(t.url, key)(query);
    return { answer, statements: t.platform.services.keystone.sql.statements - before };
  };

  it('answers 100 users with roles and permissions in as many statements as 10, and correctly', async () => {
    const ten = await measured(superKey, usersWithPermissions(10));
    const hundred = await measured(superKey, usersWithPermissions(100));
    expect(hundred.answer.errors).toEqual([]);
    expect(ten.answer.errors).toEqual([]);
    expect(hundred.answer.data.users).toHaveLength(100);
    expect(hundred.statements).toBe(ten.statements);
    expect(hundred.statements).toBeLessThanOrEqual(6);

    const held = await t.db('UserRole').select('user_id', 'role_id');
    const granted = await t.db('RolePermission').select('role_id', 'permission_id');
    for (const user of hundred.answer.data.users) {
      const roles = user.roles.map((r: any) => r.role.id).sort();
      expect(roles).toEqual(
        held
          .filter((h) => h.user_id === user.id)
          .map((h) => h.role_id)
          .sort(),
      );
      for (const { role } of user.roles) {
        expect(role.permissions.map((p: any) => p.permission.id).sort()).toEqual(
          granted
            .filter((g) => g.role_id === role.id)
            .map((g) => g.permission_id)
            .sort(),
        );
      }
    }
  });

  it('costs a nested relationship list by the most items one parent has, not by the page size', async () => {
    // Counted at the page size, the query above "could return" millions of fields; it returns about 21,000.
    const natural = await graphqlClient(t.url, superKey)(usersWithPermissions(100));
    expect(natural.errors).toEqual([]);
    // A relation many parents share (everyone holds role_user) still costs a full page: abuse stays refused.
    const fanOut = await graphqlClient(
      t.url,
      superKey,
    )(
      '{ users(take: 100) { roles { role { users { user { roles { role { permissions { permission { id } } } } } } } } } }',
    );
    expect(codes(fanOut)).toEqual(['graphql.too_costly']);
  });

  it('keeps each nested list’s own arguments and the caller’s access rules', async () => {
    const paged = await graphqlClient(
      t.url,
      superKey,
    )(`{
      users(take: 3, orderBy: { username: asc }, where: { username: { startsWith: "bulk-" } }) {
        username
        roles(orderBy: { id: desc }, take: 1, skip: 1, where: { role: { id: { not: { equals: "role_admin" } } } }) { role { id } }
      }
    }`);
    expect(paged.errors).toEqual([]);
    const expected = await Promise.all(
      ['bulk-000', 'bulk-001', 'bulk-002'].map(async (username) => ({
        username,
        roles: (
          await t
            .db('UserRole')
            .join('User', 'User.id', 'UserRole.user_id')
            .where({ username })
            .orderBy('UserRole.id', 'desc')
            .offset(1)
            .limit(1)
            .select('role_id')
        ).map((r) => ({ role: { id: r.role_id } })),
      })),
    );
    expect(expected[1]!.roles).toHaveLength(1);
    expect(paged.data.users).toEqual(expected);
    // A user without users:read sees only themself; without roles:read, a role's permissions are refused.
    const own = await graphqlClient(t.url, userKey)('{ users { id roles { role { id } } } }');
    expect(own.errors).toEqual([]);
    expect(own.data.users).toEqual([{ id: userId, roles: [{ role: { id: 'role_user' } }] }]);
    const refused = await graphqlClient(t.url, userKey)(usersWithPermissions(10));
    expect(codes(refused)).toContain('auth.forbidden');
  });
});
