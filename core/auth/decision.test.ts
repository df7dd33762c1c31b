import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ANONYMOUS, createAuthContext, type AuthContextData } from './context.js';
import { decide, type DecisionStep } from './decision.js';
import { coveringGrants, parsePermission } from './permission-match.js';
import type { SuperAdminRule } from '../../schemas/rbac.js';

const SEED = 20261207;
const user = { id: 'u1', username: 'alice' };
const key = { id: 'k1', name: 'k', prefix: 'hm_abcdefgh', userId: 'u1', isSystem: false, expiresAt: null };

const data = (overrides: Partial<AuthContextData>): AuthContextData => ({
  ...ANONYMOUS,
  user,
  scopes: ['*'],
  ...overrides,
});

const stepOf = (steps: DecisionStep[], check: DecisionStep['check']) => steps.find((s) => s.check === check);

describe('decide: which grant allowed it', () => {
  const held = data({
    permissions: ['users:read', 'discord:guild.*', 'gps:*', '*:download'],
    roleIds: ['role_x'],
    roles: ['X'],
  });

  it.each([
    ['users', 'read', 'users:read', 'exact'],
    ['discord', 'guild.ban', 'discord:guild.*', 'prefix'],
    ['discord', 'guild.member.kick', 'discord:guild.*', 'prefix'],
    ['gps', 'delete', 'gps:*', 'resource_wildcard'],
    ['storage', 'download', '*:download', 'action_wildcard'],
  ])('%s:%s is granted by %s (%s)', (resource, action, grant, kind) => {
    const decision = decide(held, resource, action);
    expect(decision).toMatchObject({ allowed: true, reason: 'granted' });
    expect(stepOf(decision.steps, 'permission')).toEqual({
      check: 'permission',
      passed: true,
      grant,
      grantKind: kind,
      superAdmin: false,
      superAdminRule: null,
    });
  });

  it('names no grant when none covers it, and records every check in order', () => {
    const decision = decide(held, 'users', 'write');
    expect(decision).toEqual({
      allowed: false,
      reason: 'permission_missing',
      steps: [
        {
          check: 'two_factor',
          passed: true,
          grant: null,
          grantKind: null,
          superAdmin: false,
          superAdminRule: null,
        },
        {
          check: 'scope',
          passed: true,
          grant: '*',
          grantKind: 'all',
          superAdmin: false,
          superAdminRule: null,
        },
        {
          check: 'permission',
          passed: false,
          grant: null,
          grantKind: null,
          superAdmin: false,
          superAdminRule: null,
        },
      ],
    });
  });

  it('takes the most specific covering grant', () => {
    const both = data({ permissions: ['discord:*', 'discord:guild.*', 'discord:guild.ban'] });
    expect(stepOf(decide(both, 'discord', 'guild.ban').steps, 'permission')?.grant).toBe('discord:guild.ban');
    expect(stepOf(decide(both, 'discord', 'guild.kick').steps, 'permission')?.grant).toBe('discord:guild.*');
    expect(stepOf(decide(both, 'discord', 'read').steps, 'permission')?.grant).toBe('discord:*');
  });
});

describe('decide: the super-admin rules', () => {
  it.each<[string, Partial<AuthContextData>, SuperAdminRule]>([
    ['the role role_super_admin', { roleIds: ['role_super_admin'], roles: ['Super Admin'] }, 'role_id'],
    ['a role named super_admin', { roleIds: ['role_old'], roles: ['super_admin'] }, 'legacy_role_name'],
    [
      'a role holding *:*',
      { roleIds: ['role_admin'], roles: ['Admin'], permissions: ['*:*'] },
      'wildcard_permission',
    ],
  ])('%s passes every permission check', (_name, roles, rule) => {
    const decision = decide(data({ ...roles }), 'anything', 'at.all');
    expect(decision).toMatchObject({ allowed: true, reason: 'super_admin' });
    expect(stepOf(decision.steps, 'permission')).toMatchObject({
      passed: true,
      superAdmin: true,
      superAdminRule: rule,
      grant: null,
    });
  });

  it('role id wins over the legacy name, the legacy name over *:*', () => {
    const all = data({
      roleIds: ['role_super_admin', 'role_x'],
      roles: ['Super Admin', 'super_admin'],
      permissions: ['*:*'],
    });
    expect(stepOf(decide(all, 'a', 'b').steps, 'permission')?.superAdminRule).toBe('role_id');
    const legacy = data({ roleIds: ['role_x'], roles: ['super_admin'], permissions: ['*:*'] });
    expect(stepOf(decide(legacy, 'a', 'b').steps, 'permission')?.superAdminRule).toBe('legacy_role_name');
  });

  it('a name merely like super_admin is no rule', () => {
    const near = data({ roleIds: ['role_admin'], roles: ['Super Admin', 'superadmin', 'Super_Admin'] });
    expect(decide(near, 'users', 'read')).toMatchObject({ allowed: false, reason: 'permission_missing' });
  });

  it('a super-admin key still needs the scope', () => {
    const scoped = data({ apiKey: { ...key, userId: null }, permissions: ['*:*'], scopes: ['users:read'] });
    expect(decide(scoped, 'users', 'read')).toMatchObject({ allowed: true, reason: 'super_admin' });
    expect(decide(scoped, 'users', 'delete')).toMatchObject({ allowed: false, reason: 'scope_missing' });
  });
});

