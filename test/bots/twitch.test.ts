/* eslint-disable @typescript-eslint/no-explicit-any -- audit rows and publications are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostConfigSchema } from '../../bots/host/config.js';
import { PLATFORM_FACTORIES } from '../../bots/host/platforms.js';
import { botCredentialPermissions } from '../../bots/host/credential.js';
import { startBotHost, type RunningBotHost } from '../../bots/host/run.js';
import { RealtimeClient } from '../../sdk/realtime/index.js';
import { startFakeTwitch, type FakeTwitch } from '../support/fake-twitch/index.js';
import { createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { createRoleWith, userWith, waitUntil, wsUrl } from '../support/realtime.js';

/**
 * The Twitch bot end to end: Heimdall, the bot host as `heimdall bot twitch` builds it, and a fake Twitch (chat
 * over IRC-on-WebSocket, Helix, EventSub). Moderation goes through Helix with the streamer's token from Heimdall;
 * stream events reach the bot's realtime channel.
 */
const CLIENT_ID = 'fake-client-id';
const BOT = { id: '1001', login: 'heimdallbot', display_name: 'HeimdallBot' };
const STREAMER = { id: '2001', login: 'streamer', display_name: 'Streamer' };
const MOD = { id: '3001', login: 'moddy', display_name: 'Moddy', moderates: ['streamer'] };
/** Holds Heimdall's chat permissions but does not moderate this chat on Twitch. */
const OUTSIDER = { id: '3005', login: 'outsider', display_name: 'Outsider' };
const VIEWER = { id: '3002', login: 'viewer', display_name: 'Viewer' };
const STRANGER = { id: '3003', login: 'stranger', display_name: 'Stranger' };
const TROLL = { id: '3004', login: 'troll', display_name: 'Troll' };

