import { describe, expect, it } from '@jest/globals';
import { AppError } from '../errors/index.js';
import { ANONYMOUS, createAuthContext, isSuperAdminBy, type AuthContextData } from './context.js';
import { assertHoldsPermissions } from './guards.js';

const user = { id: 'u1', username: 'alice' };
const key = { id: 'k1', name: 'k', prefix: 'hm_abcdefgh', userId: 'u1', isSystem: false, expiresAt: null };

function ctx(overrides: Partial<AuthContextData>) {
  return createAuthContext({ ...ANONYMOUS, user, scopes: ['*'], ...overrides });
}

describe('super admin (by role id, by legacy role name, or by *:*)', () => {
  it('is recognised by role id, by the legacy role name, or by *:*', () => {
    expect(isSuperAdminBy(['role_super_admin'], [], [])).toBe(true);
    expect(isSuperAdminBy(['role_x'], ['super_admin'], [])).toBe(true);
    expect(isSuperAdminBy([], [], ['*:*'])).toBe(true);
    expect(isSuperAdminBy(['role_admin'], ['Super Admin', 'superadmin', 'Super_Admin'], ['users:*'])).toBe(
      false,
    );
  });

  it('bypasses every permission check', () => {
    const auth = ctx({ roleIds: ['role_super_admin'], roles: ['Super Admin'] });
    expect(auth.isSuperAdmin).toBe(true);
    expect(auth.hasPermission('anything', 'at.all')).toBe(true);
    expect(auth.can('discord', 'guild.ban')).toBe(true);
    expect([...auth.effectivePermissions]).toEqual(['*:*']);
  });
});

describe('a user credential', () => {
  const auth = ctx({ permissions: ['users:read', 'discord:guild.*'], roleIds: ['role_moderator'] });

  it('holds what its roles grant, wildcards included', () => {
    expect(auth.isSuperAdmin).toBe(false);
    expect(auth.isAnonymous).toBe(false);
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.can('users', 'write')).toBe(false);
    expect(auth.can('discord', 'guild.member.kick')).toBe(true);
    expect(auth.can('discord', 'channel.create')).toBe(false);
  });

  it('anonymous holds nothing', () => {
    const anon = createAuthContext(ANONYMOUS);
    expect(anon.isAnonymous).toBe(true);
    expect(anon.can('users', 'read')).toBe(false);
    expect(anon.hasScope('users:read')).toBe(false);
  });
});

describe('an API key needs scope AND permission', () => {
  it('scope without permission, or permission without scope, is refused', () => {
    const auth = ctx({
      apiKey: key,
      permissions: ['users:read', 'roles:read'],
      scopes: ['users:*', 'audit:read'],
    });
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.hasPermission('roles', 'read')).toBe(true);
    expect(auth.hasScope('roles:read')).toBe(false);
    expect(auth.can('roles', 'read')).toBe(false);
    expect(auth.hasScope('audit:read')).toBe(true);
    expect(auth.can('audit', 'read')).toBe(false);
  });

  it('scope * covers every scope, dotted scope wildcards cover their actions', () => {
    expect(ctx({ scopes: ['*'] }).hasScope('anything:goes')).toBe(true);
    const dotted = ctx({ scopes: ['discord:guild.*'] });
    expect(dotted.hasScope('discord:guild.ban')).toBe(true);
    expect(dotted.hasScope('discord:channel.create')).toBe(false);
    expect(ctx({ scopes: [] }).hasScope('users:read')).toBe(false);
  });

  it('a super-admin key still needs the scope', () => {
    const auth = ctx({ apiKey: { ...key, userId: null }, permissions: ['*:*'], scopes: ['users:read'] });
    expect(auth.isSuperAdmin).toBe(true);
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.can('users', 'delete')).toBe(false);
  });
});

describe('a user-owned key never exceeds its owner', () => {
  it('is capped by the owner’s current permissions', () => {
    const auth = ctx({
      apiKey: key,
      permissions: ['users:*', 'roles:read'],
      ownerCap: { permissions: ['users:read'], isSuperAdmin: false },
    });
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.can('users', 'write')).toBe(false);
    expect(auth.can('roles', 'read')).toBe(false);
    expect([...auth.effectivePermissions].sort()).toEqual(['users:read']);
  });

  it('a key with *:* is not super admin when its owner is not, and holds only the owner’s permissions', () => {
    const auth = ctx({
      apiKey: key,
      permissions: ['*:*'],
      roleIds: ['role_api_full_access'],
      ownerCap: { permissions: ['users:read', 'discord:guild.*'], isSuperAdmin: false },
    });
    expect(auth.isSuperAdmin).toBe(false);
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.can('discord', 'guild.ban')).toBe(true);
    expect(auth.can('users', 'delete')).toBe(false);
    expect([...auth.effectivePermissions].sort()).toEqual(['discord:guild.*', 'users:read']);
  });

  it('an owner who is super admin does not cap the key', () => {
    const auth = ctx({
      apiKey: key,
      permissions: ['users:read'],
      ownerCap: { permissions: ['*:*'], isSuperAdmin: true },
    });
    expect(auth.can('users', 'read')).toBe(true);
    expect(auth.can('users', 'write')).toBe(false);
    expect([...auth.effectivePermissions]).toEqual(['users:read']);
  });

  it('intersects wildcards in both directions', () => {
    const auth = ctx({
      apiKey: key,
      permissions: ['discord:guild.ban', 'users:*'],
      ownerCap: { permissions: ['discord:*', 'users:read'], isSuperAdmin: false },
    });
    expect([...auth.effectivePermissions].sort()).toEqual(['discord:guild.ban', 'users:read']);
  });
});

describe('2FA rule', () => {
  it('blocks every check until 2FA is completed, then allows', () => {
    const pending = ctx({ permissions: ['users:read'], twoFactorRequired: true, twoFactorVerified: false });
    expect(pending.blockedByTwoFactor).toBe(true);
    expect(pending.can('users', 'read')).toBe(false);
    const superPending = ctx({ roleIds: ['role_super_admin'], twoFactorRequired: true });
    expect(superPending.can('users', 'read')).toBe(false);
    const done = ctx({ permissions: ['users:read'], twoFactorRequired: true, twoFactorVerified: true });
    expect(done.can('users', 'read')).toBe(true);
  });
});

describe('assertHoldsPermissions (escalation guard)', () => {
  const moderator = ctx({ permissions: ['users:read', 'users:ban', 'discord:guild.*'] });

  it('allows granting what the caller holds, wildcards included', () => {
    expect(() => assertHoldsPermissions(moderator, ['users:read', 'discord:guild.ban'], 'x')).not.toThrow();
    expect(() => assertHoldsPermissions(moderator, ['discord:guild.member.*'], 'x')).not.toThrow();
  });

  it('refuses anything more and names what is missing', () => {
    let error: unknown;
    try {
      assertHoldsPermissions(moderator, ['users:read', 'users:*', '*:*'], 'the role role_admin');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'auth.escalation_denied',
      status: 403,
      details: { missing: ['users:*', '*:*'] },
    });
  });

  it('lets a super admin grant anything', () => {
    const admin = ctx({ permissions: ['*:*'] });
    expect(() => assertHoldsPermissions(admin, ['*:*', 'anything:else'], 'x')).not.toThrow();
  });
});
