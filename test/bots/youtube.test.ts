/* eslint-disable @typescript-eslint/no-explicit-any -- audit rows are asserted field by field */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostConfigSchema } from '../../bots/host/config.js';
import { PLATFORM_FACTORIES } from '../../bots/host/platforms.js';
import { botCredentialPermissions } from '../../bots/host/credential.js';
import { startBotHost, type RunningBotHost } from '../../bots/host/run.js';
import { startFakeYouTube, type ChatAuthor, type FakeYouTube } from '../support/fake-youtube/index.js';
import { createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { createRoleWith, userWith, waitUntil } from '../support/realtime.js';

/**
 * The YouTube bot end to end: Heimdall, the bot host as `heimdall bot youtube` builds it, and a fake YouTube Data
 * API. Chat authors are YouTube channels; Heimdall finds their person through the channel of their linked Google
 * account. Moderation uses the channel owner's token.
 */
const channel = () => `UC${randomUUID().replaceAll('-', '').slice(0, 22)}`;
const author = (name: string): ChatAuthor => ({ channelId: channel(), displayName: `@${name}` });

describe('the YouTube bot against Heimdall and a fake YouTube', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, ['api', 'realtime']);
  let youtube: FakeYouTube;
  let host: RunningBotHost;
  const owner = { channelId: channel(), chat: `chat-${randomUUID()}` };
  const mod = { ...author('Moddy'), isChatModerator: true };
  /** Holds Heimdall's chat permissions but does not moderate this chat on YouTube. */
  const outsider = author('Outsider');
  const viewer = author('Viewer');
  const stranger = author('Stranger');
  const troll = author('Troll');
  const users: Record<string, string> = {};

  /** A Heimdall user with a linked Google account whose YouTube channel is `channelId`. */
  async function linkedAs(channelId: string, roleIds: string[]) {
    const userId = await createUser(t.db, { roleIds });
    const account = await createLinkedAccount(t.db, userId, { platform: 'google' });
    await t.db('PlatformAccount').where({ id: account }).update({ youtube_channel_id: channelId });
    users[channelId] = userId;
    return { userId, account };
  }

  /** A chat line, and the bot's next message (YouTube has no replies: the bot writes in the chat). */
  async function say(who: ChatAuthor, text: string): Promise<string> {
    const before = youtube.botMessages.length;
    youtube.say(owner.chat, who, text);
    await waitUntil(() => youtube.botMessages.length > before, `the answer to "${text}"`);
    return youtube.botMessages[before]!.text;
  }

  const audit = async (where: Record<string, unknown>) => {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where(where).orderBy('created_at') as Promise<any[]>;
  };

  beforeAll(async () => {
    youtube = await startFakeYouTube({ pollingIntervalMillis: 100 });
    const streamer = await linkedAs(owner.channelId, ['role_user']);
    const token = `ya29.${randomUUID()}`;
    await t.platform.services.platformTokens.save(streamer.account, {
      accessToken: token,
      refreshToken: `refresh-${randomUUID()}`,
      expiresAt: new Date(Date.now() + 3_600_000),
      scopes: ['https://www.googleapis.com/auth/youtube.force-ssl'],
      tokenType: 'Bearer',
    });
    youtube.setToken(token, owner.channelId);
    youtube.goLive(owner.channelId, owner.chat);
    const moderators = await createRoleWith(t.db, [
      'youtube:chat.warn',
      'youtube:chat.timeout',
      'youtube:chat.ban',
      'youtube:edit',
    ]);
    await linkedAs(mod.channelId, ['role_user', moderators]);
    await linkedAs(outsider.channelId, ['role_user', moderators]);
    await linkedAs(viewer.channelId, ['role_user']);
    const botKey = (await userWith(t.db, botCredentialPermissions('youtube'))).key;
    host = await startBotHost({
      platform: 'youtube',
      host: hostConfigSchema.parse({ heimdall: { url: t.url }, health: { port: 0 } }),
      env: { HEIMDALL_BOT_API_KEY: botKey },
      createBot: (client, onError) =>
        PLATFORM_FACTORIES.youtube(
          {
            youtube: {
              api_url: youtube.url,
              channels: [{ owner_user_id: streamer.userId }],
              discovery_interval_seconds: 0.1,
            },
          },
          client,
          onError,
        ),
      log: () => undefined,
    });
    await waitUntil(() => youtube.listCalls(owner.chat).length > 0 && host.bot.connected(), 'polling');
  });
  afterAll(async () => {
    await host?.stop();
    await youtube?.close();
  });

  it('lets a permitted moderator warn, time out and ban with the owner token, audited', async () => {
    // A mention names someone the bot has seen in the chat.
    youtube.say(owner.chat, troll, 'FIRST!!!');
    expect(await say(mod, '!warn @Troll caps')).toBe(
      'Warned @Troll (reason: caps). They have 1 warning(s) here.',
    );
    expect(await say(mod, '!timeout @Troll 5m')).toBe('Timed out @Troll for 5m.');
    expect(await say(mod, '!ban @Troll spam')).toBe('Banned @Troll (reason: spam).');
    expect(youtube.bans.map((b) => [b.channelId, b.type, b.banDurationSeconds, b.by])).toEqual([
      [troll.channelId, 'temporary', 300, owner.channelId],
      [troll.channelId, 'permanent', undefined, owner.channelId],
    ]);
    const actions = await audit({ event_type: 'bot_moderation_action', resource_id: owner.channelId });
    expect(actions.map((e) => [e.metadata.action, e.user_id, e.source_service])).toEqual([
      ['warn', users[mod.channelId], 'youtube_bot'],
      ['timeout', users[mod.channelId], 'youtube_bot'],
      ['ban', users[mod.channelId], 'youtube_bot'],
    ]);
  });

  it('refuses a viewer without the permission in German, and tells a stranger how to link', async () => {
    expect(await say(mod, '!settings language de')).toBe('Settings changed: language.');
    expect(await say(viewer, '!ban @Troll')).toBe('Du darfst ban nicht verwenden.');
    expect(await say(stranger, '!warn @Troll')).toBe(
      `Verknüpfe zuerst dein Google (YouTube)-Konto mit Heimdall: ${t.url}/account/accounts`,
    );
    expect(youtube.bans).toHaveLength(2);
    expect(await say(outsider, '!ban @Troll')).toBe(
      'Du kannst ban hier nicht verwenden: YouTube gibt dir dieses Recht in dieser Community nicht.',
    );
    expect(youtube.bans).toHaveLength(2);
  });
});
