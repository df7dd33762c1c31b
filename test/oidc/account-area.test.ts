import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import {
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  relyingParty,
  useOidcPlatform,
} from '../support/oidc.js';

/** The signed-in account area: sign-in, profile, password, sessions, connected apps, sign-out. */
describe('account area', () => {
  const t = useOidcPlatform();

  async function signInToAccount(
    user: { email: string; password: string },
    headers: Record<string, string> = {},
  ) {
    const person = new Person(t.url, headers);
    const start = await person.follow(`${t.url}/account/sessions`, 'never');
    const [login] = forms(start.body, t.url);
    expect(login!.fields.return_to).toBe('/account/sessions');
    const done = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    expect(done.url).toBe(`${t.url}/account/sessions`);
    return { person, page: done, token: person.cookie('id.session-token')! };
  }

  const formWith = (html: string, action: string) =>
    forms(html, t.url).find((f) => f.action.endsWith(action))!;

  it('asks for a sign-in, then shows the sessions page; signing out ends the session', async () => {
    const user = await createPasswordUser(t.db);
    const anonymous = await new Person(t.url).request(`${t.url}/account`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe('/account/login?return_to=%2Faccount');

    const { person, page, token } = await signInToAccount(user);
    expect(page.body).toContain(`Signed in as ${user.username}`);
    expect(page.body).toContain('This browser');
    const out = await person.follow(formWith(page.body, '/account/logout').action, 'never', {
      form: formWith(page.body, '/account/logout').fields,
    });
    expect(out.url).toBe(`${t.url}/account/login`);
    expect((await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: token } })).status).toBe(
      401,
    );
  });

  it('changes the profile; the pages then speak the chosen language', async () => {
    const user = await createPasswordUser(t.db);
    const { person } = await signInToAccount(user);
    const profile = await person.request(`${t.url}/account/profile`);
    const f = formWith(profile.body, '/account/profile');
    const taken = await createPasswordUser(t.db);
    const clash = await person.request(f.action, { form: { ...f.fields, username: taken.username } });
    expect(clash.status).toBe(409);
    expect(clash.body).toContain('This username is taken.');
    const invalid = await person.request(f.action, { form: { ...f.fields, username: 'no spaces!' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toContain('Choose a username of 3 to 32 letters');
    expect(invalid.body).toContain('value="no spaces!"');
    expect((await t.db('User').where({ id: user.id }).first()).username).toBe(user.username);

    const saved = await person.follow(f.action, 'never', {
      form: { ...f.fields, username: `${user.username}-x`.slice(0, 32), preferred_locale: 'de' },
    });
    expect(saved.body).toContain('Gespeichert.');
    expect(saved.body).toContain('<html lang="de">');
    const row = await t.db('User').where({ id: user.id }).first();
    expect(row.preferred_locale).toBe('de');
  });

  it('changes the password with the current one; other sessions end, this one stays', async () => {
    const user = await createPasswordUser(t.db);
    const other = await signInToAccount(user);
    const { person, token } = await signInToAccount(user);
    const page = await person.request(`${t.url}/account/password`);
    const f = formWith(page.body, '/account/password');

    const wrong = await person.request(f.action, {
      form: {
        ...f.fields,
        current: 'not it',
        password: 'a brand new passphrase here',
        confirm: 'a brand new passphrase here',
      },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('The current password is not right.');
    const weak = await person.request(f.action, {
      form: { ...f.fields, current: user.password, password: 'password1234', confirm: 'password1234' },
    });
    expect(weak.body).toContain('This password is too easy to guess.');

    const changed = await person.follow(f.action, 'never', {
      form: {
        ...f.fields,
        current: user.password,
        password: 'a brand new passphrase here',
        confirm: 'a brand new passphrase here',
      },
    });
    expect(changed.body).toContain('Your password has been changed.');
    expect((await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: token } })).status).toBe(
      200,
    );
    expect(
      (await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: other.token } })).status,
    ).toBe(401);
    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id, event_type: 'password_changed' });
    expect(events).toHaveLength(1);
  });

  it('ends another session from the sessions page; a form without its CSRF token changes nothing', async () => {
    const user = await createPasswordUser(t.db);
    const phone = await signInToAccount(user);
    const { person } = await signInToAccount(user);
    const page = await person.request(`${t.url}/account/sessions`);
    const end = forms(page.body, t.url).find((f) =>
      /\/account\/sessions\/[0-9a-f-]{36}\/end$/.test(f.action),
    )!;

    const forged = await person.request(end.action, { form: { csrf: 'forged' } });
    expect(forged.status).toBe(303);
    expect((await call(t.url, 'GET', '/v1/me', { key: phone.token })).status).toBe(200);

    const done = await person.follow(end.action, 'never', { form: end.fields });
    expect(done.body).toContain('The session was ended.');
    expect((await call(t.url, 'GET', '/v1/me', { key: phone.token })).status).toBe(401);
    // The same form again (a second tab): the session is already gone, which is what was asked.
    const again = await person.follow(end.action, 'never', { form: end.fields });
    expect(again.status).toBe(200);
    expect(again.body).toContain('The session was ended.');
  });

  it('lists connected apps in words and disconnects one', async () => {
    const user = await createPasswordUser(t.db);
    const app = await createOAuthClient(t.db, { name: 'Snow Photos' });
    const config = await relyingParty(t.url, app);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: app.redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const { person } = await signInToAccount(user);
    const result = await person.signIn(url.toString(), app.redirectUri, user);
    expect(result.sawConsent).toBe(true);

    const page = await person.request(`${t.url}/account/apps`);
    expect(page.body).toContain('Snow Photos');
    expect(page.body).toContain('See your email address');
    const disconnect = forms(page.body, t.url).find((f) => f.action.endsWith('/disconnect'))!;
    const done = await person.follow(disconnect.action, 'never', { form: disconnect.fields });
    expect(done.body).not.toContain('Snow Photos');
    expect(await t.db('OAuthConsent').where({ user_id: user.id })).toEqual([]);
  });

  it('speaks German to a German browser', async () => {
    const page = await new Person(t.url, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' }).request(
      `${t.url}/account/login`,
    );
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain('Bei Ihrem Konto anmelden');
    expect(page.body).toContain('Passwort vergessen?');
  });
});
