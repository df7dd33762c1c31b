import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import { graphqlClient } from '../support/graphql.js';
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
 * Authorization code + PKCE with openid-client as the relying party, through the real sign-in and consent
 * pages (driven over HTTP by `Person`; the browser suite walks the same pages in Chromium).
 */
describe('Heimdall ID: authorization code with PKCE', () => {
  const t = useOidcPlatform();
  const api = () => `${t.url}/v1`;

  const authorize = (c: TestClient, params: Record<string, string> = {}) =>
    authorizationRequest(t.url, c, { scope: 'openid profile email', ...params });

  async function auditEvents(userId: string, type: string) {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where({ user_id: userId, event_type: type });
  }

  it('discovery names the issuer at public_url + /oidc and what it supports', async () => {
    const res = await call(t.url, 'GET', '/oidc/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.body.issuer).toBe(`${t.url}/oidc`);
    expect(res.body.code_challenge_methods_supported).toEqual(['S256']);
    expect(res.body.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]),
    );
    expect(res.body.scopes_supported).toEqual(expect.arrayContaining(['openid', 'roles', 'offline_access']));
    const jwks = await call(t.url, 'GET', '/oidc/jwks');
    // RS256 for ID tokens (every relying party supports it), ES256 for the API's access tokens; public halves only.
    expect(jwks.body.keys.map((k: { alg: string }) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(jwks.body.keys.find((k: { kty: string }) => k.kty === 'RSA')).toMatchObject({ use: 'sig' });
    expect(jwks.body.keys.every((k: { d?: string }) => k.d === undefined)).toBe(true);
  });

  it('a third-party client asks consent once; the next sign-in with the same scopes skips it', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const first = await authorize(c, { scope: 'openid profile email roles' });
    const signedIn = await new Person(t.url).signIn(first.url, c.redirectUri, user);
    expect(signedIn.sawConsent).toBe(true);
    const tokens = await client.authorizationCodeGrant(config(first), new URL(signedIn.callback!), {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
    });
    expect(tokens.claims()!.sub).toBe(user.id);
    // With an access token issued, profile claims come from userinfo (conformant ID tokens).
    const info = await client.fetchUserInfo(config(first), tokens.access_token, user.id);
    expect(info).toMatchObject({
      sub: user.id,
      preferred_username: user.username,
      email: user.email,
      email_verified: true,
      roles: ['User'],
      role_ids: ['role_user'],
    });
    const consent = await t.db('OAuthConsent').where({ user_id: user.id, client_id: c.id }).first();
    expect([...consent.scopes].sort()).toEqual(['email', 'openid', 'profile', 'roles']);

    // A new browser (no session), same scopes or fewer: password again, but no consent page.
    const again = await authorize(c, { scope: 'openid email' });
    const second = await new Person(t.url).signIn(again.url, c.redirectUri, user);
    expect(second.sawConsent).toBe(false);
    expect(second.callback).toContain('code=');
    // More scopes than consented: asked again.
    const more = await authorize(c, { scope: 'openid profile email offline_access', prompt: 'consent' });
    expect((await new Person(t.url).signIn(more.url, c.redirectUri, user)).sawConsent).toBe(true);

    expect(await auditEvents(user.id, 'login')).toHaveLength(3);
    const granted = await auditEvents(user.id, 'consent_granted');
    expect(granted[0]).toMatchObject({ source_service: 'id', resource_id: c.clientId });
    expect(await auditEvents(user.id, 'token_created')).toHaveLength(1);
  });

  function config(a: { config: client.Configuration }) {
    return a.config;
  }

  it('a first-party client never shows the consent page', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const a = await authorize(c);
    const result = await new Person(t.url).signIn(a.url, c.redirectUri, user);
    expect(result.sawConsent).toBe(false);
    await expect(
      client.authorizationCodeGrant(a.config, new URL(result.callback!), {
        pkceCodeVerifier: a.verifier,
        expectedState: a.state,
      }),
    ).resolves.toHaveProperty('access_token');
  });

  it('refuses a public client without PKCE, and a code redeemed with the wrong verifier', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { public: true, firstParty: true });
    const rp = await relyingParty(t.url, c);
    const noPkce = client.buildAuthorizationUrl(rp, {
      redirect_uri: c.redirectUri,
      scope: 'openid',
      state: 'x',
    });
    const refused = await new Person(t.url).follow(noPkce.toString(), c.redirectUri);
    const error = new URL(refused.redirectedTo!);
    expect(error.searchParams.get('error')).toBe('invalid_request');
    expect(error.searchParams.get('error_description')).toMatch(/PKCE/i);

    const a = await authorize(c);
    const result = await new Person(t.url).signIn(a.url, c.redirectUri, user);
    await expect(
      client.authorizationCodeGrant(a.config, new URL(result.callback!), {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: a.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers an unknown email and a wrong password identically (no user enumeration)', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const attempt = async (email: string, password: string) => {
      const person = new Person(t.url);
      const page = await person.follow((await authorize(c)).url, c.redirectUri);
      const [login] = forms(page.body, t.url);
      const res = await person.request(login!.action, { form: { ...login!.fields, email, password } });
      // The page echoes the email and carries a per-interaction CSRF token and form action: mask those.
      const body = res.body
        .replaceAll(email, 'EMAIL')
        .replace(/name="csrf" value="[^"]*"/g, '')
        .replace(/action="[^"]*"/g, '');
      return { status: res.status, body };
    };
    const unknown = await attempt('nobody-here@example.test', 'whatever password');
    const wrong = await attempt(user.email, 'not the password');
    expect(unknown.status).toBe(401);
    expect(wrong).toEqual(unknown);
    expect(unknown.body).toContain('The email address or password is incorrect.');
    const failed = await auditEvents(user.id, 'login_failed');
    expect(failed[0]).toMatchObject({ status: 'failure', source_service: 'id' });
  });

  it('refuses a form without its CSRF token, and a banned user after the password', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url);
    const page = await person.follow((await authorize(c)).url, c.redirectUri);
    const [login] = forms(page.body, t.url);
    const forged = await person.request(login!.action, {
      form: { email: user.email, password: user.password, csrf: 'forged' },
    });
    expect(forged.status).toBe(403);

    await t.db('UserBan').insert({ user_id: user.id, reason: 'test', banned_by: 'test' });
    const banned = await new Person(t.url).signIn((await authorize(c)).url, c.redirectUri, user);
    expect(banned.callback).toBeUndefined();
    expect(banned.last.status).toBe(403);
    expect(banned.last.body).toContain('This account is banned.');
  });

  it('a user who denies consent sends the app access_denied', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const a = await authorize(c);
    const result = await new Person(t.url).signIn(a.url, c.redirectUri, user, { consent: 'deny' });
    expect(new URL(result.callback!).searchParams.get('error')).toBe('access_denied');
  });

  it('an access token for the API resource is a JWT that REST and GraphQL accept, limited to its scopes', async () => {
    const user = await createPasswordUser(t.db, { roleIds: ['role_api_read_only'] });
    const c = await createOAuthClient(t.db, {
      firstParty: true,
      scopes: ['openid', 'profile', 'email', 'api', 'users:read'],
    });
    const resource = api();
    const a = await authorize(c, { scope: 'openid api', resource });
    const result = await new Person(t.url).signIn(a.url, c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(
      a.config,
      new URL(result.callback!),
      { pkceCodeVerifier: a.verifier, expectedState: a.state },
      { resource },
    );
    const [header] = tokens.access_token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({
      typ: 'at+jwt',
      alg: 'ES256',
    });

    const me = await call(t.url, 'GET', '/v1/me', { key: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    expect(me.body.role_ids).toEqual(['role_api_read_only']);
    expect(me.body.scopes).toEqual(['*']);
    expect((await call(t.url, 'GET', '/v1/users', { key: tokens.access_token })).status).toBe(200);
    const gql = await graphqlClient(t.url, tokens.access_token)('{ me { user { id } } }');
    expect(gql.data?.me?.user?.id).toBe(user.id);

    // With only `users:read` the token reaches users, not roles, although the user may read both.
    const narrow = await authorize(c, { scope: 'openid users:read', resource });
    const narrowResult = await new Person(t.url).signIn(narrow.url, c.redirectUri, user);
    const narrowTokens = await client.authorizationCodeGrant(
      narrow.config,
      new URL(narrowResult.callback!),
      { pkceCodeVerifier: narrow.verifier, expectedState: narrow.state },
      { resource },
    );
    expect((await call(t.url, 'GET', '/v1/users', { key: narrowTokens.access_token })).status).toBe(200);
    const roles = await call(t.url, 'GET', '/v1/roles', { key: narrowTokens.access_token });
    expect(roles.status).toBe(403);

    // An opaque (userinfo) token is not an API credential; a token for another audience neither.
    const opaque = await authorize(c);
    const opaqueResult = await new Person(t.url).signIn(opaque.url, c.redirectUri, user);
    const opaqueTokens = await client.authorizationCodeGrant(a.config, new URL(opaqueResult.callback!), {
      pkceCodeVerifier: opaque.verifier,
      expectedState: opaque.state,
    });
    const refused = await call(t.url, 'GET', '/v1/me', { key: opaqueTokens.access_token });
    expect(refused.status).toBe(401);
    expect(tokens.claims()!.sub).toBe(user.id);
  });
});
