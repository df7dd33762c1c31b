import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';

/** How a Heimdall ID browser session ends: sign-out choices, and a person who may no longer sign in. */
describe('Heimdall ID: ending a session', () => {
  const t = useOidcPlatform();
  const resource = () => `${t.url}/v1`;

  /** Signs `person` in to the app (or reuses their session) and redeems the code. */
  async function signIn(
    person: Person,
    c: TestClient,
    user: { email: string; password: string },
    params: Record<string, string> = {},
  ) {
    const a = await authorizationRequest(t.url, c, params);
    const result = await person.signIn(a.url, c.redirectUri, user);
    return client.authorizationCodeGrant(
      a.config,
      new URL(result.callback!),
      { pkceCodeVerifier: a.verifier, expectedState: a.state },
      params.resource ? { resource: params.resource } : undefined,
    );
  }

  /** Opens the RP-initiated logout page and answers it with `logout` (`yes`, or absent for "stay signed in"). */
  async function endSession(person: Person, c: TestClient, idToken: string, answer: 'yes' | 'no') {
    const config = (await authorizationRequest(t.url, c)).config;
    const page = await person.follow(
      client.buildEndSessionUrl(config, { id_token_hint: idToken }).toString(),
      'never',
    );
    expect(page.body).toContain('Sign out of Heimdall?');
    const [logoutForm] = forms(page.body, t.url);
    const fields = { ...logoutForm!.fields };
    if (answer === 'yes') fields.logout = 'yes';
    return person.follow(logoutForm!.action, 'never', { form: fields });
  }

  it.each(['banned', 'deleted'])(
    'a %s user with a live session is signed out and shown the sign-in page',
    async (what) => {
      const user = await createPasswordUser(t.db);
      const c = await createOAuthClient(t.db, { firstParty: true });
      const person = new Person(t.url);
      await signIn(person, c, user);
      const token = person.cookie('id.session-token');
      expect(token).toBeDefined();

      if (what === 'banned')
        await t.db('UserBan').insert({ user_id: user.id, reason: 'test', banned_by: 'test' });
      else await t.db('User').where({ id: user.id }).update({ deleted_at: new Date() });

      const again = await person.follow((await authorizationRequest(t.url, c)).url, c.redirectUri);
      expect(again.status).toBe(200);
      expect(forms(again.body, t.url).some((f) => f.action.endsWith('/login'))).toBe(true);
      expect(person.cookie('id.session-token')).toBeUndefined();
      expect(await t.db('Session').where({ user_id: user.id })).toHaveLength(0);
      await t.platform.services.audit.flush();
      const [ended] = await t.platform.databases
        .audit('AuditEvent')
        .where({ user_id: user.id, event_type: 'session_revoked' });
      expect(ended?.metadata).toMatchObject({ reason: 'account_unavailable' });
    },
  );

  it('"No, stay signed in" keeps the Heimdall session', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url);
    const tokens = await signIn(person, c, user);
    const token = person.cookie('id.session-token')!;

    await endSession(person, c, tokens.id_token!, 'no');
    expect(person.cookie('id.session-token')).toBe(token);
    expect(await t.db('Session').where({ user_id: user.id })).toHaveLength(1);
    // Still signed in to Heimdall: the next sign-in needs no password.
    const again = await authorizationRequest(t.url, c);
    const next = await person.follow(again.url, c.redirectUri);
    expect(next.redirectedTo).toBeDefined();
  });

  it('signing out ends every grant of the session without offline_access, even after an offline one', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url);
    const offline = await signIn(person, c, user, {
      scope: 'openid offline_access api',
      prompt: 'consent',
      resource: resource(),
    });
    expect(offline.refresh_token).toBeDefined();
    const online = await signIn(person, c, user, { scope: 'openid api', resource: resource() });
    expect((await call(t.url, 'GET', '/v1/me', { key: online.access_token })).status).toBe(200);

    await endSession(person, c, online.id_token!, 'yes');
    const refused = await call(t.url, 'GET', '/v1/me', { key: online.access_token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.token_revoked');
    // The offline grant stays: its refresh token still works.
    const config = (await authorizationRequest(t.url, c)).config;
    const refreshed = await client.refreshTokenGrant(config, offline.refresh_token!, {
      resource: resource(),
    });
    expect((await call(t.url, 'GET', '/v1/me', { key: refreshed.access_token })).status).toBe(200);
  });
});
