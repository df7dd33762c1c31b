import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { call } from '../support/fixtures.js';
import {
  approveDevice,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  relyingParty,
  useOidcPlatform,
} from '../support/oidc.js';

/** The device authorization grant (RFC 8628), RP-initiated logout and back-channel logout to a test RP. */
describe('Heimdall ID: device flow and logout', () => {
  // The test RP listens on loopback, which Heimdall calls only when allowed (backchannel-logout.test.ts).
  const t = useOidcPlatform({ HEIMDALL__OIDC__BACKCHANNEL_LOGOUT__ALLOWED_PRIVATE: '127.0.0.1' });

  /** The test RP's back-channel logout endpoint: records every logout_token it receives. */
  let rp: Server;
  let rpUrl = '';
  const logoutTokens: string[] = [];
  beforeAll(async () => {
    rp = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token');
        if (token) logoutTokens.push(token);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    rpUrl = `http://127.0.0.1:${(rp.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => rp.close(() => resolve())));

  it('a device gets tokens after the user enters its code, signs in and confirms', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, {
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      firstParty: true,
    });
    const config = await relyingParty(t.url, c);
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid offline_access api',
      resource: `${t.url}/v1`,
    });
    expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);

    // The person opens the verification page on another device and types the code.
    const { confirm, done } = await approveDevice(t.url, device, user);
    expect(confirm).toContain(device.user_code);
    expect(done).toContain('Device connected');

    const tokens = await client.pollDeviceAuthorizationGrant(config, device, { resource: `${t.url}/v1` });
    expect(tokens.claims()!.sub).toBe(user.id);
    expect(tokens.refresh_token).toBeDefined();
    const me = await call(t.url, 'GET', '/v1/me', { key: tokens.access_token });
    expect(me.body.user.id).toBe(user.id);
  });

  it('a wrong user code is refused on the page', async () => {
    const person = new Person(t.url);
    const input = await person.follow(`${t.url}/oidc/device`, 'never');
    const [codeForm] = forms(input.body, t.url);
    const refused = await person.follow(codeForm!.action, 'never', {
      form: { ...codeForm!.fields, user_code: 'BCDF-GHJK' },
    });
    expect(refused.body).toContain('That code is not valid.');
  });

  it('RP-initiated logout ends the session, notifies the RP over the back channel and records logout', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, {
      firstParty: true,
      postLogoutRedirectUris: ['http://127.0.0.1:9/logged-out'],
      backchannelLogoutUri: `${rpUrl}/backchannel`,
    });
    const config = await relyingParty(t.url, c);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: c.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const person = new Person(t.url);
    const result = await person.signIn(url.toString(), c.redirectUri, user);
    const tokens = await client.authorizationCodeGrant(config, new URL(result.callback!), {
      pkceCodeVerifier: verifier,
    });
    const sid = tokens.claims()!.sid;
    expect(sid).toBeDefined();

    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1:9/logged-out',
      state: 'bye',
    });
    const confirmPage = await person.follow(endSession.toString(), 'http://127.0.0.1:9/logged-out');
    expect(confirmPage.body).toContain('Sign out of Heimdall?');
    const [logoutForm] = forms(confirmPage.body, t.url);
    const out = await person.follow(logoutForm!.action, 'http://127.0.0.1:9/logged-out', {
      form: { ...logoutForm!.fields, logout: 'yes' },
    });
    expect(out.redirectedTo).toBe('http://127.0.0.1:9/logged-out?state=bye');

    expect(logoutTokens).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(`${t.url}/oidc/jwks`));
    const { payload } = await jwtVerify(logoutTokens[0]!, jwks, {
      issuer: `${t.url}/oidc`,
      audience: c.clientId,
      typ: 'logout+jwt',
    });
    expect(payload).toMatchObject({ sub: user.id, sid });
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });

    // The session is gone: the next authorization asks for the password again.
    const again = await person.follow(url.toString(), c.redirectUri);
    expect(forms(again.body, t.url).some((f) => f.action.endsWith('/login'))).toBe(true);
    await t.platform.services.audit.flush();
    const logout = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id, event_type: 'logout' });
    expect(logout[0]).toMatchObject({ source_service: 'id' });
  });
});