describe('decide: an API key’s scopes', () => {
  const scoped = (scopes: string[]) =>
    data({ apiKey: { ...key, userId: null }, user: null, permissions: ['*:*'], scopes });

  it.each([
    [['*'], 'users', 'read', '*', 'all'],
    [['users:read'], 'users', 'read', 'users:read', 'exact'],
    [['users:*'], 'users', 'write', 'users:*', 'resource_wildcard'],
    [['discord:guild.*'], 'discord', 'guild.ban', 'discord:guild.*', 'prefix'],
    [['*:read'], 'roles', 'read', '*:read', 'action_wildcard'],
  ])('%j covers %s:%s through %s (%s)', (scopes, resource, action, grant, kind) => {
    expect(stepOf(decide(scoped(scopes), resource, action).steps, 'scope')).toMatchObject({
      passed: true,
      grant,
      grantKind: kind,
    });
  });

  it('scope AND permission: either missing refuses, named by the first that fails', () => {
    const key2 = data({
      apiKey: key,
      permissions: ['users:read', 'roles:read'],
      scopes: ['users:*', 'audit:read'],
    });
    expect(decide(key2, 'users', 'read')).toMatchObject({ allowed: true, reason: 'granted' });
    expect(decide(key2, 'roles', 'read')).toMatchObject({ allowed: false, reason: 'scope_missing' });
    const both = decide(key2, 'gps', 'read');
    expect(both).toMatchObject({ allowed: false, reason: 'scope_missing' });
    expect(stepOf(both.steps, 'permission')?.passed).toBe(false);
    expect(decide(key2, 'audit', 'read')).toMatchObject({ allowed: false, reason: 'permission_missing' });
  });
});

describe('decide: a user-owned key never exceeds its owner', () => {
  it('refuses what the key grants and the owner does not hold', () => {
    const capped = data({
      apiKey: key,
      permissions: ['users:*', 'roles:read'],
      ownerCap: { permissions: ['users:read', 'discord:*'], isSuperAdmin: false },
    });
    const read = decide(capped, 'users', 'read');
    expect(read).toMatchObject({ allowed: true, reason: 'granted' });
    expect(stepOf(read.steps, 'owner_cap')).toMatchObject({
      passed: true,
      grant: 'users:read',
      grantKind: 'exact',
    });
    expect(decide(capped, 'users', 'write')).toMatchObject({
      allowed: false,
      reason: 'owner_lacks_permission',
    });
    expect(decide(capped, 'discord', 'read')).toMatchObject({ allowed: false, reason: 'permission_missing' });
  });

  it('a *:* key of an owner who is not a super admin is no super admin and holds what the owner holds', () => {
    const capped = data({
      apiKey: key,
      roleIds: ['role_api_full_access'],
      permissions: ['*:*'],
      ownerCap: { permissions: ['discord:guild.*'], isSuperAdmin: false },
    });
    const ban = decide(capped, 'discord', 'guild.ban');
    expect(ban).toMatchObject({ allowed: true, reason: 'granted' });
    expect(stepOf(ban.steps, 'permission')).toMatchObject({
      superAdmin: true,
      superAdminRule: 'wildcard_permission',
    });
    expect(stepOf(ban.steps, 'owner_cap')).toMatchObject({ grant: 'discord:guild.*', grantKind: 'prefix' });
    expect(decide(capped, 'users', 'read')).toMatchObject({
      allowed: false,
      reason: 'owner_lacks_permission',
    });
  });

  it('an owner who is a super admin caps nothing', () => {
    const uncapped = data({
      apiKey: key,
      permissions: ['users:read'],
      ownerCap: { permissions: ['*:*'], isSuperAdmin: true },
    });
    const read = decide(uncapped, 'users', 'read');
    expect(stepOf(read.steps, 'owner_cap')).toMatchObject({ passed: true, superAdmin: true, grant: null });
    expect(decide(uncapped, 'users', 'write')).toMatchObject({
      allowed: false,
      reason: 'permission_missing',
    });
  });

  it('has no owner_cap step without an owner', () => {
    expect(
      stepOf(decide(data({ permissions: ['users:read'] }), 'users', 'read').steps, 'owner_cap'),
    ).toBeUndefined();
  });
});

