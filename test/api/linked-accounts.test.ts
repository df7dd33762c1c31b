/* eslint-disable @typescript-eslint/no-explicit-any -- responses are asserted field by field */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { PlatformTokenSet } from '../../schemas/social.js';
import {
  call,
  createKey,
  createLinkedAccount,
  createPersonWithAccounts,
  createUser,
  type TestKey,
} from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { userWith } from '../support/realtime.js';
import { waitUntil } from '../support/wait.js';

/**
 * Sign-in methods and platform tokens over REST, on a real database: what people and administrators see of the
 * accounts (never a secret), the rules of unlinking and the primary, who may be handed a token, and how tokens
 * rest in the database. Refreshing against a provider is tested with the provider fakes, not here.
 */
const SECRETS = /password_hash|access_token_encrypted|refresh_token_encrypted|\$argon2|"v2\./;
const CODE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

describe('sign-in methods and platform tokens over REST', () => {
  // Twitch and Discord configured (never called here): accounts there count as ways to sign in.
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    ...Object.fromEntries(
      ['TWITCH', 'DISCORD'].flatMap((p) => [
        [`HEIMDALL__SOCIAL__${p}__ENABLED`, 'true'],
        [`HEIMDALL__SOCIAL__${p}__CLIENT_ID`, `${p.toLowerCase()}-client`],
        [`HEIMDALL__SOCIAL__${p}__CLIENT_SECRET`, 'unused'],
      ]),
    ),
  });
  let admin: TestKey;

  /** A person with sign-in methods, and a second key of theirs scoped to `users:read`. */
  async function person() {
    const who = await createPersonWithAccounts(t.db);
    const readKey = (
      await createKey(t.db, { userId: who.userId, roleIds: ['role_api_full_access'], scopes: ['users:read'] })
    ).key;
    return { ...who, readKey };
  }

  /** A token set as a provider hands it out, with values unique to the call (to find them where they must not be). */
  function tokens(scopes = ['chat:read', 'chat:edit']): PlatformTokenSet {
    const tag = randomUUID();
    return {
      accessToken: `access-${tag}`,
      refreshToken: `refresh-${tag}`,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      scopes,
      tokenType: 'bearer',
    };
  }

  async function events(type: string, resourceId: string) {
    await t.platform.services.audit.flush();
    return t.platform.databases
      .audit('AuditEvent')
      .where({ event_type: type, resource_id: resourceId })
      .orderBy('created_at');
  }

  const accountsOf = async (userId: string) =>
    (await t.db('PlatformAccount').where({ user_id: userId }).orderBy('created_at')).map((a) => a.id);
  const primaryOf = async (userId: string) =>
    (await t.db('User').where({ id: userId }).first()).primary_platform_account_id;
  const expectError = (res: { status: number; body: any }, status: number, code: string) =>
    expect([res.status, res.body?.error?.code]).toEqual([status, code]);

  beforeAll(async () => {
    const adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    admin = await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] });
  });

  describe('your sign-in methods', () => {
    it('lists them oldest first with the primary and token status, never a secret, not to be cached', async () => {
      const p = await person();
      const set = tokens();
      await t.platform.services.platformTokens.save(p.twitch, set);
      const res = await call(t.url, 'GET', '/v1/user/accounts', { key: p.key });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.data.map((a: any) => [a.id, a.platform_id, a.platform_name, a.is_primary])).toEqual([
        [p.email, 'email', 'Email', true],
        [p.twitch, 'twitch', 'Twitch', false],
        [p.discord, 'discord', 'Discord', false],
      ]);
      expect(res.body.data[1]).toMatchObject({ token_status: 'valid', token_scopes: set.scopes });
      expect(res.body.data[2]).toMatchObject({ token_status: 'none', token_scopes: [] });
      expect(res.body.data[0]).toMatchObject({ email_verified: true, display_name: null });
      expect(res.body.data[1].display_name).toMatch(/^twitch /);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(SECRETS);
      expect(text).not.toContain(set.accessToken);
      expect(text).not.toContain(set.refreshToken!);
    });

    it('makes another account the primary, once: audited with the previous one', async () => {
      const p = await person();
      const res = await call(t.url, 'PUT', `/v1/user/accounts/${p.twitch}/primary`, { key: p.key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: p.twitch, platform_id: 'twitch', is_primary: true });
      expect(await primaryOf(p.userId)).toBe(p.twitch);
      const listed = await call(t.url, 'GET', '/v1/user/accounts', { key: p.key });
      expect(listed.body.data.filter((a: any) => a.is_primary).map((a: any) => a.id)).toEqual([p.twitch]);
      // The primary already: answered as it is, nothing recorded again.
      expect((await call(t.url, 'PUT', `/v1/user/accounts/${p.twitch}/primary`, { key: p.key })).status).toBe(
        200,
      );
      const recorded = await events('primary_account_changed', p.twitch);
      expect(recorded).toEqual([
        expect.objectContaining({
          user_id: p.userId,
          actor_id: p.userId,
          resource_type: 'platform_account',
          source_service: 'api',
        }),
      ]);
      expect(recorded[0].metadata).toEqual({
        platform: 'twitch',
        platform_user_id: expect.any(String),
        previous: p.email,
        previous_platform: 'email',
      });
    });

    it('unlinks an account: 204, its token goes with it, audited', async () => {
      const p = await person();
      await t.platform.services.platformTokens.save(p.discord, tokens(['identify']));
      const res = await call(t.url, 'DELETE', `/v1/user/accounts/${p.discord}`, { key: p.key });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expect(await accountsOf(p.userId)).toEqual([p.email, p.twitch]);
      expect(await t.db('PlatformToken').where({ platform_account_id: p.discord })).toEqual([]);
      const [event] = await events('account_unlinked', p.discord);
      expect(event).toMatchObject({
        user_id: p.userId,
        actor_id: p.userId,
        resource_type: 'platform_account',
      });
      expect(event.metadata).toEqual({
        platform: 'discord',
        platform_user_id: expect.any(String),
        was_primary: false,
        upstream_revoked: false,
      });
    });

    it('unlinking the primary passes it to the oldest account left that signs in', async () => {
      const p = await person();
      await t.db('User').where({ id: p.userId }).update({ primary_platform_account_id: p.twitch });
      // The email account has no password (so it cannot sign in on its own): Discord becomes the primary.
      await t.db('PlatformAccount').where({ id: p.email }).update({ password_hash: null });
      expect((await call(t.url, 'DELETE', `/v1/user/accounts/${p.twitch}`, { key: p.key })).status).toBe(204);
      expect(await primaryOf(p.userId)).toBe(p.discord);
      const [event] = await events('account_unlinked', p.twitch);
      expect(event.metadata).toMatchObject({ was_primary: true, new_primary: p.discord });
    });

    it('refuses to unlink the last way to sign in, changing and recording nothing', async () => {
      const userId = await createUser(t.db, { roleIds: ['role_user'] });
      const only = await createLinkedAccount(t.db, userId, { primary: true });
      const key = (await createKey(t.db, { userId })).key;
      expectError(
        await call(t.url, 'DELETE', `/v1/user/accounts/${only}`, { key }),
        409,
        'linked_account.last_sign_in_method',
      );
      expect(await accountsOf(userId)).toEqual([only]);
      expect(await primaryOf(userId)).toBe(only);

      // An email account without a password does not sign in: the platform account beside it is the last way.
      const twitch = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
      await t.db('PlatformAccount').where({ id: only }).update({ password_hash: null });
      expectError(
        await call(t.url, 'DELETE', `/v1/user/accounts/${twitch}`, { key }),
        409,
        'linked_account.last_sign_in_method',
      );
      expect(await accountsOf(userId)).toEqual([only, twitch]);
      expect(await events('account_unlinked', only)).toEqual([]);
      expect(await events('account_unlinked', twitch)).toEqual([]);
    });

    it("answers 404 for someone else's account and for ids that are nobody's, leaving them alone", async () => {
      const p = await person();
      const other = await person();
      for (const id of [other.twitch, randomUUID()]) {
        expectError(
          await call(t.url, 'DELETE', `/v1/user/accounts/${id}`, { key: p.key }),
          404,
          'linked_account.not_found',
        );
        expectError(
          await call(t.url, 'PUT', `/v1/user/accounts/${id}/primary`, { key: p.key }),
          404,
          'linked_account.not_found',
        );
      }
      expect(await accountsOf(other.userId)).toEqual([other.email, other.twitch, other.discord]);
      expect(await primaryOf(other.userId)).toBe(other.email);
    });

    it('a key scoped users:read reads but cannot change; a key without a user has no accounts', async () => {
      const p = await person();
      expect((await call(t.url, 'GET', '/v1/user/accounts', { key: p.readKey })).status).toBe(200);
      expectError(
        await call(t.url, 'DELETE', `/v1/user/accounts/${p.twitch}`, { key: p.readKey }),
        403,
        'auth.insufficient_scope',
      );
      expectError(
        await call(t.url, 'PUT', `/v1/user/accounts/${p.twitch}/primary`, { key: p.readKey }),
        403,
        'auth.insufficient_scope',
      );
      expect(await accountsOf(p.userId)).toEqual([p.email, p.twitch, p.discord]);
      expect(await primaryOf(p.userId)).toBe(p.email);

      const system = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
      expectError(await call(t.url, 'GET', '/v1/user/accounts', { key: system }), 403, 'auth.user_required');
      expectError(await call(t.url, 'GET', '/v1/user/accounts'), 401, 'auth.required');
    });
  });

  describe("a user's sign-in methods for administrators", () => {
    it('with users:read: what the person sees, never a secret', async () => {
      const p = await person();
      await t.platform.services.platformTokens.save(p.twitch, tokens());
      const own = await call(t.url, 'GET', '/v1/user/accounts', { key: p.key });
      const res = await call(t.url, 'GET', `/v1/users/${p.userId}/accounts`, { key: admin.key });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(own.body);
      expect(JSON.stringify(res.body)).not.toMatch(SECRETS);
      // A read-only system key holds users:read too.
      const readOnly = (await createKey(t.db, { roleIds: ['role_api_read_only'], scopes: ['users:read'] }))
        .key;
      expect((await call(t.url, 'GET', `/v1/users/${p.userId}/accounts`, { key: readOnly })).body).toEqual(
        own.body,
      );
      expectError(
        await call(t.url, 'GET', `/v1/users/${randomUUID()}/accounts`, { key: admin.key }),
        404,
        'user.not_found',
      );
    });

    it('without users:read: refused, even for a user who exists', async () => {
      const p = await person();
      const other = await person();
      expectError(
        await call(t.url, 'GET', `/v1/users/${p.userId}/accounts`, { key: other.key }),
        403,
        'auth.forbidden',
      );
      const gpsOnly = (await createKey(t.db, { roleIds: ['role_api_full_access'], scopes: ['gps:read'] }))
        .key;
      expectError(
        await call(t.url, 'GET', `/v1/users/${p.userId}/accounts`, { key: gpsOnly }),
        403,
        'auth.insufficient_scope',
      );
    });
  });

  describe('platform tokens for bots', () => {
    /** A person with a Twitch account whose token is stored. */
    async function streamer() {
      const userId = await createUser(t.db, { roleIds: ['role_user'] });
      await createLinkedAccount(t.db, userId, { primary: true });
      const twitch = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
      const set = tokens();
      await t.platform.services.platformTokens.save(twitch, set);
      return { userId, twitch, set };
    }
    const tokenOf = (key: string | undefined, platform: string, userId: string) =>
      call(t.url, 'GET', `/v1/integrations/${platform}/token?user_id=${userId}`, { key });

    it('hands a holder of twitch:read the token, not to be cached, audited without it', async () => {
      const s = await streamer();
      const bot = await userWith(t.db, ['twitch:read']);
      const res = await tokenOf(bot.key, 'twitch', s.userId);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const platformUserId = (await t.db('PlatformAccount').where({ id: s.twitch }).first()).platform_user_id;
      expect(res.body).toEqual({
        platform: 'twitch',
        user_id: s.userId,
        platform_user_id: platformUserId,
        access_token: s.set.accessToken,
        token_type: 'bearer',
        scopes: s.set.scopes,
        expires_at: s.set.expiresAt!.toISOString(),
      });
      const issued = await events('platform_token_issued', s.twitch);
      expect(issued).toEqual([
        expect.objectContaining({
          user_id: s.userId,
          actor_id: bot.userId,
          resource_type: 'platform_account',
          source_service: 'api',
          metadata: { platform: 'twitch', scopes: s.set.scopes },
        }),
      ]);
      expect(JSON.stringify(issued)).not.toContain(s.set.accessToken);
      expect(JSON.stringify(issued)).not.toContain(s.set.refreshToken!);
      // A super admin may too.
      expect((await tokenOf(admin.key, 'twitch', s.userId)).body.access_token).toBe(s.set.accessToken);
    });

    it('keeps tokens sealed at rest with the secrets key, never in the clear', async () => {
      const s = await streamer();
      const row = await t.db('PlatformToken').where({ platform_account_id: s.twitch }).first();
      for (const [sealed, clear] of [
        [row.access_token_encrypted, s.set.accessToken],
        [row.refresh_token_encrypted, s.set.refreshToken!],
      ]) {
        expect(sealed).toMatch(/^v2\./);
        expect(sealed).not.toContain(clear);
      }
      expect(row).toMatchObject({ status: 'valid', scopes: s.set.scopes, token_type: 'bearer' });
    });

    it("refuses callers without the platform's permission, or whose key lacks its scope", async () => {
      const s = await streamer();
      const discordBot = await userWith(t.db, ['discord:read']);
      expectError(await tokenOf(discordBot.key, 'twitch', s.userId), 403, 'auth.forbidden');
      const scoped = await userWith(t.db, ['twitch:read'], { scopes: ['users:read'] });
      expectError(await tokenOf(scoped.key, 'twitch', s.userId), 403, 'auth.insufficient_scope');
      expectError(await tokenOf(undefined, 'twitch', s.userId), 401, 'auth.required');
      expect(await events('platform_token_issued', s.twitch)).toEqual([]);
    });

    it('youtube names Google, under youtube:read', async () => {
      const userId = await createUser(t.db, { roleIds: ['role_user'] });
      const google = await createLinkedAccount(t.db, userId, { platform: 'google', primary: true });
      const set = tokens(['https://www.googleapis.com/auth/youtube.force-ssl']);
      await t.platform.services.platformTokens.save(google, set);
      const bot = await userWith(t.db, ['youtube:read']);
      const res = await tokenOf(bot.key, 'youtube', userId);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ platform: 'google', access_token: set.accessToken });
      expectError(
        await tokenOf((await userWith(t.db, ['twitch:read'])).key, 'google', userId),
        403,
        'auth.forbidden',
      );
    });

    it('answers 404 for a platform without tokens and for a person who did not link it', async () => {
      const s = await streamer();
      for (const platform of ['myspace', 'steam', 'email', 'TWITCH'])
        expectError(await tokenOf(admin.key, platform, s.userId), 404, 'integration.unknown_platform');
      expectError(await tokenOf(admin.key, 'discord', s.userId), 404, 'integration.not_linked');
      expectError(await tokenOf(admin.key, 'twitch', randomUUID()), 404, 'integration.not_linked');
    });

    it('answers 409 when no token is kept, or the platform refused it', async () => {
      const s = await streamer();
      const kick = await createLinkedAccount(t.db, s.userId, { platform: 'kick' });
      const bot = await userWith(t.db, ['integrations:read']);
      expectError(await tokenOf(bot.key, 'kick', s.userId), 409, 'integration.no_token');
      await t.platform.services.platformTokens.save(kick, tokens());
      expect((await tokenOf(bot.key, 'kick', s.userId)).status).toBe(200);

      await t
        .db('PlatformToken')
        .where({ platform_account_id: s.twitch })
        .update({ status: 'invalid', invalid_reason: 'invalid_grant', invalid_at: new Date() });
      const refused = await tokenOf(admin.key, 'twitch', s.userId);
      expectError(refused, 409, 'integration.token_invalid');
      expect(JSON.stringify(refused.body)).not.toContain(s.set.accessToken);
      expect(await events('platform_token_issued', s.twitch)).toEqual([]);
    });

    it('answers 404 when the account is unlinked while the token is being handed out', async () => {
      const s = await streamer();
      // Another transaction holds the token's row, as a refresh does; the request waits for it behind the lock.
      const holder = await t.db.transaction();
      await holder('PlatformToken').where({ platform_account_id: s.twitch }).forUpdate().select('status');
      const pending = tokenOf(admin.key, 'twitch', s.userId);
      await waitUntil(async () => {
        const { rows } = await t.db.raw(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      }, 'the token request to wait for the row lock');
      await holder('PlatformAccount').where({ id: s.twitch }).delete();
      await holder.commit();
      expectError(await pending, 404, 'integration.not_linked');
    });

    it('refuses a user_id that is not a UUID, a missing one and unknown parameters, naming them', async () => {
      for (const [query, field] of [
        ['?user_id=42', 'user_id'],
        ['', 'user_id'],
        [`?user_id=${randomUUID()}&as=admin`, ''],
      ]) {
        const res = await call(t.url, 'GET', `/v1/integrations/twitch/token${query}`, { key: admin.key });
        expectError(res, 400, 'request.validation_failed');
        expect(res.body.error.details.fields).toEqual([expect.objectContaining({ in: 'query', field })]);
      }
    });
  });

  describe('any input (property-based): a 4xx with a stable code, never a 5xx', () => {
    /** Path segments that are not ids: UUID look-alikes, text of every kind, bad encodings and traversal. */
    const segment = fc.oneof(
      fc.uuid().map((id) => ({ raw: false, text: id })),
      fc.uuid().map((id) => ({ raw: false, text: `${id.slice(0, -1)}g` })),
      fc.string({ unit: 'grapheme', maxLength: 80 }).map((text) => ({ raw: false, text })),
      fc
        .constantFrom('%ZZ', '%C0%AE', '%', 'a%00b', '..', '%2e%2e', 'x'.repeat(3000), '%ED%A0%80', ' ')
        .map((text) => ({ raw: true, text })),
    );
    const encoded = (s: { raw: boolean; text: string }) => (s.raw ? s.text : encodeURIComponent(s.text));
    let p: Awaited<ReturnType<typeof person>>;
    let bot: string;

    beforeAll(async () => {
      p = await person();
      bot = (await userWith(t.db, ['twitch:read', 'integrations:read'])).key;
    });

    async function expectRefused(
      method: string,
      path: string,
      key: string,
      allowed: readonly string[],
    ): Promise<void> {
      const res = await call(t.url, method, path, { key });
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        status: expect.any(Number),
        code: expect.stringMatching(CODE),
      });
      expect({ path, status: res.status < 500 && res.status >= 400 }).toEqual({ path, status: true });
      expect({ path, code: allowed.includes(res.body.error.code) }).toEqual({ path, code: true });
    }

    const PATH = ['request.validation_failed', 'request.invalid_path', 'route.not_found'];

    it('account ids of your own routes and of the admin route', async () => {
      await fc.assert(
        fc.asyncProperty(segment, async (id) => {
          await expectRefused('DELETE', `/v1/user/accounts/${encoded(id)}`, p.key, [
            ...PATH,
            'linked_account.not_found',
          ]);
          await expectRefused('PUT', `/v1/user/accounts/${encoded(id)}/primary`, p.key, [
            ...PATH,
            'linked_account.not_found',
          ]);
          await expectRefused('GET', `/v1/users/${encoded(id)}/accounts`, admin.key, [
            ...PATH,
            'user.not_found',
          ]);
        }),
        { numRuns: 60, seed: 20261204 },
      );
      expect(await accountsOf(p.userId)).toEqual([p.email, p.twitch, p.discord]);
    });

    it('platforms and user ids of the token route', async () => {
      const known = (...texts: string[]) => fc.constantFrom(...texts).map((text) => ({ raw: false, text }));
      const platform = fc.oneof(segment, known('twitch', 'youtube', 'discord', 'kick', 'trovo', 'steam'));
      // p has linked Twitch and Discord (no token kept), not Kick.
      const userId = fc.oneof(segment, known(p.userId));
      await fc.assert(
        fc.asyncProperty(platform, userId, async (name, user) => {
          await expectRefused(
            'GET',
            `/v1/integrations/${encoded(name)}/token?user_id=${encodeURIComponent(user.text)}`,
            bot,
            [
              ...PATH,
              'integration.unknown_platform',
              'integration.not_linked',
              'integration.no_token',
              // The bot holds twitch:read and integrations:read (Kick, Trovo, GitHub), not Discord's or YouTube's.
              'auth.forbidden',
            ],
          );
        }),
        { numRuns: 100, seed: 20261204 },
      );
    });
  });
});
