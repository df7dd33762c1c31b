import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSecretBox } from '../crypto/secret-box.js';
import { createUpstreamProviders } from '../../oidc/social/providers/index.js';
import { createPlatformTokenClient } from '../../oidc/social/token-client.js';
import { socialSchema } from '../../schemas/social.js';
import { useCoreServices } from '../../test/support/core-services.js';
import { startFakeProvider, type FakeProvider } from '../../test/support/fake-providers/index.js';
import { createUser } from '../../test/support/fixtures.js';
import type { AppError } from '../errors/index.js';
import { createPlatformTokenStore, type PlatformTokenStore } from './store.js';

/**
 * The platform token store against a real provider client talking to the fake Twitch: sealing, the scheduler's
 * refresh and its outcomes, issuing to a bot, and sealing again after a key rotation.
 */
describe('platform token store', () => {
  const t = useCoreServices();
  let twitch: FakeProvider;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const errors: string[] = [];

  const storeWith = (box = createSecretBox(oldKey), fake = twitch): PlatformTokenStore => {
    const config = socialSchema.parse({ twitch: fake.config });
    const providers = createUpstreamProviders(config, { firstUse: async () => true });
    return createPlatformTokenStore({
      db: t.db,
      box,
      audit: t.audit,
      client: createPlatformTokenClient(providers),
      refreshAheadSeconds: 600,
      onError: (_err, context) => errors.push(context),
    });
  };

  beforeAll(async () => {
    twitch = await startFakeProvider('twitch');
  });
  afterAll(() => twitch.close());

  /** A user with a Twitch account whose tokens the fake issued (the sign-in's code exchange). */
  async function linkedTwitch(store: PlatformTokenStore, expiresInMs: number) {
    const userId = await createUser(t.db);
    const [account] = await t
      .db('PlatformAccount')
      .insert({
        platform_id: 'twitch',
        platform_user_id: `tw-${userId}`,
        username: 'streamer',
        user_id: userId,
      })
      .returning<{ id: string }[]>('id');
    const providers = createUpstreamProviders(socialSchema.parse({ twitch: twitch.config }), {
      firstUse: async () => true,
    });
    const provider = providers.get('twitch')!;
    const secrets = {
      state: 's',
      codeVerifier: 'v'.repeat(43),
      nonce: 'n',
      redirectUri: 'https://id.test/cb',
    };
    const callback = await twitch.authorize(
      await provider.authorizationUrl({ ...secrets, scopes: ['chat:read'], offline: false }),
    );
    const { tokens } = await provider.complete(callback.searchParams, secrets);
    await store.save(account!.id, { ...tokens!, expiresAt: new Date(Date.now() + expiresInMs) });
    return { userId, accountId: account!.id, tokens: tokens! };
  }

  const row = (accountId: string) => t.db('PlatformToken').where({ platform_account_id: accountId }).first();
  const refusal = (work: Promise<unknown>) =>
    work.then(
      () => {
        throw new Error('expected a refusal');
      },
      (err: AppError) => ({ code: err.code, status: err.status }),
    );

  it('seals tokens bound to their account: the clear token is nowhere in the row', async () => {
    const store = storeWith();
    const { accountId, tokens } = await linkedTwitch(store, 3_600_000);
    const stored = await row(accountId);
    expect(JSON.stringify(stored)).not.toContain(tokens.accessToken);
    expect(JSON.stringify(stored)).not.toContain(tokens.refreshToken);
    expect(stored.access_token_encrypted).toMatch(/^v2\./);
    // Copied onto another account's row, a sealed token does not open.
    const box = createSecretBox(oldKey);
    expect(box.open(stored.access_token_encrypted, `platform-token:${accountId}:access`)).toBe(
      tokens.accessToken,
    );
    expect(() =>
      box.open(stored.access_token_encrypted, `platform-token:${randomBytes(8).toString('hex')}:access`),
    ).toThrow();
  });

  it('refreshes what expires soon, leaves the rest, and marks a refused token invalid', async () => {
    const store = storeWith();
    const soon = await linkedTwitch(store, 60_000);
    const later = await linkedTwitch(store, 6 * 3_600_000);
    const before = twitch.refreshCount;
    const outcome = await store.refreshDue();
    expect(outcome.refreshed).toBeGreaterThanOrEqual(1);
    expect(twitch.refreshCount).toBeGreaterThan(before);
    expect((await row(soon.accountId)).expires_at.getTime()).toBeGreaterThan(Date.now() + 1_800_000);
    expect((await row(later.accountId)).refreshed_at).toBeNull();
    expect(await t.events('platform_token_refreshed', soon.accountId)).toHaveLength(1);

    const refused = await linkedTwitch(store, 60_000);
    twitch.refuseRefresh(true);
    try {
      expect((await store.refreshDue()).invalid).toBeGreaterThanOrEqual(1);
    } finally {
      twitch.refuseRefresh(false);
    }
    expect(await row(refused.accountId)).toMatchObject({
      status: 'invalid',
      invalid_reason: 'invalid_grant',
    });
    const [event] = await t.events('platform_token_invalid', refused.accountId);
    expect(event).toMatchObject({ status: 'failure', user_id: refused.userId });
    expect(JSON.stringify(event)).not.toContain(refused.tokens.refreshToken);
  });

  it('keeps a token valid when the provider is down, and tries again on the next run', async () => {
    const down = await startFakeProvider('twitch');
    const store = storeWith(createSecretBox(oldKey), down);
    const { accountId } = await linkedTwitch(store, 60_000);
    await down.close();
    const outcome = await store.refreshDue();
    expect(outcome.failed).toBeGreaterThanOrEqual(1);
    expect(errors).toContain('could not refresh a twitch token');
    expect(await row(accountId)).toMatchObject({ status: 'valid', refreshed_at: null });
  });

  it('issues a fresh token to a caller with the platform permission, refreshing one about to expire', async () => {
    const store = storeWith();
    const { userId, accountId, tokens } = await linkedTwitch(store, 30_000);
    expect(await refusal(store.issue(t.actor(['users:read']), 'twitch', userId))).toEqual({
      code: 'auth.forbidden',
      status: 403,
    });
    const bot = t.actor(['twitch:read']);
    const issued = await store.issue(bot, 'twitch', userId);
    expect(issued.access_token).not.toBe(tokens.accessToken);
    expect(new Date(issued.expires_at!).getTime()).toBeGreaterThan(Date.now() + 1_800_000);
    const again = await store.issue(bot, 'twitch', userId);
    expect(again.access_token).toBe(issued.access_token);
    const [event] = await t.events('platform_token_issued', accountId);
    expect(event).toMatchObject({ user_id: userId, actor_id: bot.auth.user!.id });
    expect(JSON.stringify(event)).not.toContain(issued.access_token);
    expect(await refusal(store.issue(bot, 'twitch', await createUser(t.db)))).toEqual({
      code: 'integration.not_linked',
      status: 404,
    });
    expect(await refusal(store.issue(bot, 'myspace', userId))).toEqual({
      code: 'integration.unknown_platform',
      status: 404,
    });
  });

  it('refuses tokens of banned users, expired tokens without a refresh token, and answers 503 while the platform is down', async () => {
    const store = storeWith();
    const bot = t.actor(['twitch:read']);
    const banned = await linkedTwitch(store, 3_600_000);
    await t.db('UserBan').insert({ user_id: banned.userId, reason: 'spam', banned_by: 'test' });
    expect(await refusal(store.issue(bot, 'twitch', banned.userId))).toEqual({
      code: 'integration.user_unavailable',
      status: 409,
    });

    const expired = await linkedTwitch(store, 3_600_000);
    await t
      .db('PlatformToken')
      .where({ platform_account_id: expired.accountId })
      .update({ refresh_token_encrypted: null, expires_at: new Date(Date.now() - 1000) });
    expect(await refusal(store.issue(bot, 'twitch', expired.userId))).toEqual({
      code: 'integration.token_invalid',
      status: 409,
    });

    const down = await startFakeProvider('twitch');
    const unreachable = storeWith(createSecretBox(oldKey), down);
    const soon = await linkedTwitch(unreachable, 30_000);
    await down.close();
    expect(await refusal(unreachable.issue(bot, 'twitch', soon.userId))).toEqual({
      code: 'integration.unavailable',
      status: 503,
    });
    expect(await row(soon.accountId)).toMatchObject({ status: 'valid' });
  });

  it('seals every token again with the new key after a rotation', async () => {
    const store = storeWith();
    const { accountId, tokens } = await linkedTwitch(store, 6 * 3_600_000);
    const rotated = storeWith(createSecretBox(newKey, [oldKey]));
    const outcome = await rotated.refreshDue();
    expect(outcome.resealed).toBeGreaterThanOrEqual(1);
    const stored = await row(accountId);
    const box = createSecretBox(newKey);
    expect(box.sealedWithCurrent(stored.access_token_encrypted)).toBe(true);
    expect(box.open(stored.refresh_token_encrypted, `platform-token:${accountId}:refresh`)).toBe(
      tokens.refreshToken,
    );
    expect((await rotated.refreshDue()).resealed).toBe(0);
  });
});
