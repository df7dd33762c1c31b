import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { errors, type Adapter } from 'oidc-provider';
import { call } from '../support/fixtures.js';
import {
  approveDevice,
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  Person,
  relyingParty,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';
import { createPgAdapter } from '../../oidc/adapter.js';
import { createRedisAdapter } from '../../oidc/redis-adapter.js';
import type { GrantsRevoked } from '../../core/tokens/grants.js';

/**
 * Heimdall ID with Redis configured: the short-lived models (interactions, codes, device codes) live in Redis
 * under the configured prefix, the long-lived ones (sessions, grants, refresh tokens) in PostgreSQL; the flows
 * and the replay rules are those of the PostgreSQL adapter.
 */
describeWithRedis('Heimdall ID with Redis for the short-lived models', () => {
  const prefix = `${uniqueName('oidc-redis')}:`;
  const t = useOidcPlatform({ HEIMDALL__REDIS__URL: TEST_REDIS_URL, HEIMDALL__REDIS__KEY_PREFIX: prefix });
  const resource = () => `${t.url}/v1`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const redisIds = async (model: string) =>
    (await redis.keys(`${prefix}oidc:${model}:*`)).map((k) => k.slice(`${prefix}oidc:${model}:`.length));
  const pgIds = (model: string) => t.db('OidcPayload').where({ model }).pluck<string[]>('id');
  const me = (token: string) => call(t.url, 'GET', '/v1/me', { key: token });

  /** Signs in through the pages up to the RP callback (the code not redeemed yet). */
  async function authorize(c: TestClient, user: { email: string; password: string }) {
    const { config, verifier, state, url } = await authorizationRequest(t.url, c, {
      scope: 'openid offline_access api',
      prompt: 'consent',
      resource: resource(),
    });
    const person = new Person(t.url);
    // The sign-in page's interaction is in Redis while the person is on it.
    const page = await person.follow(url, c.redirectUri);
    const uid = /interaction\/([^/"?]+)/.exec(page.body)![1]!;
    expect(await redisIds('Interaction')).toContain(uid);
    expect(await pgIds('Interaction')).toHaveLength(0);
    const result = await person.signIn(url, c.redirectUri, user);
    expect(result.callback).toBeDefined();
    const callback = new URL(result.callback!);
    const redeem = () =>
      client.authorizationCodeGrant(
        config,
        callback,
        { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true },
        { resource: resource() },
      );
    return { config, callback, redeem, person };
  }

  it('code + PKCE and refresh: interactions and codes in Redis, the session, grant and tokens in PostgreSQL', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { config, callback, redeem } = await authorize(c, user);
    const code = callback.searchParams.get('code')!;

    expect(await redisIds('AuthorizationCode')).toContain(code);
    expect(await pgIds('AuthorizationCode')).toHaveLength(0);
    // The code expires with its TTL, and its grant's index lists it.
    expect(await redis.ttl(`${prefix}oidc:AuthorizationCode:${code}`)).toBeGreaterThan(0);
    const grantId = JSON.parse((await redis.hget(`${prefix}oidc:AuthorizationCode:${code}`, 'payload'))!)
      .grantId as string;
    expect(await redis.smembers(`${prefix}oidc:grant:${grantId}`)).toContain(
      `${prefix}oidc:AuthorizationCode:${code}`,
    );

    const tokens = await redeem();
    expect(tokens.claims()!.sub).toBe(user.id);
    expect((await me(tokens.access_token)).status).toBe(200);
    expect(await pgIds('Grant')).toContain(grantId);
    expect(await pgIds('Session')).not.toHaveLength(0);
    expect((await t.db('OidcPayload').where({ model: 'RefreshToken', grant_id: grantId })).length).toBe(1);

    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!, { resource: resource() });
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect((await me(rotated.access_token)).status).toBe(200);
  });

  it('a code redeemed twice: the second redemption fails and revokes the grant', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { config, callback, redeem } = await authorize(c, user);
    const tokens = await redeem();
    const grantId = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString())
      .gid as string;

    await expect(redeem()).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const refused = await me(tokens.access_token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth.token_revoked');
    expect(await t.db('OidcPayload').where({ grant_id: grantId })).toHaveLength(0);
    expect(await pgIds('Grant')).not.toContain(grantId);
    expect(await redisIds('AuthorizationCode')).not.toContain(callback.searchParams.get('code'));
    expect(await redis.exists(`${prefix}oidc:grant:${grantId}`)).toBe(0);
  });

  it('two redemptions of one code at once: one wins, and the grant it got is revoked', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db);
    const { config, redeem } = await authorize(c, user);
    const results = await Promise.allSettled([redeem(), redeem()]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ error: 'invalid_grant' });
    const tokens = won[0]!.value;
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await me(tokens.access_token)).status).toBe(401);
  });

  it('device flow: the device code is found by its user code in Redis', async () => {
    const user = await createPasswordUser(t.db);
    const c = await createOAuthClient(t.db, {
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      firstParty: true,
    });
    const config = await relyingParty(t.url, c);
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid offline_access api',
      resource: resource(),
    });
    expect(await redisIds('DeviceCode')).not.toHaveLength(0);
    expect(await pgIds('DeviceCode')).toHaveLength(0);

    const { confirm, done } = await approveDevice(t.url, device, user);
    expect(confirm).toContain(device.user_code);
    expect(done).toContain('Device connected');

    const tokens = await client.pollDeviceAuthorizationGrant(config, device, { resource: resource() });
    expect(tokens.claims()!.sub).toBe(user.id);
    expect((await me(tokens.access_token)).status).toBe(200);
    expect(await pgIds('DeviceCode')).toHaveLength(0);
  });

  /** The same adapter operations against both adapters: the Redis one must answer as the PostgreSQL one. */
  const adapters: [string, (onGrantsRevoked: GrantsRevoked) => Adapter][] = [
    ['PostgreSQL', (onGrantsRevoked) => createPgAdapter(t.db, 'AuthorizationCode', onGrantsRevoked)],
    [
      'Redis',
      (onGrantsRevoked) =>
        createRedisAdapter(
          { redis, keyPrefix: `${prefix}contract:`, db: t.db, onGrantsRevoked },
          'AuthorizationCode',
        ),
    ],
  ];
  it.each(adapters)('adapter contract: %s', async (_name, make) => {
    const revokedFor: (string | null)[] = [];
    const adapter = make((userId) => revokedFor.push(userId));
    const grants = createPgAdapter(t.db, 'Grant');
    const grantId = uniqueName('grant');
    await grants.upsert(grantId, { accountId: 'someone' }, 3600);
    const id = uniqueName('code');
    const payload = {
      grantId,
      uid: uniqueName('uid'),
      userCode: uniqueName('UC'),
      clientId: 'c',
      accountId: 'someone',
    };
    await adapter.upsert(id, payload, 60);

    expect(await adapter.find(id)).toEqual(payload);
    expect(await adapter.findByUid!(payload.uid)).toEqual(payload);
    expect(await adapter.findByUserCode!(payload.userCode)).toEqual(payload);
    expect(await adapter.find('nope')).toBeUndefined();
    expect(await adapter.findByUid!('nope')).toBeUndefined();

    await adapter.consume(id);
    expect(await adapter.find(id)).toEqual({ ...payload, consumed: true });
    // Saving again keeps it consumed.
    await adapter.upsert(id, payload, 60);
    expect(await adapter.find(id)).toMatchObject({ consumed: true });
    // A second consume is a replay: invalid_grant, and the grant is gone.
    await expect(adapter.consume(id)).rejects.toBeInstanceOf(errors.InvalidGrant);
    expect(await grants.find(grantId)).toBeUndefined();
    // Whose grant it was is told, so that only their open connections check their tokens again.
    expect(revokedFor).toEqual(['someone']);
    await expect(adapter.consume('missing')).rejects.toBeInstanceOf(errors.InvalidGrant);

    const other = uniqueName('code');
    await adapter.upsert(other, { grantId: 'g2' }, 60);
    await adapter.revokeByGrantId!('g2');
    expect(await adapter.find(other)).toBeUndefined();

    await adapter.upsert(other, { clientId: 'c' }, 60);
    await adapter.destroy(other);
    expect(await adapter.find(other)).toBeUndefined();

    await adapter.upsert(other, { clientId: 'c' }, 1);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await adapter.find(other)).toBeUndefined();
  });
});
