import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, PlatformBot } from '../../bots/core/index.js';
import {
  createTwitchBot,
  twitchBotConfigSchema,
  type TwitchBotConfigInput,
} from '../../bots/twitch/index.js';
import { createHeimdallClient, type HeimdallClient } from '../../sdk/rest/index.js';
import { startFakeTwitch, type FakeTwitch } from '../support/fake-twitch/index.js';
import { createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { userWith, waitUntil } from '../support/realtime.js';

/**
 * The Twitch adapter against a fake Twitch on loopback (chat's IRC over WebSocket, Helix, EventSub over
 * WebSocket) and a running Heimdall that hands out the bot account's and the channel owner's Twitch tokens.
 */

const CLIENT_ID = 'fake-client-id';
const BOT = { id: '1001', login: 'heimdallbot', display_name: 'HeimdallBot' };
const STREAMER = { id: '2001', login: 'streamer', display_name: 'Streamer' };
const VIEWER = { id: '3001', login: 'viewer', display_name: 'Viewer Ü; \\ x' };
const TROLL = { id: '3002', login: 'troll', display_name: 'Troll' };

describe('the Twitch adapter', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let fake: FakeTwitch;
  let bot: PlatformBot;
  let ownerUserId: string;
  const messages: IncomingMessage[] = [];
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const errors: string[] = [];

  /** A Heimdall user with a linked Twitch account (the given Twitch id) whose token Heimdall stores. */
  async function twitchPerson(
    twitchId: string,
    accessToken: string,
  ): Promise<{ userId: string; account: string }> {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const account = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
    await t.db('PlatformAccount').where({ id: account }).update({ platform_user_id: twitchId });
    await saveToken(account, accessToken);
    return { userId, account };
  }
  const saveToken = (account: string, accessToken: string) =>
    t.platform.services.platformTokens.save(account, {
      accessToken,
      refreshToken: `${accessToken}-refresh`,
      expiresAt: new Date(Date.now() + 86_400_000),
      scopes: ['chat:read', 'chat:edit', 'moderator:manage:banned_users'],
      tokenType: 'bearer',
    });
  let ownerAccount: string;
  let botAccount: string;
  let heimdall: HeimdallClient;
  let baseConfig: Omit<TwitchBotConfigInput, 'channels'>;

  beforeAll(async () => {
    fake = await startFakeTwitch({
      clientId: CLIENT_ID,
      users: [BOT, STREAMER, VIEWER, TROLL],
      tokens: { 'bot-token': BOT.id, 'owner-token': STREAMER.id },
      keepaliveTimeoutSeconds: 1,
    });
    const botPerson = await twitchPerson(BOT.id, 'bot-token');
    const owner = await twitchPerson(STREAMER.id, 'owner-token');
    ownerUserId = owner.userId;
    ownerAccount = owner.account;
    botAccount = botPerson.account;
    const credential = await userWith(t.db, ['twitch:read']);
    heimdall = createHeimdallClient({ baseUrl: t.url, auth: { apiKey: credential.key } });
    baseConfig = {
      client_id: CLIENT_ID,
      bot_user_id: botPerson.userId,
      chat_url: fake.ircUrl,
      helix_url: fake.helixUrl,
      eventsub_url: fake.eventsubUrl,
    };
    bot = createTwitchBot({
      client: heimdall,
      config: twitchBotConfigSchema.parse({
        ...baseConfig,
        channels: [{ login: '#Streamer', owner_user_id: owner.userId }],
      }),
      backoff: { initialMs: 20, maxMs: 200 },
      onError: (err, context) => errors.push(`${context}: ${String(err)}`),
    });
    await bot.start({
      commands: [],
      onMessage: (message) => messages.push(message),
      onEvent: (type, data) => events.push({ type, data }),
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
  });

  /** The next message the bot hands on after `say`. */
  async function said(user: string, text: string): Promise<{ id: string; message: IncomingMessage }> {
    const before = messages.length;
    const id = fake.say('streamer', user, text);
    await waitUntil(() => messages.length > before, `the message "${text}"`);
    return { id, message: messages.at(-1)! };
  }

  it('logs in to chat with the bot account and subscribes with the owner token', () => {
    expect(bot.botId()).toBe(BOT.id);
    expect(bot.connected()).toBe(true);
    expect(fake.chatLogins).toEqual([{ nick: 'heimdallbot', token: 'bot-token', accepted: true }]);
    expect(fake.joined('streamer')).toBe(1);
    expect(fake.subscriptions.map((s) => [s.type, s.condition, s.token, s.userId, s.status])).toEqual([
      ['stream.online', { broadcaster_user_id: STREAMER.id }, 'owner-token', STREAMER.id, 'enabled'],
      ['stream.offline', { broadcaster_user_id: STREAMER.id }, 'owner-token', STREAMER.id, 'enabled'],
    ]);
  });

  it("refuses to start for a channel that is not its owner's", async () => {
    const other = createTwitchBot({
      client: heimdall,
      config: twitchBotConfigSchema.parse({
        ...baseConfig,
        channels: [{ login: 'viewer', owner_user_id: ownerUserId }],
      }),
    });
    await expect(other.start({ commands: [], onMessage: () => undefined })).rejects.toThrow(
      /channel viewer is not the linked Twitch account of its owner .* \(that is streamer\)/,
    );
    expect(other.connected()).toBe(false);
  });

  it('hands on a chat message and replies to it', async () => {
    const { id, message } = await said('viewer', '!warn @troll spam; \\ really');
    expect(message).toMatchObject({
      platform: 'twitch',
      communityId: STREAMER.id,
      authorId: VIEWER.id,
      authorName: VIEWER.display_name,
      text: '!warn @troll spam; \\ really',
    });
    await message.reply('Warned Troll.\r\nPRIVMSG #streamer :sneaky');
    await waitUntil(() => fake.botMessages.length > 0, 'the reply');
    expect(fake.botMessages).toEqual([
      {
        channel: 'streamer',
        text: 'Warned Troll.  PRIVMSG #streamer :sneaky',
        userId: BOT.id,
        replyParentMsgId: id,
      },
    ]);
  });

  it("ignores the bot's own messages", async () => {
    fake.say('streamer', 'heimdallbot', 'I said this');
    const { message } = await said('viewer', 'after');
    expect(message.text).toBe('after');
    expect(messages.map((m) => m.text)).not.toContain('I said this');
  });

  it('resolves a mention with Helix', async () => {
    await expect(bot.adapter.resolveMention('@Viewer', messages[0]!)).resolves.toEqual({
      id: VIEWER.id,
      name: VIEWER.display_name,
    });
    await expect(bot.adapter.resolveMention('troll', messages[0]!)).resolves.toEqual({
      id: TROLL.id,
      name: 'Troll',
    });
    await expect(bot.adapter.resolveMention('@nobody', messages[0]!)).resolves.toBeUndefined();
    await expect(bot.adapter.resolveMention('<@123>', messages[0]!)).resolves.toBeUndefined();
  });

  it("times out and bans through Helix with the owner's token", async () => {
    const moderator = bot.adapter.moderator!;
    expect(moderator.actions).toEqual(['timeout', 'ban']);
    const troll = { id: TROLL.id, name: 'Troll' };
    await moderator.moderate(STREAMER.id, 'timeout', troll, { durationMs: 600_000, reason: 'spam' });
    await moderator.moderate(STREAMER.id, 'ban', troll, { reason: 'again' });
    expect(fake.bans).toEqual([
      {
        broadcasterId: STREAMER.id,
        moderatorId: STREAMER.id,
        userId: TROLL.id,
        duration: 600,
        reason: 'spam',
        token: 'owner-token',
      },
      {
        broadcasterId: STREAMER.id,
        moderatorId: STREAMER.id,
        userId: TROLL.id,
        reason: 'again',
        token: 'owner-token',
      },
    ]);
  });

  it('refuses what Twitch does not take, before asking it', async () => {
    const moderator = bot.adapter.moderator!;
    const troll = { id: TROLL.id, name: 'Troll' };
    await expect(
      moderator.moderate(STREAMER.id, 'timeout', troll, { durationMs: 15 * 86_400_000 }),
    ).rejects.toThrow(/1 second to 1209600 seconds \(14 days\)/);
    await expect(moderator.moderate(STREAMER.id, 'timeout', troll, {})).rejects.toThrow(/needs a duration/);
    await expect(moderator.moderate(STREAMER.id, 'kick', troll, {})).rejects.toThrow(/no kick/);
    await expect(moderator.moderate('999', 'ban', troll, {})).rejects.toThrow(/not configured/);
    expect(fake.bans).toHaveLength(2);
  });

  it('asks Heimdall again for a token Twitch refuses', async () => {
    fake.addToken('owner-token-2', STREAMER.id);
    await saveToken(ownerAccount, 'owner-token-2');
    fake.revokeToken('owner-token');
    await bot.adapter.moderator!.moderate(STREAMER.id, 'ban', { id: VIEWER.id, name: 'v' }, { reason: 'r' });
    expect(fake.bans.at(-1)).toMatchObject({ userId: VIEWER.id, token: 'owner-token-2' });
    expect(ownerUserId).toBeDefined();
  });

  it('turns stream.online and stream.offline into events', async () => {
    expect(fake.streamOnline(STREAMER.id)).toBe(1);
    await waitUntil(() => events.length === 1, 'stream_online');
    expect(fake.streamOffline(STREAMER.id)).toBe(1);
    await waitUntil(() => events.length === 2, 'stream_offline');
    expect(events[0]).toEqual({
      type: 'stream_online',
      data: { broadcaster_id: STREAMER.id, broadcaster_login: 'streamer', started_at: expect.any(String) },
    });
    expect(events[1]).toEqual({
      type: 'stream_offline',
      data: { broadcaster_id: STREAMER.id, broadcaster_login: 'streamer' },
    });
  });

  it('reconnects to chat after RECONNECT and after a dropped socket', async () => {
    fake.reconnectChat();
    await waitUntil(() => fake.chatLogins.length === 2 && bot.connected(), 'a second chat login');
    expect((await said('viewer', 'after RECONNECT')).message.text).toBe('after RECONNECT');

    fake.dropChat();
    await waitUntil(() => !bot.connected(), 'the bot to notice');
    await waitUntil(() => fake.chatLogins.length === 3 && bot.connected(), 'a third chat login');
    expect((await said('viewer', 'after the drop')).message.text).toBe('after the drop');
    expect(fake.joined('streamer')).toBe(1);
    expect(fake.chatLogins.every((l) => l.accepted && l.token === 'bot-token')).toBe(true);
  });

  it('logs in to chat again with a new token from Heimdall when Twitch refuses the old one', async () => {
    fake.addToken('bot-token-2', BOT.id);
    await saveToken(botAccount, 'bot-token-2');
    fake.revokeToken('bot-token');
    const logins = fake.chatLogins.length;
    fake.dropChat();
    await waitUntil(
      () => bot.connected() && fake.chatLogins.length > logins + 1,
      'a login with the new token',
    );
    expect(fake.chatLogins.slice(logins)).toEqual([
      { nick: 'heimdallbot', token: 'bot-token', accepted: false },
      { nick: 'heimdallbot', token: 'bot-token-2', accepted: true },
    ]);
    expect(errors).toContainEqual(expect.stringMatching(/Login authentication failed/));
    expect((await said('viewer', 'with the new token')).message.text).toBe('with the new token');
  });

  it('follows session_reconnect, keeping its subscriptions', async () => {
    const subscriptions = fake.subscriptions.length;
    const connections = fake.eventsubConnections();
    expect(fake.reconnectEventSub()).toBe(1);
    await waitUntil(
      () => fake.eventsubConnections() === connections + 1 && fake.eventsubSockets() === 1,
      'the new EventSub connection, and the old one closed',
    );
    expect(fake.subscriptions).toHaveLength(subscriptions);
    expect(fake.subscriptions.every((s) => s.status === 'enabled')).toBe(true);
    const before = events.length;
    expect(fake.streamOnline(STREAMER.id)).toBe(1);
    await waitUntil(() => events.length === before + 1, 'stream_online on the new connection');
    expect(bot.connected()).toBe(true);
  });

  it('starts a new session and subscribes again when keepalives stop', async () => {
    const enabled = () => fake.subscriptions.filter((s) => s.status === 'enabled');
    const old = enabled().map((s) => s.sessionId);
    fake.stopKeepalives();
    await waitUntil(
      () => enabled().length === 2 && !old.includes(enabled()[0]!.sessionId) && bot.connected(),
      'subscriptions on a new session',
    );
    expect(enabled().map((s) => s.token)).toEqual(['owner-token-2', 'owner-token-2']);
    expect(errors).toContainEqual(expect.stringMatching(/EventSub went silent/));
    const before = events.length;
    expect(fake.streamOffline(STREAMER.id)).toBe(1);
    await waitUntil(() => events.length === before + 1, 'stream_offline on the new session');
  });
});
