import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  relyingParty,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';

/**
 * Heimdall sessions: a row and an `id.session-token` cookie per sign-in; apps validate and
 * refresh tokens; people list and end sessions, and an ended session stops working everywhere at once.
 */
describe('Heimdall sessions', () => {
  const t = useOidcPlatform();

  const authorizationUrl = async (c: TestClient) => (await authorizationRequest(t.url, c)).url;

  async function signedIn(user: { email: string; password: string }, c: TestClient) {
    const person = new Person(t.url);
    const result = await person.signIn(await authorizationUrl(c), c.redirectUri, user);
    expect(result.callback).toContain('code=');
    const token = person.cookie('id.session-token');
    expect(token).toMatch(/^hs_/);
    return { person, token: token! };
  }

  it('a sign-in creates a session that apps validate and refresh', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const { token } = await signedIn(user, c);
    const row = await t.db('Session').where({ user_id: user.id }).first();
    expect(row).toMatchObject({ provider: 'email', ip_address: '127.0.0.1' });
    expect(row.session_token).not.toBe(token); // only its hash is stored
    // The same statement stored the sign-in on the user: when, and with which account.
    const account = await t.db('PlatformAccount').where({ user_id: user.id }).first('id');
    const who = await t
      .db('User')
      .where({ id: user.id })
      .first('last_login_at', 'last_login_platform_account_id');
    expect(who.last_login_platform_account_id).toBe(account.id);
    expect(Math.abs(who.last_login_at.getTime() - row.created_at.getTime())).toBeLessThan(1000);

    const validated = await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: token } });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({
      user: { id: user.id },
      session_id: row.id,
      role_ids: ['role_user'],
    });

    const refreshed = await call(t.url, 'POST', '/v1/auth/refresh', { body: { session_token: token } });
    expect(refreshed.status).toBe(200);
    expect(new Date(refreshed.body.expires).getTime()).toBeGreaterThanOrEqual(row.expires.getTime());

    const bogus = await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: 'hs_nope' } });
    expect([bogus.status, bogus.body.error.code]).toEqual([401, 'auth.invalid_session']);
  });

  it('lists your sessions and ends one or all others; an ended session stops working at once', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const laptop = await signedIn(user, c);
    const phone = await signedIn(user, c);
    const tablet = await signedIn(user, c);

    const list = await call(t.url, 'GET', '/v1/user/sessions', { key: laptop.token });
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(3);
    expect(list.body.data.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const phoneId = (await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: phone.token } }))
      .body.session_id;

    expect((await call(t.url, 'DELETE', `/v1/user/sessions/${phoneId}`, { key: laptop.token })).status).toBe(
      204,
    );
    const dead = await call(t.url, 'GET', '/v1/me', { key: phone.token });
    expect([dead.status, dead.body.error.code]).toEqual([401, 'auth.invalid_session']);
    // Signing in to an app again from the phone asks for the password: its Heimdall session is gone.
    const again = await phone.person.follow(await authorizationUrl(c), c.redirectUri);
    expect(forms(again.body, t.url).some((f) => f.action.endsWith('/login'))).toBe(true);

    const others = await call(t.url, 'DELETE', '/v1/user/sessions', { key: laptop.token });
    expect(others.body).toEqual({ revoked: 1 });
    expect((await call(t.url, 'GET', '/v1/me', { key: tablet.token })).status).toBe(401);
    expect((await call(t.url, 'GET', '/v1/me', { key: laptop.token })).status).toBe(200);

    // Someone else's session is not yours to end.
    const stranger = await signedIn(await createPasswordUser(t.db), c);
    const strangerId = (
      await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: stranger.token } })
    ).body.session_id;
    const refused = await call(t.url, 'DELETE', `/v1/user/sessions/${strangerId}`, { key: laptop.token });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'session.not_found']);

    await t.platform.services.audit.flush();
    const types = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id })
      .pluck('event_type');
    expect(types).toEqual(
      expect.arrayContaining(['session_created', 'session_revoked', 'all_sessions_revoked']),
    );
  });

  it('a live session signs you in to the next app without the password (single sign-on)', async () => {
    const user = await createPasswordUser(t.db);
    const first = await createOAuthClient(t.db, { firstParty: true });
    const second = await createOAuthClient(t.db, { firstParty: true });
    const { person, token } = await signedIn(user, first);
    const next = await person.follow(await authorizationUrl(second), second.redirectUri);
    expect(next.redirectedTo).toContain('code=');
    // A browser that holds only the Heimdall session (say it signed in on the account pages) is not asked either.
    const fresh = new Person(t.url);
    fresh.setCookie('id.session-token', token);
    const sso = await fresh.follow(await authorizationUrl(second), second.redirectUri);
    expect(sso.redirectedTo).toContain('code=');
    expect(await t.db('Session').where({ user_id: user.id }).count('* as n')).toEqual([{ n: 1 }]);
    // Unless the app insists on a fresh sign-in.
    const config = await relyingParty(t.url, second);
    const forced = client.buildAuthorizationUrl(config, {
      redirect_uri: second.redirectUri,
      scope: 'openid',
      prompt: 'login',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const asked = await fresh.follow(forced.toString(), second.redirectUri);
    expect(forms(asked.body, t.url).some((f) => f.action.endsWith('/login'))).toBe(true);
  });
});
