import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { call, createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * A bot asks whether the person behind a platform message may run a command: through the Heimdall account they
 * linked, decided as for any credential of theirs.
 */
describe('GET /v1/integrations/{platform}/check', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let bot: string;

  const ask = (platform: string, platformUserId: string, permission: string, key = bot) =>
    call(
      t.url,
      'GET',
      `/v1/integrations/${encodeURIComponent(platform)}/check?${new URLSearchParams({ platform_user_id: platformUserId, permission })}`,
      { key },
    );

  /** A user with the given roles and a Discord account; answers the user and their Discord id. */
  async function discordUser(roleIds: string[], twoFactor = false) {
    const userId = await createUser(t.db, { roleIds, twoFactor });
    const accountId = await createLinkedAccount(t.db, userId, { platform: 'discord' });
    const { platform_user_id } = await t.db('PlatformAccount').where({ id: accountId }).first();
    return { userId, discordId: platform_user_id as string };
  }

  beforeAll(async () => {
    // The Discord bot's key: the Moderator role holds discord:read.
    bot = (await createKey(t.db, { roleIds: ['role_moderator'], isSystem: true })).key;
  });

  it('allows a linked moderator, refuses a linked member, and says when nobody is linked', async () => {
    // The Moderator role requires 2FA: a moderator who never set it up may not moderate anywhere.
    const moderator = await discordUser(['role_moderator'], true);
    const member = await discordUser(['role_user']);
    const careless = await discordUser(['role_moderator']);
    expect((await ask('discord', careless.discordId, 'discord:guild.warn')).body).toMatchObject({
      allowed: false,
      reason: 'two_factor_missing',
    });

    const allowed = await ask('discord', moderator.discordId, 'discord:guild.warn');
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({
      platform: 'discord',
      platform_user_id: moderator.discordId,
      permission: 'discord:guild.warn',
      linked: true,
      user_id: moderator.userId,
      allowed: true,
      two_factor_session_required: true,
      reason: 'granted',
    });

    expect((await ask('discord', member.discordId, 'discord:guild.warn')).body).toMatchObject({
      linked: true,
      user_id: member.userId,
      allowed: false,
      reason: 'permission_missing',
    });
    expect((await ask('discord', '123456789012345678', 'discord:guild.warn')).body).toEqual({
      platform: 'discord',
      platform_user_id: '123456789012345678',
      permission: 'discord:guild.warn',
      linked: false,
      user_id: null,
      username: null,
      allowed: false,
      two_factor_session_required: false,
      reason: 'not_linked',
    });
  });

  it('refuses a banned person, and the same person on another platform is somebody else', async () => {
    const moderator = await discordUser(['role_moderator'], true);
    await t.db('UserBan').insert({ user_id: moderator.userId, reason: 'spam', banned_by: 'test' });
    expect((await ask('discord', moderator.discordId, 'discord:guild.warn')).body).toMatchObject({
      linked: true,
      allowed: false,
      reason: 'account_banned',
    });
    // A Twitch account with the same id is nobody's.
    const admin = (await createKey(t.db, { roleIds: ['role_admin'], isSystem: true })).key;
    expect((await ask('twitch', moderator.discordId, 'discord:guild.warn', admin)).body.linked).toBe(false);
  });

  it("needs the platform's permission, a known platform and a permission name", async () => {
    const member = await discordUser(['role_user']);
    const plain = (await createKey(t.db, { roleIds: ['role_user'], isSystem: true })).key;
    expect(await ask('discord', member.discordId, 'discord:guild.warn', plain)).toMatchObject({
      status: 403,
      body: { error: { code: 'auth.forbidden' } },
    });
    // The Moderator role has no twitch:read.
    expect((await ask('twitch', '42', 'twitch:read')).status).toBe(403);
    expect(await ask('myspace', '42', 'discord:guild.warn')).toMatchObject({
      status: 404,
      body: { error: { code: 'integration.unknown_platform' } },
    });
    expect((await ask('discord', member.discordId, 'not a permission')).status).toBe(400);
  });

  it('answers any input with a result or a 4xx with a stable code, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 60 }),
        async (platform, id, permission) => {
          const res = await ask(platform || 'discord', id, permission);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(res.body.error.code).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
        },
      ),
      { numRuns: 60 },
    );
  });
});
