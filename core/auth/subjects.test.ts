import { describe, expect, it } from '@jest/globals';
import type { ApiKeyRow, AuthQueries, RoleGrant, UserRow } from './queries.js';
import { createSubjectLoader, userCredentialData } from './subjects.js';

const moderator: RoleGrant = {
  id: 'role_moderator',
  name: 'Moderator',
  requires_two_factor: true,
  permissions: ['users:ban', 'users:read'],
};
const fullAccess: RoleGrant = {
  id: 'role_api_full_access',
  name: 'API Full Access',
  requires_two_factor: false,
  permissions: ['*:*'],
};

function loader(users: Record<string, Partial<UserRow>>, twoFactor: string[] = []) {
  const queries = {
    findUser: async (id: string) =>
      users[id]
        ? { id, username: id, deleted_at: null, ban_id: null, banned_until: null, ...users[id] }
        : undefined,
    userRoles: async () => [moderator],
    apiKeyRoles: async () => [fullAccess],
    userHasTwoFactor: async (id: string) => twoFactor.includes(id),
  } as unknown as AuthQueries;
  return createSubjectLoader(queries);
}

const key = (overrides: Partial<ApiKeyRow> = {}): ApiKeyRow => ({
  id: 'k1',
  name: 'bot',
  key_prefix: 'hm_abcdefgh',
  user_id: 'alice',
  scopes: ['*'],
  is_active: true,
  is_system: false,
  expires_at: null,
  last_used_at: null,
  ...overrides,
});

describe('the subject loader (shared by the authenticator and the explainer)', () => {
  it('loads a user’s grants, their 2FA requirement and whether 2FA is enabled', async () => {
    const alice = await loader({ alice: {} }, ['alice']).user('alice');
    expect(alice).toEqual({
      user: { id: 'alice', username: 'alice' },
      roles: [moderator],
      permissions: ['users:ban', 'users:read'],
      isSuperAdmin: false,
      twoFactorRequired: true,
      twoFactorEnabled: true,
    });
    expect(userCredentialData(alice as never, false)).toMatchObject({
      scopes: ['*'],
      ownerCap: null,
      roleIds: ['role_moderator'],
      twoFactorRequired: true,
      twoFactorVerified: false,
    });
  });

  it('refuses an unknown, a deleted and a banned user, each with its reason', async () => {
    const until = new Date('2030-01-01T00:00:00Z');
    const load = loader({
      gone: { deleted_at: new Date() },
      banned: { ban_id: 'b1', banned_until: until },
      forever: { ban_id: 'b2' },
    });
    expect(await load.user('nobody')).toEqual({ reason: 'user_not_found' });
    expect(await load.user('gone')).toEqual({
      reason: 'account_deleted',
      user: { id: 'gone', username: 'gone' },
      ownerOfKey: false,
    });
    expect(await load.user('banned')).toMatchObject({ reason: 'account_banned', until: until.toISOString() });
    expect(await load.user('forever')).toMatchObject({ reason: 'account_banned', until: null });
  });

  it('caps a user-owned key by its owner and carries the owner’s 2FA state', async () => {
    const loaded = await loader({ alice: {} }).apiKey(key());
    expect(loaded).toMatchObject({
      roles: [fullAccess],
      owner: { user: { id: 'alice' } },
      data: {
        user: { id: 'alice', username: 'alice' },
        apiKey: { id: 'k1', userId: 'alice', isSystem: false },
        permissions: ['*:*'],
        roleIds: ['role_api_full_access'],
        ownerCap: { permissions: ['users:ban', 'users:read'], isSuperAdmin: false },
        twoFactorRequired: true,
        twoFactorVerified: false,
      },
    });
    const system = await loader({}).apiKey(key({ user_id: null, is_system: true }));
    expect(system).toMatchObject({
      owner: undefined,
      data: { user: null, ownerCap: null, twoFactorRequired: false },
    });
  });

  it('refuses an inactive key before an expired one, and a key whose owner is gone, deleted or banned', async () => {
    const past = new Date(Date.now() - 1000);
    const load = loader({ alice: {}, gone: { deleted_at: new Date() }, banned: { ban_id: 'b1' } });
    expect(await load.apiKey(key({ is_active: false, expires_at: past }))).toEqual({
      reason: 'api_key_inactive',
    });
    expect(await load.apiKey(key({ expires_at: past }))).toEqual({ reason: 'api_key_expired' });
    expect(await load.apiKey(key({ user_id: 'vanished' }))).toEqual({
      reason: 'account_deleted',
      user: null,
      ownerOfKey: true,
    });
    expect(await load.apiKey(key({ user_id: 'gone' }))).toMatchObject({
      reason: 'account_deleted',
      ownerOfKey: true,
    });
    expect(await load.apiKey(key({ user_id: 'banned' }))).toMatchObject({
      reason: 'account_banned',
      ownerOfKey: true,
    });
  });
});