describe('the Twitch bot against Heimdall and a fake Twitch', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, ['api', 'realtime']);
  let twitch: FakeTwitch;
  let host: RunningBotHost;
  let botKey: string;
  const users: Record<string, string> = {};

  /** A Heimdall user whose linked Twitch account is `twitchId`, with a stored token when given. */
  async function linkedAs(twitchId: string, roleIds: string[], token?: string) {
    const userId = await createUser(t.db, { roleIds });
    const account = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
    await t.db('PlatformAccount').where({ id: account }).update({ platform_user_id: twitchId });
    if (token) {
      await t.platform.services.platformTokens.save(account, {
        accessToken: token,
        refreshToken: `${token}-refresh`,
        expiresAt: new Date(Date.now() + 86_400_000),
        scopes: ['chat:read', 'chat:edit', 'moderator:manage:banned_users'],
        tokenType: 'bearer',
      });
    }
    users[twitchId] = userId;
    return userId;
  }

  /** A chat line in the streamer's channel, and the bot's reply to it. */
  async function say(login: string, text: string): Promise<string> {
    const id = twitch.say('streamer', login, text);
    await waitUntil(() => twitch.botMessages.some((m) => m.replyParentMsgId === id), `a reply to "${text}"`);
    return twitch.botMessages.find((m) => m.replyParentMsgId === id)!.text;
  }

  const audit = async (where: Record<string, unknown>) => {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where(where).orderBy('created_at') as Promise<any[]>;
  };

  beforeAll(async () => {
    twitch = await startFakeTwitch({
      clientId: CLIENT_ID,
      users: [BOT, STREAMER, MOD, VIEWER, STRANGER, TROLL, OUTSIDER],
      tokens: { 'bot-token': BOT.id, 'owner-token': STREAMER.id },
    });
    const botUser = await linkedAs(BOT.id, ['role_user'], 'bot-token');
    const owner = await linkedAs(STREAMER.id, ['role_user'], 'owner-token');
    const moderators = await createRoleWith(t.db, [
      'twitch:chat.warn',
      'twitch:chat.timeout',
      'twitch:chat.ban',
      'twitch:edit',
    ]);
    await linkedAs(MOD.id, ['role_user', moderators]);
    await linkedAs(OUTSIDER.id, ['role_user', moderators]);
    await linkedAs(VIEWER.id, ['role_user']);
    botKey = (await userWith(t.db, botCredentialPermissions('twitch'))).key;
    host = await startBotHost({
      platform: 'twitch',
      host: hostConfigSchema.parse({ heimdall: { url: t.url }, health: { port: 0 } }),
      env: { HEIMDALL_BOT_API_KEY: botKey },
      createBot: (client, onError) =>
        PLATFORM_FACTORIES.twitch(
          {
            twitch: {
              client_id: CLIENT_ID,
              bot_user_id: botUser,
              channels: [{ login: 'streamer', owner_user_id: owner }],
              chat_url: twitch.ircUrl,
              helix_url: twitch.helixUrl,
              eventsub_url: twitch.eventsubUrl,
            },
          },
          client,
          onError,
        ),
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await host?.stop();
    await twitch?.close();
  });

  it('lets a permitted moderator warn, time out and ban through Helix with the streamer token, audited', async () => {
    expect(await say('moddy', '!warn @troll caps')).toBe(
      'Warned Troll (reason: caps). They have 1 warning(s) here.',
    );
    expect(await say('moddy', '!timeout @troll 10m calm down')).toBe(
      'Timed out Troll for 10m (reason: calm down).',
    );
    expect(await say('moddy', '!ban troll')).toBe('Banned Troll.');
    // Twitch has no kick: the command is not there, and in a chat other bots share it goes unanswered.
    const kick = twitch.say('streamer', 'moddy', '!kick @troll');
    expect(await say('moddy', '!warnings @troll')).toMatch(/^Troll has 1 warning/);
    expect(twitch.botMessages.some((m) => m.replyParentMsgId === kick)).toBe(false);
    expect(twitch.bans.map((b) => [b.userId, b.duration, b.token, b.moderatorId])).toEqual([
      [TROLL.id, 600, 'owner-token', STREAMER.id],
      [TROLL.id, undefined, 'owner-token', STREAMER.id],
    ]);
    const actions = await audit({ event_type: 'bot_moderation_action', resource_id: STREAMER.id });
    expect(actions.map((e) => [e.metadata.action, e.user_id, e.source_service])).toEqual([
      ['warn', users[MOD.id], 'twitch_bot'],
      ['timeout', users[MOD.id], 'twitch_bot'],
      ['ban', users[MOD.id], 'twitch_bot'],
    ]);
  });

  it('refuses a viewer without the permission in German, and tells a stranger how to link', async () => {
    expect(await say('moddy', '!settings language de')).toBe('Settings changed: language.');
    expect(await say('viewer', '!ban @troll')).toBe('Du darfst ban nicht verwenden.');
    expect(await say('stranger', '!timeout @troll 1m')).toBe(
      `Verknüpfe zuerst dein Twitch-Konto mit Heimdall: ${t.url}/account/accounts`,
    );
    expect(twitch.bans).toHaveLength(2);
  });

  it("refuses a Heimdall moderator who does not moderate this chat on Twitch: the owner's token is not theirs", async () => {
    expect(await say('outsider', '!ban @troll')).toBe(
      'Du kannst ban hier nicht verwenden: Twitch gibt dir dieses Recht in dieser Community nicht.',
    );
    expect(twitch.bans).toHaveLength(2);
    const [refused] = (await audit({ event_type: 'bot_moderation_action', resource_id: STREAMER.id })).filter(
      (e) => e.status === 'failure',
    );
    expect(refused).toMatchObject({ user_id: users[OUTSIDER.id], metadata: { action: 'ban' } });
  });

  it("publishes the stream going online and offline on the bot's channel", async () => {
    const seen: any[] = [];
    const watcher = new RealtimeClient({ url: wsUrl(t.url), token: botKey });
    await watcher.connect();
    await watcher.subscribe(`bot:twitch:${BOT.id}`, {
      publication: ({ payload }) =>
        seen.push({ type: payload.bot!.type, ...JSON.parse(payload.bot!.dataJson!) }),
    });
    expect(twitch.streamOnline(STREAMER.id)).toBe(1);
    expect(twitch.streamOffline(STREAMER.id)).toBe(1);
    await waitUntil(() => seen.length === 2, 'two stream events');
    expect(seen).toMatchObject([
      { type: 'stream_online', broadcaster_id: STREAMER.id },
      { type: 'stream_offline', broadcaster_id: STREAMER.id },
    ]);
    await watcher.close();
  });

  it('survives a dropped chat connection', async () => {
    // Chat keeps nothing for a connection that is gone: the bot logs in again and rejoins.
    const logins = twitch.chatLogins.length;
    twitch.dropChat();
    await waitUntil(
      () => twitch.chatLogins.length > logins && twitch.joined('streamer') === 1 && host.bot.connected(),
      'the chat rejoined',
      10_000,
    );
    expect(await say('moddy', '!warnings @troll')).toMatch(
      /^Troll hat hier 1 Verwarnung\(en\): \d{4}-\d\d-\d\d caps$/,
    );
  });
});
