import { describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { graphqlClient } from '../support/graphql.js';
import {
  client,
  createOAuthClient,
  createPasswordUser,
  relyingParty,
  useOidcPlatform,
  signInToApp,
} from '../support/oidc.js';
import { keyWith, trackClients, wsUrl } from '../support/realtime.js';

/**
 * Realtime accepts every credential REST does (core/auth/bearer.ts), limited the same way, and a connection
 * ends with its credential.
 */
describe('realtime credentials', () => {
  const t = useOidcPlatform({ HEIMDALL__REALTIME__HEARTBEAT_MS: '200' }, ['api', 'realtime']);
  const clients = trackClients();

  it('a Heimdall ID access token (client credentials) connects, limited to its scopes', async () => {
    const owner = await createPasswordUser(t.db, { roleIds: ['role_api_read_only'] });
    const c = await createOAuthClient(t.db, {
      grantTypes: ['client_credentials'],
      scopes: ['gps:read', 'users:read'],
      ownerId: owner.id,
    });
    const tokens = await client.clientCredentialsGrant(await relyingParty(t.url, c), { scope: 'gps:read' });
    const raw = await clients.raw(wsUrl(t.url));
    const connected = await raw.authenticate(tokens.access_token);
    expect(connected.connected?.userId).toBe(owner.id);
    expect((await raw.request({ subscribe: { channel: 'gps' } })).kind).toBe('subscribed');
    // The owner may read users, but this token was not granted users:read.
    const refused = await raw.request({ subscribe: { channel: 'user:someone-else' } });
    expect(refused.error?.code).toBe('realtime.forbidden');
  });

  /** A person signs in to an app (authorization code + PKCE, consent, the API as resource). */
  async function userTokens() {
    const user = await createPasswordUser(t.db);
    const signedIn = await signInToApp(t.url, await createOAuthClient(t.db), user, {
      scope: 'openid offline_access api',
      prompt: 'consent',
      resource: `${t.url}/v1`,
    });
    return { user, ...signedIn };
  }

  it("a person's Heimdall ID access token connects as them; removing the app closes the connection (4403)", async () => {
    const { user, tokens, session } = await userTokens();
    const raw = await clients.raw(wsUrl(t.url));
    expect((await raw.authenticate(tokens.access_token)).connected?.userId).toBe(user.id);
    expect((await raw.request({ subscribe: { channel: `user:${user.id}` } })).kind).toBe('subscribed');
    // A plain user may not read the audit channel, whatever the token's scopes say.
    expect((await raw.request({ subscribe: { channel: 'audit' } })).error?.code).toBe('realtime.forbidden');

    const [app] = (await call(t.url, 'GET', '/v1/user/connected-apps', { key: session })).body.data;
    const removed = await call(t.url, 'DELETE', `/v1/user/connected-apps/${app.id}`, { key: session });
    expect(removed.status).toBe(204);
    expect((await raw.waitClosed(3000)).code).toBe(4403);
  });

  it('revoking the refresh token at the provider ends its grant and closes the connection (4403)', async () => {
    const { config, tokens } = await userTokens();
    const other = await userTokens(); // someone else's connection stays open
    const raw = await clients.raw(wsUrl(t.url));
    await raw.authenticate(tokens.access_token);
    const bystander = await clients.raw(wsUrl(t.url));
    await bystander.authenticate(other.tokens.access_token);

    await client.tokenRevocation(config, tokens.refresh_token!);
    expect((await raw.waitClosed(3000)).code).toBe(4403);
    expect((await bystander.request({ ping: {} })).kind).toBe('pong');
  });

  it('a session token connects as its person; ending the session elsewhere closes the connection (4403)', async () => {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const sessions = t.platform.services.sessions;
    const phone = await sessions.create({ userId, provider: 'email' });
    const laptop = await sessions.create({ userId, provider: 'email' });
    const raw = await clients.raw(wsUrl(t.url));
    expect((await raw.authenticate(phone.token)).connected?.userId).toBe(userId);
    expect((await raw.request({ subscribe: { channel: `user:${userId}` } })).kind).toBe('subscribed');
    const ended = await call(t.url, 'DELETE', `/v1/user/sessions/${phone.id}`, { key: laptop.token });
    expect(ended.status).toBe(204);
    expect((await raw.waitClosed(3000)).code).toBe(4403);
  });

  it('a connection ends when its credential expires (4401), and the SDK comes back with a fresh one', async () => {
    const expiring = await createKey(t.db, {
      roleIds: ['role_api_full_access'],
      isSystem: true,
      expiresAt: new Date(Date.now() + 1500),
    });
    const raw = await clients.raw(wsUrl(t.url));
    await raw.authenticate(expiring.key);
    const closed = await raw.waitClosed(5000);
    expect(closed.code).toBe(4401);
    expect(raw.messages.find((m) => m.kind === 'disconnect')?.disconnect).toMatchObject({
      code: 4401,
      reason: 'credential expired',
    });

    const fresh = await keyWith(t.db, ['realtime:subscribe']);
    const tokens = [
      (
        await createKey(t.db, {
          roleIds: [fresh.roleId],
          expiresAt: new Date(Date.now() + 1500),
        })
      ).key,
      fresh.key,
    ];
    let asked = 0;
    const sdk = await clients.sdk(wsUrl(t.url), () => tokens[Math.min(asked++, 1)]!);
    const again = new Promise<void>((resolve) => sdk.once('connected', () => resolve()));
    await again;
    expect(asked).toBe(2);
    expect(sdk.state).toBe('connected');
  });

  it('GPS points written through GraphQL reach gps subscribers as typed GpsUpdate payloads', async () => {
    const reader = await keyWith(t.db, ['gps:read']);
    const raw = await clients.raw(wsUrl(t.url));
    await raw.authenticate(reader.key);
    expect((await raw.request({ subscribe: { channel: 'gps' } })).kind).toBe('subscribed');
    const writer = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    const answer = await graphqlClient(
      t.url,
      writer.key,
    )(
      'mutation { createGpsData(data: { latitude: 59.91, longitude: 10.75, altitude: 12.5, timestamp: "2026-11-23T12:00:00Z" }) { id } }',
    );
    expect(answer.errors).toEqual([]);
    const publication = await raw.waitFor((m) => m.kind === 'publication', 'the GPS publication');
    expect(publication.publication).toMatchObject({
      channel: 'gps',
      payload: {
        gps: {
          id: answer.data.createGpsData.id,
          operation: 'create',
          latitude: 59.91,
          longitude: 10.75,
          altitude: 12.5,
          timestamp: expect.stringMatching(/^2026-11-23T12:00:00/),
        },
      },
    });
  });
});
