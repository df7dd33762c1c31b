import { describe, expect, it } from '@jest/globals';
import { call } from '../support/fixtures.js';
import { subscribe, wsClient } from '../support/graphql-ws.js';
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

/** Connected apps: disconnecting deletes the consent and kills the app's grants and tokens. */
describe('connected apps', () => {
  const t = useOidcPlatform();

  const connect = (c: TestClient, user: { email: string; password: string }) =>
    signInToApp(t.url, c, user, {
      scope: 'openid profile offline_access api',
      prompt: 'consent',
      resource: `${t.url}/v1`,
    });

  it('lists the apps you let in and disconnects one: consent, refresh and access tokens all stop', async () => {
    const user = await createPasswordUser(t.db);
    const photos = await createOAuthClient(t.db, { name: 'Photos' });
    const music = await createOAuthClient(t.db, { name: 'Music' });
    const p = await connect(photos, user);
    const m = await connect(music, user);

    const list = await call(t.url, 'GET', '/v1/user/connected-apps', { key: p.session });
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { name: string }) => a.name).sort()).toEqual(['Music', 'Photos']);
    const entry = list.body.data.find((a: { name: string }) => a.name === 'Photos');
    expect(entry.scopes).toEqual(expect.arrayContaining(['openid', 'profile', 'offline_access', 'api']));

    expect((await call(t.url, 'GET', '/v1/me', { key: p.tokens.access_token })).status).toBe(200);
    const gone = await call(t.url, 'DELETE', `/v1/user/connected-apps/${entry.id}`, { key: p.session });
    expect(gone.status).toBe(204);
    const refused = await call(t.url, 'GET', '/v1/me', { key: p.tokens.access_token });
    expect(refused.body.error.code).toBe('auth.token_revoked');
    await expect(client.refreshTokenGrant(p.config, p.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The other app is untouched.
    expect((await call(t.url, 'GET', '/v1/me', { key: m.tokens.access_token })).status).toBe(200);

    const all = await call(t.url, 'DELETE', '/v1/user/connected-apps', { key: p.session });
    expect(all.body).toEqual({ revoked: 1 });
    expect((await call(t.url, 'GET', '/v1/me', { key: m.tokens.access_token })).status).toBe(401);
    expect((await call(t.url, 'GET', '/v1/user/connected-apps', { key: p.session })).body.data).toEqual([]);

    await t.platform.services.audit.flush();
    const revoked = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id, event_type: 'consent_revoked' });
    expect(revoked.map((e: { resource_id: string }) => e.resource_id).sort()).toEqual(
      [photos.clientId, music.clientId].sort(),
    );
  });

  it("disconnecting closes the app's open GraphQL subscriptions at once (4403)", async () => {
    const user = await createPasswordUser(t.db);
    const live = await connect(await createOAuthClient(t.db, { name: 'Live' }), user);
    const ws = wsClient(t.url, live.tokens.access_token);
    try {
      const sub = subscribe(ws, 'subscription { myRolesChanged { eventType } }');
      await new Promise((resolve) => setTimeout(resolve, 300)); // connected and subscribed
      expect(sub.errors).toEqual([]);
      const [entry] = (await call(t.url, 'GET', '/v1/user/connected-apps', { key: live.session })).body.data;
      expect(
        (await call(t.url, 'DELETE', `/v1/user/connected-apps/${entry.id}`, { key: live.session })).status,
      ).toBe(204);
      await sub.until(() => sub.errors.length > 0, 3000);
      expect(sub.errors[0]).toMatchObject({ code: 4403 });
    } finally {
      await ws.dispose();
    }
  });

  it('after disconnecting, the app must ask for consent again', async () => {
    const user = await createPasswordUser(t.db);
    const app = await createOAuthClient(t.db);
    const first = await connect(app, user);
    const [consent] = (await call(t.url, 'GET', '/v1/user/connected-apps', { key: first.session })).body.data;
    await call(t.url, 'DELETE', `/v1/user/connected-apps/${consent.id}`, { key: first.session });
    const config = await relyingParty(t.url, app);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: app.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const again = await new Person(t.url).signIn(url.toString(), app.redirectUri, user);
    expect(again.sawConsent).toBe(true);
  });

  it('someone else’s connected app is not found', async () => {
    const owner = await createPasswordUser(t.db);
    const other = await createPasswordUser(t.db);
    const app = await createOAuthClient(t.db);
    const o = await connect(app, owner);
    const x = await connect(app, other);
    const [consent] = (await call(t.url, 'GET', '/v1/user/connected-apps', { key: o.session })).body.data;
    const res = await call(t.url, 'DELETE', `/v1/user/connected-apps/${consent.id}`, { key: x.session });
    expect([res.status, res.body.error.code]).toEqual([404, 'connected_app.not_found']);
  });
});
