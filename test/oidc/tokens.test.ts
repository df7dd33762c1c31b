import { describe, expect, it } from '@jest/globals';
import { decodeProtectedHeader } from 'jose';
import { call } from '../support/fixtures.js';
import {
  client,
  createOAuthClient,
  createPasswordUser,
  Person,
  relyingParty,
  useOidcPlatform,
  type TestClient,
  signInToApp,
} from '../support/oidc.js';

/** Refresh rotation and reuse detection, revocation, introspection, client credentials, key rotation. */
describe('Heimdall ID: tokens', () => {
  const t = useOidcPlatform();
  const resource = () => `${t.url}/v1`;

  /** Signs a user in with offline access and the API resource; answers the RP config and the tokens. */
  const signedIn = (c: TestClient, user: { email: string; password: string }) =>
    signInToApp(t.url, c, user, {
      scope: 'openid offline_access api',
      prompt: 'consent',
      resource: resource(),
    });

  const me = (token: string) => call(t.url, 'GET', '/v1/me', { key: token });

  it('rotates refresh tokens; replaying a rotated one revokes the whole grant and its access tokens', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { config, tokens } = await signedIn(c, user);
    expect((await me(tokens.access_token)).status).toBe(200);

    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!, { resource: resource() });
    expect(rotated.refresh_token).toBeDefined();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(rotated.access_token)).status).toBe(200);

    // The old refresh token again: someone copied it. Refused, and everything from this grant dies.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const refused = await me(rotated.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.token_revoked');

    await t.platform.services.audit.flush();
    const revoked = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id, event_type: 'token_revoked' });
    expect(revoked.length).toBeGreaterThanOrEqual(1);
  });

  it('revoking the refresh token ends the grant: introspection says inactive, the API refuses the JWT', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { config, tokens } = await signedIn(c, user);

    const active = await client.tokenIntrospection(config, tokens.refresh_token!);
    expect(active).toMatchObject({ active: true, sub: user.id, client_id: c.clientId });

    await client.tokenRevocation(config, tokens.refresh_token!);
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect((await me(tokens.access_token)).body.error.code).toBe('auth.token_revoked');
  });

  it('introspects and revokes opaque (userinfo) access tokens', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const config = await relyingParty(t.url, c);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: c.redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const result = await new Person(t.url).signIn(url.toString(), c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(config, new URL(result.callback!), {
      pkceCodeVerifier: verifier,
    });
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      sub: user.id,
      scope: 'openid email',
    });
    // Another client learns nothing about it.
    const other = await relyingParty(t.url, await createOAuthClient(t.db));
    expect((await client.tokenIntrospection(other, tokens.access_token)).active).toBe(false);
    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toBeDefined();
  });

  it('client credentials: a JWT for the API acting for the client owner within the granted scopes', async () => {
    const owner = await createPasswordUser(t.db, { roleIds: ['role_api_read_only'] });
    const c = await createOAuthClient(t.db, {
      grantTypes: ['client_credentials'],
      scopes: ['users:read'],
      ownerId: owner.id,
    });
    const config = await relyingParty(t.url, c);
    const tokens = await client.clientCredentialsGrant(config, { scope: 'users:read' });
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const who = await me(tokens.access_token);
    expect(who.status).toBe(200);
    expect(who.body.user.id).toBe(owner.id);
    expect(who.body.scopes).toEqual(['users:read']);
    expect(who.body.oauth_client_id).toBe(c.clientId);
    expect((await call(t.url, 'GET', '/v1/users', { key: tokens.access_token })).status).toBe(200);
    expect((await call(t.url, 'GET', '/v1/roles', { key: tokens.access_token })).status).toBe(403);

    // A wrong secret is refused by the token endpoint; a deactivated client's tokens stop working.
    const wrong = await relyingParty(t.url, { ...c, clientSecret: 'hcs_wrong' });
    const refused = await client.clientCredentialsGrant(wrong, { scope: 'users:read' }).catch((e) => e);
    expect(refused).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect(refused.cause[0]).toMatchObject({ scheme: 'basic', parameters: { error: 'invalid_client' } });
    await t.db('OAuthClient').where({ id: c.id }).update({ is_active: false });
    await t.platform.services.authCache.invalidate({ type: 'oauth_client', clientId: c.clientId });
    expect((await me(tokens.access_token)).status).toBe(401);
  });

  it('client credentials: a scope the client may not have is invalid_scope; the response always states scope', async () => {
    const owner = await createPasswordUser(t.db, { roleIds: ['role_api_read_only'] });
    const c = await createOAuthClient(t.db, {
      grantTypes: ['client_credentials'],
      scopes: ['openid', 'users:read'],
      ownerId: owner.id,
    });
    const config = await relyingParty(t.url, c);
    for (const scope of ['users:write', 'users:read roles:read', 'api', 'email']) {
      const refused = await client.clientCredentialsGrant(config, { scope }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(client.ResponseBodyError);
      expect(refused).toMatchObject({ error: 'invalid_scope', status: 400 });
    }
    const granted = await client.clientCredentialsGrant(config, { scope: 'users:read' });
    expect(granted.scope).toBe('users:read');
    // `openid` is the client's, but no part of an API token: the response says what the token holds.
    for (const scope of [undefined, 'openid']) {
      const res = await fetch(`${t.url}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ scope: '' });
    }
  });

  it('provider endpoints, served before Express, keep their mount path and the request id', async () => {
    const discovery = await fetch(`${t.url}/oidc/.well-known/openid-configuration`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('x-request-id')).toBe('trace-42');
    const metadata = (await discovery.json()) as { issuer: string; token_endpoint: string };
    expect(metadata.issuer).toBe(`${t.url}/oidc`);
    expect(metadata.token_endpoint).toBe(`${t.url}/oidc/token`);

    // A malformed incoming id is replaced; an unknown path gets the provider's (Koa's) own 404.
    const unknown = await fetch(`${t.url}/oidc/nothing-here?x=1`, { headers: { 'x-request-id': 'bad id!' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await unknown.text()).toBe('Not Found');

    // Their durations are labelled with the provider's route, never the raw path (bounded label values).
    await fetch(`${t.url}/oidc/auth/some-interaction-uid`);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    const count = (route: string, status: number) =>
      new RegExp(
        `heimdall_http_request_duration_seconds_count\\{[^}]*route="${route}"[^}]*status_code="${status}"`,
      );
    expect(metrics).toMatch(count('/oidc/.well-known/openid-configuration', 200));
    expect(metrics).toMatch(count('/oidc/auth/:uid', 400));
    expect(metrics).toMatch(count('unmatched', 404));
    expect(metrics).not.toContain('nothing-here');
    expect(metrics).not.toContain('some-interaction-uid');
  });

  it('refuses tampered, foreign-audience and expired-looking tokens with clear codes', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { tokens } = await signedIn(c, user);
    const [h, p, s] = tokens.access_token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...payload, sub: 'someone' })).toString('base64url'), s];
    const res = await me(forged.join('.'));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.invalid_token');
    expect(JSON.stringify(res.body)).not.toMatch(/stack|at \w+ \(/);
  });

  it('rotating the signing keys: new tokens use the new keys, tokens signed before still work', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const before = await signedIn(c, user);
    const oldKid = decodeProtectedHeader(before.tokens.access_token).kid;
    const oldIdKid = decodeProtectedHeader(before.tokens.id_token!).kid;

    const { retired, active } = await t.platform.services.signingKeys.rotate();
    expect(retired.sort()).toEqual([oldKid, oldIdKid].sort());
    await t.platform.heimdallId!.refreshKeys();

    const after = await signedIn(c, user);
    expect(active).toContain(decodeProtectedHeader(after.tokens.access_token).kid);
    expect(active).toContain(decodeProtectedHeader(after.tokens.id_token!).kid);
    expect((await me(after.tokens.access_token)).status).toBe(200);
    expect((await me(before.tokens.access_token)).status).toBe(200);
    const jwks = await call(t.url, 'GET', '/oidc/jwks');
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([...active, ...retired].sort());
    const stored = await t.db('OidcSigningKey').whereIn('kid', active);
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(row.private_jwk_encrypted).toMatch(/^v2\./);
      expect(row.private_jwk_encrypted).not.toContain('"d"');
    }
  });
});
