import { describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import {
  client,
  createOAuthClient,
  createPasswordUser,
  signInToApp,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';

/**
 * Privacy mode in Heimdall ID's claims: a person who turns it on keeps `email`, `email_verified` and `picture`
 * from apps that may not read every user; first-party apps, and apps that hold users:read as their owner's
 * client, still get them. openid-client is the relying party, reading the ID token and userinfo.
 */
describe('privacy mode (Heimdall ID claims)', () => {
  const t = useOidcPlatform();
  const AVATAR = 'https://img.example.test/person.png';

  async function personInPrivacyMode(on: boolean) {
    const user = await createPasswordUser(t.db);
    await t.db('PlatformAccount').where({ user_id: user.id }).update({ avatar_url: AVATAR });
    const key = (await createKey(t.db, { userId: user.id, roleIds: ['role_api_full_access'] })).key;
    const res = await call(t.url, 'PATCH', '/v1/user/privacy', { key, body: { privacy_mode: on } });
    expect(res.status).toBe(200);
    return user;
  }

  /** The claims an app gets: the ID token's and userinfo's, merged (userinfo holds the scope claims). */
  async function claimsFor(app: TestClient, user: { id: string; email: string; password: string }) {
    const { config, tokens } = await signInToApp(t.url, app, user, { scope: 'openid profile email' });
    const idToken = tokens.claims()!;
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    return { idToken, info };
  }

  const shown = (user: { id: string; email: string }) => ({
    sub: user.id,
    email: user.email,
    email_verified: true,
    picture: AVATAR,
  });

  it('off: a third-party app gets email and picture', async () => {
    const user = await personInPrivacyMode(false);
    const { info } = await claimsFor(await createOAuthClient(t.db), user);
    expect(info).toMatchObject(shown(user));
  });

  it('on: a third-party app gets neither email nor picture, in userinfo or the ID token', async () => {
    const user = await personInPrivacyMode(true);
    const { idToken, info } = await claimsFor(await createOAuthClient(t.db), user);
    expect(info.sub).toBe(user.id);
    expect(info.preferred_username).toBe(user.username);
    for (const claims of [info, idToken]) {
      expect(claims).not.toHaveProperty('email');
      expect(claims).not.toHaveProperty('email_verified');
      expect(claims).not.toHaveProperty('picture');
    }
  });

  it('on: a first-party app still gets everything', async () => {
    const user = await personInPrivacyMode(true);
    const { info } = await claimsFor(await createOAuthClient(t.db, { firstParty: true }), user);
    expect(info).toMatchObject(shown(user));
  });

  it('on: an app holding users:read (its owner does, and it registered the scope) gets everything', async () => {
    const user = await personInPrivacyMode(true);
    const moderator = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    const entitled = await createOAuthClient(t.db, {
      ownerId: moderator,
      scopes: ['openid', 'profile', 'email', 'users:read'],
    });
    expect((await claimsFor(entitled, user)).info).toMatchObject(shown(user));

    // The same owner, but the app did not register users:read: it is just another app.
    const unscoped = await createOAuthClient(t.db, {
      ownerId: moderator,
      scopes: ['openid', 'profile', 'email'],
    });
    expect((await claimsFor(unscoped, user)).info).not.toHaveProperty('email');

    // Registered `api`, but its owner (a developer) does not hold users:read.
    const developer = await createUser(t.db, { roleIds: ['role_developer'], twoFactor: true });
    const unentitled = await createOAuthClient(t.db, {
      ownerId: developer,
      scopes: ['openid', 'profile', 'email', 'api'],
    });
    expect((await claimsFor(unentitled, user)).info).not.toHaveProperty('picture');
  });
});
