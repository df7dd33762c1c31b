import { describe, expect, it } from '@jest/globals';
import { ANONYMOUS, createAuthContext } from '../auth/context.js';
import { selfViewer, seesPrivateFieldsOf, viewerOf, visibleProfile, visibleProfileTo } from './visibility.js';

const person = {
  id: 'p1',
  username: 'alice',
  email: 'alice@example.test',
  avatar_url: 'https://img.example.test/a.png',
  last_login_at: '2026-01-02T03:04:05.000Z',
  privacy_mode: true,
};
const withheld = { ...person, email: null, avatar_url: null, last_login_at: null };

const caller = (userId: string | null, permissions: string[], scopes = ['*']) =>
  viewerOf(
    createAuthContext({
      ...ANONYMOUS,
      user: userId ? { id: userId, username: userId } : null,
      permissions,
      scopes,
    }),
  );

describe('visibleProfile', () => {
  it('shows everything while privacy mode is off', () => {
    const open = { ...person, privacy_mode: false };
    expect(visibleProfile(caller('other', []), open)).toEqual(open);
  });

  it('withholds email, picture and activity from others without users:read', () => {
    expect(visibleProfile(caller('other', []), person)).toEqual(withheld);
    expect(visibleProfile(caller(null, ['gps:read']), person)).toEqual(withheld);
    // users:read held, but the key's scope leaves it out: not entitled.
    expect(visibleProfile(caller('other', ['users:read'], ['gps:read']), person)).toEqual(withheld);
  });

  it('shows everything to the person and to holders of users:read', () => {
    expect(visibleProfile(caller('p1', []), person)).toEqual(person);
    expect(visibleProfile(selfViewer('p1'), person)).toEqual(person);
    expect(visibleProfile(caller('other', ['users:read']), person)).toEqual(person);
    expect(visibleProfile(caller(null, ['users:*']), person)).toEqual(person);
  });

  it('leaves fields the subject does not carry alone', () => {
    const row = { id: 'p1', privacy_mode: true, email: 'a@b.test' };
    expect(visibleProfile(caller('other', []), row)).toEqual({ id: 'p1', privacy_mode: true, email: null });
  });
});

describe('lazy lookups', () => {
  it('looks the viewer up only for a person in privacy mode', async () => {
    let asked = 0;
    const viewer = async () => {
      asked += 1;
      return caller('other', []);
    };
    expect(await visibleProfileTo(viewer, { ...person, privacy_mode: false })).toMatchObject({
      email: person.email,
    });
    expect(asked).toBe(0);
    expect(await visibleProfileTo(viewer, person)).toEqual(withheld);
    expect(asked).toBe(1);
  });

  it('reads privacy mode only when the viewer is not entitled anyway', async () => {
    let asked = 0;
    const privacyMode = async () => {
      asked += 1;
      return true;
    };
    expect(await seesPrivateFieldsOf(caller('other', ['users:read']), 'p1', privacyMode)).toBe(true);
    expect(await seesPrivateFieldsOf(caller('p1', []), 'p1', privacyMode)).toBe(true);
    expect(asked).toBe(0);
    expect(await seesPrivateFieldsOf(caller('other', []), 'p1', privacyMode)).toBe(false);
    expect(asked).toBe(1);
  });
});
