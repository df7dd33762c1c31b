import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  coveringGrants,
  grantKind,
  grants,
  implies,
  matchingGrant,
  parsePermission,
} from './permission-match.js';

const set = (...p: string[]) => new Set(p);

describe('coveringGrants', () => {
  it('lists the grants that cover a permission, most specific first', () => {
    expect(coveringGrants('users', 'read')).toEqual(['users:read', 'users:*', '*:read', '*:*']);
    expect(coveringGrants('discord', 'guild.member.kick')).toEqual([
      'discord:guild.member.kick',
      'discord:guild.member.*',
      'discord:guild.*',
      'discord:*',
      '*:guild.member.kick',
      '*:*',
    ]);
  });
});

describe('matchingGrant', () => {
  it('finds the first covering grant held, as walking coveringGrants does', () => {
    const part = fc.oneof(
      fc.constantFrom('', '.', '*', 'a', 'b', 'guild', 'a.b', 'a..b', '.a', 'a.', '*.b'),
      fc.string({ maxLength: 5 }),
    );
    const grant = fc.oneof(
      fc.tuple(part, part).map(([r, a]) => `${r}:${a}`),
      fc.tuple(part, part).map(([r, a]) => `${r}:${a}.*`),
      fc.constantFrom('*:*'),
    );
    fc.assert(
      fc.property(fc.array(grant, { maxLength: 8 }), part, part, (held, resource, action) => {
        const set = new Set(held);
        const walked = coveringGrants(resource, action).find((g) => set.has(g));
        expect(matchingGrant(set, resource, action)).toBe(walked);
      }),
      { seed: 20261207, numRuns: 5000 },
    );
  });

  it('names the kind of grant that matched', () => {
    expect(grantKind('users:read', 'users', 'read')).toBe('exact');
    expect(grantKind('discord:guild.*', 'discord', 'guild.ban')).toBe('prefix');
    expect(grantKind('users:*', 'users', 'read')).toBe('resource_wildcard');
    expect(grantKind('*:read', 'users', 'read')).toBe('action_wildcard');
    expect(grantKind('*:*', 'users', 'read')).toBe('all');
    expect(grantKind('*', 'users', 'read')).toBe('all');
  });
});

describe('grants', () => {
  it.each([
    [['users:read'], 'users', 'read', true],
    [['users:read'], 'users', 'write', false],
    [['users:*'], 'users', 'delete', true],
    [['users:*'], 'roles', 'read', false],
    [['*:*'], 'anything', 'at.all', true],
    [['*:read'], 'roles', 'read', true],
    [['*:read'], 'roles', 'write', false],
    [['discord:guild.*'], 'discord', 'guild.ban', true],
    [['discord:guild.*'], 'discord', 'guild.member.kick', true],
    [['discord:guild.*'], 'discord', 'guildx', false],
    [['discord:guild.*'], 'discord', 'guild', false],
    [['discord:guild.member.*'], 'discord', 'guild.ban', false],
    [['discord:guild.ban'], 'discord', 'guild.ban', true],
    [[], 'users', 'read', false],
  ])('%j covers %s:%s → %s', (held, resource, action, expected) => {
    expect(grants(set(...held), resource, action)).toBe(expected);
  });

  it('does not treat a resource prefix as a wildcard', () => {
    expect(grants(set('user:*'), 'users', 'read')).toBe(false);
    expect(grants(set('users:read'), 'users', 'read.all')).toBe(false);
  });
});

describe('parsePermission', () => {
  it('splits at the first colon and rejects what is not resource:action', () => {
    expect(parsePermission('discord:guild.ban')).toEqual({ resource: 'discord', action: 'guild.ban' });
    expect(parsePermission('a:b:c')).toEqual({ resource: 'a', action: 'b:c' });
    expect(parsePermission('users')).toBeUndefined();
    expect(parsePermission(':read')).toBeUndefined();
    expect(parsePermission('users:')).toBeUndefined();
  });
});

describe('implies (holding one set implies holding a grant)', () => {
  it.each([
    [['*:*'], '*:*', true],
    [['users:*'], '*:*', false],
    [['users:*'], 'users:*', true],
    [['users:read'], 'users:*', false],
    [['users:*'], 'users:read', true],
    [['*:read'], 'users:read', true],
    [['*:read'], '*:read', true],
    [['users:read', 'roles:read'], '*:read', false],
    [['discord:*'], 'discord:guild.*', true],
    [['discord:guild.*'], 'discord:guild.member.*', true],
    [['discord:guild.member.*'], 'discord:guild.*', false],
    [['discord:guild.ban'], 'discord:guild.*', false],
    [['discord:guild.*'], 'discord:guild.ban', true],
    [['users:read'], 'not-a-permission', false],
    [['not-a-permission'], 'not-a-permission', true],
  ])('%j implies %s → %s', (held, wanted, expected) => {
    expect(implies(set(...held), wanted)).toBe(expected);
  });
});