describe('decide: the 2FA rule', () => {
  it('refuses everything while a required second factor is missing, super admins included', () => {
    const pending = data({
      roleIds: ['role_super_admin'],
      twoFactorRequired: true,
      twoFactorVerified: false,
    });
    const decision = decide(pending, 'users', 'read');
    expect(decision).toMatchObject({ allowed: false, reason: 'two_factor_missing' });
    // The other checks are still made and recorded.
    expect(decision.steps.map((s) => [s.check, s.passed])).toEqual([
      ['two_factor', false],
      ['scope', true],
      ['permission', true],
    ]);
    const done = data({ permissions: ['users:read'], twoFactorRequired: true, twoFactorVerified: true });
    expect(decide(done, 'users', 'read')).toMatchObject({ allowed: true, reason: 'granted' });
  });
});

/** The check as createAuthContext wrote it before decisions were traced: an independent oracle. */
function previousCan(d: AuthContextData, resource: string, action: string) {
  const covered = (set: Set<string>, r: string, a: string) => coveringGrants(r, a).some((g) => set.has(g));
  const permissions = new Set(d.permissions);
  const scopes = new Set(d.scopes);
  const cap = d.ownerCap ? new Set(d.ownerCap.permissions) : undefined;
  const ownSuper =
    d.roleIds.includes('role_super_admin') ||
    d.roles.includes('super_admin') ||
    d.permissions.includes('*:*');
  const isSuperAdmin = ownSuper && (d.ownerCap === null || d.ownerCap.isSuperAdmin);
  const withinCap = !d.ownerCap || d.ownerCap.isSuperAdmin || covered(cap!, resource, action);
  const hasPermission = isSuperAdmin || ((ownSuper || covered(permissions, resource, action)) && withinCap);
  const scope = `${resource}:${action}`;
  const parsed = parsePermission(scope);
  const hasScope =
    scopes.has('*') ||
    scopes.has(scope) ||
    (parsed ? covered(scopes, parsed.resource, parsed.action) : false);
  return {
    can: !(d.twoFactorRequired && !d.twoFactorVerified) && hasScope && hasPermission,
    hasPermission,
    hasScope,
  };
}

describe('can() and the explanation agree (property)', () => {
  const resources = ['users', 'discord', 'gps', '*', 'a:b', ''];
  const actions = [
    'read',
    'write',
    'guild.ban',
    'guild.member.kick',
    'guild.*',
    'guild.member.*',
    '*',
    '.x',
    'a..b',
    '',
  ];
  const grant = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...resources), fc.constantFrom(...actions))
        .map(([r, a]) => `${r}:${a}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('*', '*:*') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  const grantList = fc.array(grant, { maxLength: 6 });
  const input: fc.Arbitrary<AuthContextData> = fc.record({
    user: fc.constant(user),
    apiKey: fc.option(fc.constant(key), { nil: null }),
    sessionId: fc.constant(null),
    roles: fc.array(fc.constantFrom('super_admin', 'Super Admin', 'Admin', 'X'), { maxLength: 3 }),
    roleIds: fc.array(fc.constantFrom('role_super_admin', 'role_admin', 'role_x'), { maxLength: 3 }),
    permissions: grantList,
    scopes: grantList,
    ownerCap: fc.option(fc.record({ permissions: grantList, isSuperAdmin: fc.boolean() }), { nil: null }),
    twoFactorRequired: fc.boolean(),
    twoFactorVerified: fc.boolean(),
  });
  const wanted = fc.tuple(
    fc.oneof(fc.constantFrom(...resources), fc.string({ maxLength: 6 })),
    fc.oneof(fc.constantFrom(...actions), fc.string({ maxLength: 6 })),
  );

  it('allowed is can(), each step is the partial check it stands for, and both are what can() always was', () => {
    fc.assert(
      fc.property(input, fc.array(wanted, { minLength: 1, maxLength: 5 }), (d, checks) => {
        const auth = createAuthContext(d);
        for (const [resource, action] of checks) {
          const decision = decide(d, resource, action);
          const passed = (check: DecisionStep['check']) => stepOf(decision.steps, check)?.passed ?? true;
          expect(decision.allowed).toBe(auth.can(resource, action));
          expect(auth.decide(resource, action)).toEqual(decision);
          expect(decision.allowed).toBe(decision.steps.every((s) => s.passed));
          expect(passed('two_factor')).toBe(!auth.blockedByTwoFactor);
          expect(passed('scope')).toBe(auth.hasScope(`${resource}:${action}`));
          expect(passed('permission') && passed('owner_cap')).toBe(auth.hasPermission(resource, action));
          expect(decision.reason === 'super_admin').toBe(decision.allowed && auth.isSuperAdmin);
          const before = previousCan(d, resource, action);
          expect([
            auth.can(resource, action),
            auth.hasPermission(resource, action),
            auth.hasScope(`${resource}:${action}`),
          ]).toEqual([before.can, before.hasPermission, before.hasScope]);
          for (const s of decision.steps) {
            // A named grant covers what was asked (a scope covers the text `resource:action`).
            if (s.grant === null || s.grant === '*' || s.grant === `${resource}:${action}`) continue;
            const target =
              s.check === 'scope' ? parsePermission(`${resource}:${action}`)! : { resource, action };
            expect(coveringGrants(target.resource, target.action)).toContain(s.grant);
          }
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
