import { beforeAll, describe, expect, it } from '@jest/globals';
import { SOCIAL_PLATFORM_IDS, type PlatformProfile, type SocialPlatformId } from '../../schemas/social.js';
import { useCoreServices } from '../../test/support/core-services.js';
import { createLinkedAccount, createUser } from '../../test/support/fixtures.js';
import { uniqueName } from '../../test/support/services.js';
import type { AuthCache, AuthInvalidation } from '../auth/auth-cache.js';
import { createSecretBox } from '../crypto/secret-box.js';
import type { AppError } from '../errors/index.js';
import { createPlatformTokenStore } from '../platform-tokens/store.js';
import type { PlatformTokenClient } from '../platform-tokens/upstream.js';
import { createLinkedAccountService, type LinkedAccountService, type UpstreamIdentity } from './service.js';

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (err: AppError) => ({ code: err.code, status: err.status }),
  );

/** These rules never reach a provider: a refresh or revoke here would be a fault of the service. */
const NO_PROVIDER: PlatformTokenClient = {
  refresh: () => Promise.reject(new Error('no provider in these tests')),
  canRevoke: () => false,
  revoke: () => Promise.reject(new Error('no provider in these tests')),
};

describe('linked-accounts service', () => {
  const t = useCoreServices();
  const invalidations: AuthInvalidation[] = [];
  let service: LinkedAccountService;

  /** A signed-in person acting on their own accounts (the service needs their real id). */
  const as = (userId: string) => t.actor([], { user: { id: userId, username: 'person' } });
  const identity = (platform: SocialPlatformId, profile: Partial<PlatformProfile> = {}): UpstreamIdentity => {
    const name = uniqueName(platform).replaceAll('_', '-').slice(0, 30);
    return { platform, profile: { id: name, username: name, emailVerified: false, ...profile } };
  };
  const accountsOf = async (userId: string) =>
    (await t.db('PlatformAccount').where({ user_id: userId }).orderBy('created_at')).map(
      (a: { platform_id: string }) => a.platform_id,
    );
  const users = async () => Number((await t.db('User').count<{ count: string }[]>('* as count'))[0]!.count);

  beforeAll(() => {
    const tokens = createPlatformTokenStore({
      db: t.db,
      box: createSecretBox(Buffer.alloc(32, 3)),
      audit: t.audit,
      client: NO_PROVIDER,
      refreshAheadSeconds: 600,
      onError: (err) => {
        throw err;
      },
    });
    const authCache = { invalidate: async (e: AuthInvalidation) => void invalidations.push(e) };
    service = createLinkedAccountService({
      db: t.db,
      audit: t.audit,
      authCache: authCache as unknown as AuthCache,
      tokens,
      registrationEnabled: true,
      configuredPlatforms: new Set(SOCIAL_PLATFORM_IDS),
    });
  });

  describe('signUp', () => {
    it('creates the user with the identity as primary account and the User role, audited', async () => {
      const upstream = identity('twitch', {
        username: 'Streamer_Name',
        displayName: 'Streamer Name',
        email: 'streamer@example.test',
        emailVerified: true,
      });
      const tokens = {
        accessToken: 'su-access',
        refreshToken: 'su-refresh',
        scopes: ['chat:read'],
        tokenType: 'bearer',
      };
      const { userId, accountId } = await service.signUp(
        { ...upstream, tokens },
        { ip: '198.51.100.4', locale: 'de' },
      );

      const user = await t.db('User').where({ id: userId }).first();
      expect(user).toMatchObject({
        primary_platform_account_id: accountId,
        preferred_locale: 'de',
        deleted_at: null,
      });
      expect(user.username).toMatch(/^Streamer_Name/);
      expect(await t.db('UserRole').where({ user_id: userId }).pluck('role_id')).toEqual(['role_user']);
      const account = await t.db('PlatformAccount').where({ id: accountId }).first();
      expect(account).toMatchObject({
        platform_id: 'twitch',
        platform_user_id: upstream.profile.id,
        display_name: 'Streamer Name',
        email: 'streamer@example.test',
        password_hash: null,
      });
      expect(account.email_verified_at).toBeInstanceOf(Date);
      const token = await t.db('PlatformToken').where({ platform_account_id: accountId }).first();
      expect(token.access_token_encrypted).toMatch(/^v2\./);
      expect(token.access_token_encrypted).not.toContain('su-access');

      const [event] = await t.events('user_created', userId);
      expect(event).toMatchObject({
        user_id: userId,
        actor_id: userId,
        resource_type: 'user',
        source_service: 'id',
        ip_address: '198.51.100.4',
        metadata: { via: 'social', platform: 'twitch' },
      });
    });

    it('refuses an address a live user has on any account, whatever its case, creating nothing', async () => {
      const owner = await createUser(t.db);
      await createLinkedAccount(t.db, owner, { email: 'Taken.Mail@Example.test' });
      const discordOwner = await createUser(t.db);
      await createLinkedAccount(t.db, discordOwner, {
        platform: 'discord',
        email: 'on.discord@example.test',
      });
      const before = await users();
      for (const email of ['taken.mail@example.TEST', 'ON.DISCORD@example.test'])
        expect(await refusal(service.signUp(identity('twitch', { email }), {}))).toEqual({
          code: 'linked_account.email_in_use',
          status: 409,
        });
      // The email platform's address is its platform_user_id, even where the email column says otherwise.
      await t.db('PlatformAccount').where({ user_id: owner }).update({ email: null });
      expect(
        await refusal(service.signUp(identity('github', { email: 'TAKEN.mail@example.test' }), {})),
      ).toEqual({
        code: 'linked_account.email_in_use',
        status: 409,
      });
      expect(await users()).toBe(before);

      // A deleted user's address is free again.
      await t.db('User').where({ id: discordOwner }).update({ deleted_at: new Date() });
      const { userId } = await service.signUp(identity('twitch', { email: 'on.discord@example.test' }), {});
      expect(await accountsOf(userId)).toEqual(['twitch']);
    });

    it('lets one of two sign-ups with the same confirmed address at once through', async () => {
      const email = `${uniqueName('race')}@example.test`;
      const results = await Promise.allSettled([
        service.signUp(identity('twitch', { email, emailVerified: true }), {}),
        service.signUp(identity('discord', { email: email.toUpperCase(), emailVerified: true }), {}),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
      expect((refused.reason as AppError).code).toBe('linked_account.email_in_use');
      expect(await t.db('PlatformAccount').whereRaw('lower(email) = lower(?)', [email])).toHaveLength(1);
    });
  });

  describe('link', () => {
    it('links a new platform, and linking the same identity again reconnects it', async () => {
      const userId = await createUser(t.db, { roleIds: ['role_user'] });
      await createLinkedAccount(t.db, userId, { primary: true });
      const upstream = identity('discord', { displayName: 'Before' });
      const first = await service.link(as(userId), upstream);
      expect(first).toMatchObject({
        reconnected: false,
        account: { platform_id: 'discord', is_primary: false },
      });

      const again = await service.link(as(userId), {
        ...upstream,
        profile: { ...upstream.profile, displayName: 'After' },
        tokens: { accessToken: 'again', scopes: ['identify', 'guilds'], tokenType: 'bearer' },
      });
      expect(again).toMatchObject({
        reconnected: true,
        account: {
          id: first.account.id,
          display_name: 'After',
          token_status: 'valid',
          token_scopes: ['identify', 'guilds'],
        },
      });
      expect(await accountsOf(userId)).toEqual(['email', 'discord']);
      const [event] = await t.events('account_reconnected', first.account.id);
      expect(event).toMatchObject({ user_id: userId, actor_id: userId, resource_type: 'platform_account' });
      expect(event!.metadata).toEqual({
        platform: 'discord',
        platform_user_id: upstream.profile.id,
        username: upstream.profile.username,
        scopes: ['identify', 'guilds'],
      });
      expect(await t.events('account_linked', first.account.id)).toHaveLength(1);
    });

    it('refuses an identity linked to someone else, and a second account on one platform', async () => {
      const someone = await createUser(t.db);
      const upstream = identity('twitch');
      await service.link(as(someone), upstream);
      const userId = await createUser(t.db);
      await createLinkedAccount(t.db, userId, { primary: true });
      expect(await refusal(service.link(as(userId), upstream))).toEqual({
        code: 'linked_account.linked_elsewhere',
        status: 409,
      });
      await service.link(as(userId), identity('twitch'));
      expect(await refusal(service.link(as(userId), identity('twitch')))).toEqual({
        code: 'linked_account.platform_taken',
        status: 409,
      });
      expect(await accountsOf(userId)).toEqual(['email', 'twitch']);
      expect(await accountsOf(someone)).toEqual(['twitch']);
    });
  });

  describe('unlink', () => {
    it('keeps one way to sign in when the last two are unlinked at once', async () => {
      for (let round = 0; round < 5; round++) {
        const userId = await createUser(t.db);
        const email = await createLinkedAccount(t.db, userId, { primary: true });
        const twitch = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
        const results = await Promise.allSettled([
          service.unlink(as(userId), email),
          service.unlink(as(userId), twitch),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect((refused.reason as AppError).code).toBe('linked_account.last_sign_in_method');
        const [left] = await t.db('PlatformAccount').where({ user_id: userId }).pluck('id');
        expect(await t.db('PlatformAccount').where({ user_id: userId })).toHaveLength(1);
        expect((await t.db('User').where({ id: userId }).first()).primary_platform_account_id).toBe(left);
        // Every node drops the person's cached credentials: their primary account (and claims) changed.
        expect(invalidations).toContainEqual({ type: 'user', userId });
      }
    });
  });
});
