import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

/** Warnings a bot's moderators give: kept per platform and community, gated by the platform's permission. */
describe('/v1/bots/{platform}/warnings', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let bot: string;
  let moderatorId: string;

  beforeAll(async () => {
    bot = (await createKey(t.db, { roleIds: ['role_moderator'], isSystem: true })).key;
    moderatorId = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
  });

  const warn = (platform: string, body: unknown, key = bot) =>
    call(t.url, 'POST', `/v1/bots/${platform}/warnings`, { key, body });
  const list = (platform: string, query: Record<string, string>, key = bot) =>
    call(t.url, 'GET', `/v1/bots/${platform}/warnings?${new URLSearchParams(query)}`, { key });

  it('keeps a warning, lists it newest first per member, records it and takes it back', async () => {
    const guild = uniqueName('guild');
    const first = await warn('discord', {
      community_id: guild,
      member: { id: '1001', name: 'Troll' },
      reason: 'spam',
      moderator: { platform_id: '2002', user_id: moderatorId },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      platform: 'discord',
      community_id: guild,
      member_platform_id: '1001',
      member_name: 'Troll',
      reason: 'spam',
      moderator_platform_id: '2002',
      moderator_user_id: moderatorId,
    });
    const second = await warn('discord', {
      community_id: guild,
      member: { id: '1001', name: 'Troll' },
      moderator: { platform_id: '2002' },
    });
    await warn('discord', {
      community_id: guild,
      member: { id: '1002', name: 'Other' },
      moderator: { platform_id: '2002' },
    });

    const mine = await list('discord', { community_id: guild, member_id: '1001' });
    expect(mine.status).toBe(200);
    expect(mine.body.data.map((w: { id: string }) => w.id)).toEqual([second.body.id, first.body.id]);
    expect(mine.body.pagination).toEqual({ page: 1, per_page: 25, total: 2 });
    expect((await list('discord', { community_id: guild })).body.pagination.total).toBe(3);
    // Another platform's community of the same id is another community.
    expect((await list('twitch', { community_id: guild })).body.data).toEqual([]);

    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where({ event_type: 'bot_moderation_action', resource_id: guild })
      .orderBy('created_at');
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({
      source_service: 'discord_bot',
      resource_type: 'discord_community',
      user_id: moderatorId,
      metadata: { action: 'warn', warning_id: first.body.id, member_platform_id: '1001', reason: 'spam' },
    });

    const removed = await call(t.url, 'DELETE', `/v1/bots/discord/warnings/${first.body.id}`, { key: bot });
    expect(removed.status).toBe(204);
    expect((await list('discord', { community_id: guild, member_id: '1001' })).body.data).toHaveLength(1);
    const again = await call(t.url, 'DELETE', `/v1/bots/discord/warnings/${first.body.id}`, { key: bot });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('bot_warning.not_found');
    // A warning is taken back on its own platform only.
    const elsewhere = await call(t.url, 'DELETE', `/v1/bots/twitch/warnings/${second.body.id}`, { key: bot });
    expect(elsewhere.status).toBe(404);
  });

  it("keeps the moderator's platform id when their Heimdall user is unknown", async () => {
    const res = await warn('youtube', {
      community_id: 'UCchannel',
      member: { id: 'UCmember', name: 'Viewer' },
      moderator: { platform_id: 'UCmod', user_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ moderator_user_id: null, moderator_platform_id: 'UCmod' });
  });

  it("refuses a credential without the platform's permission, and unknown platforms", async () => {
    const member = (await createKey(t.db, { roleIds: ['role_user'], isSystem: true })).key;
    const body = { community_id: 'g', member: { id: '1', name: 'x' }, moderator: { platform_id: '2' } };
    const refused = await warn('discord', body, member);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('auth.forbidden');
    expect((await list('twitch', { community_id: 'g' }, member)).status).toBe(403);
    const unknown = await warn('kick', body);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('request.validation_failed');
  });

  it('answers any malformed body with a validation error and stores nothing', async () => {
    const guild = uniqueName('fuzz');
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            community_id: fc.oneof(
              fc.constant(guild),
              fc.constant(''),
              fc.integer(),
              fc.string({ maxLength: 120 }),
            ),
            member: fc.oneof(
              fc.record({ id: fc.string({ maxLength: 120 }), name: fc.string({ maxLength: 120 }) }),
              fc.constant(null),
            ),
            reason: fc.oneof(fc.string({ maxLength: 600 }), fc.constant(42)),
            moderator: fc.oneof(fc.record({ platform_id: fc.constant('') }), fc.constant('me')),
          },
          { requiredKeys: [] },
        ),
        async (body) => {
          const res = await warn('discord', body);
          expect(res.status).toBe(400);
          expect(res.body.error.code).toBe('request.validation_failed');
        },
      ),
      { numRuns: 40 },
    );
    expect(await t.db('BotWarning').where({ community_id: guild })).toEqual([]);
  });
});
