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

/** What the OpenID certification plans check, through openid-client and the real pages. */
describe('Heimdall ID: OpenID Connect conformance', () => {
  const t = useOidcPlatform();

  /** A form POST from another site: no cookies go with it (SameSite=Lax), only the form. */
  const crossSitePost = (path: string, params: URLSearchParams) =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://rp.example' },
      body: params.toString(),
    });

  async function signedIn(c: TestClient) {
    const user = await createPasswordUser(t.db);
    const a = await authorizationRequest(t.url, c);
    const person = new Person(t.url);
    const result = await person.signIn(a.url, c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(a.config, new URL(result.callback!), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    return { user, person, tokens, config: a.config };
  }

  it('the authorization endpoint accepts POST; a signed-in person is not asked again (Core §3.1.2.1)', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const { person, user } = await signedIn(c);
    const a = await authorizationRequest(t.url, c);
    const params = new URL(a.url).searchParams;

    const posted = await crossSitePost('/oidc/auth', params);
    expect(posted.status).toBe(303);
    expect(posted.headers.get('cache-control')).toContain('no-store');
    const location = posted.headers.get('location')!;
    expect(location.startsWith(`${t.url}/oidc/auth?`)).toBe(true);
    expect([...new URL(location).searchParams]).toEqual([...params]);

    // The browser follows with a GET, a top-level navigation that carries its Lax cookies: no password asked.
    const followed = await person.follow(location, c.redirectUri);
    const tokens = await client.authorizationCodeGrant(a.config, new URL(followed.redirectedTo!), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    expect(tokens.claims()!.sub).toBe(user.id);
  });

  it('a pushed authorization request (RFC 9126) signs in as documented', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const user = await createPasswordUser(t.db);
    const { body } = await call(t.url, 'GET', '/oidc/.well-known/openid-configuration');
    expect(body.pushed_authorization_request_endpoint).toBe(`${t.url}/oidc/request`);
    const a = await authorizationRequest(t.url, c);
    const url = await client.buildAuthorizationUrlWithPAR(a.config, new URL(a.url).searchParams);
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const result = await new Person(t.url).signIn(url.toString(), c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(a.config, new URL(result.callback!), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    expect(tokens.claims()!.sub).toBe(user.id);
  });

  it('a POST that is not a form is refused with a clear page', async () => {
    const res = await fetch(`${t.url}/oidc/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('The request must be a form');
  });

  it('the end-session endpoint accepts POST (RP-Initiated Logout §2)', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const { person, tokens } = await signedIn(c);
    const posted = await crossSitePost(
      '/oidc/session/end',
      new URLSearchParams({ id_token_hint: tokens.id_token! }),
    );
    expect(posted.status).toBe(303);
    const page = await person.follow(posted.headers.get('location')!, 'never');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Sign out of Heimdall?');
  });

  it('refuses a request without redirect_uri, even for a client with one registered', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const a = await authorizationRequest(t.url, c);
    const url = new URL(a.url);
    url.searchParams.delete('redirect_uri');
    const res = await new Person(t.url).request(url.toString());
    expect(res.status).toBe(400);
    expect(res.body).toContain('redirect_uri');
    expect(res.location).toBeNull();
  });

  it('advertises ui_locales_supported and honours ui_locales on the sign-in page', async () => {
    const { body } = await call(t.url, 'GET', '/oidc/.well-known/openid-configuration');
    expect(body.ui_locales_supported).toEqual(['en', 'de']);

    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url, { 'accept-language': 'en-US,en;q=0.9' });
    const german = await person.follow(
      (await authorizationRequest(t.url, c, { ui_locales: 'fr de' })).url,
      'never',
    );
    expect(german.body).toContain('<html lang="de"');
    expect(german.body).toContain('Anmelden');
    // A wrong password is told in the same language.
    const [login] = forms(german.body, t.url);
    const wrong = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: 'nobody@example.test', password: 'wrong' },
    });
    expect(wrong.body).toContain('E-Mail-Adresse oder Passwort ist falsch.');

    const english = await new Person(t.url).follow((await authorizationRequest(t.url, c)).url, 'never');
    expect(english.body).toContain('<html lang="en"');
  });

  it('login_hint pre-fills the email, escaped', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const hint = 'a"><script>x</script>@example.test';
    const page = await new Person(t.url).follow(
      (await authorizationRequest(t.url, c, { login_hint: hint })).url,
      'never',
    );
    const [login] = forms(page.body, t.url);
    expect(login!.fields.email).toBe('a"&gt;&lt;script&gt;x&lt;/script&gt;@example.test');
    expect(page.body).not.toContain('<script>x</script>');
  });

  it('a signed-in person whose email is the login_hint goes straight through', async () => {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const { person, user } = await signedIn(c);
    const next = await person.follow(
      (await authorizationRequest(t.url, c, { login_hint: user.email.toUpperCase() })).url,
      c.redirectUri,
    );
    expect(next.redirectedTo).toBeDefined();
  });
});
