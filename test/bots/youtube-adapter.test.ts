import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, PlatformBot } from '../../bots/core/index.js';
import { createYouTubeBot } from '../../bots/youtube/index.js';
import { createHeimdallClient, type HeimdallClient } from '../../sdk/rest/index.js';
import { startFakeYouTube, type ChatAuthor, type FakeYouTube } from '../support/fake-youtube/index.js';
import { createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { userWith } from '../support/realtime.js';
import { waitUntil } from '../support/wait.js';

/**
 * The YouTube adapter against a fake YouTube Data API on loopback and a running Heimdall, which hands the bot
 * each channel owner's Google token (stored as a linked account's platform token, as linking Google for bots
 * stores it).
 */
const INTERVAL = 200;
const BACKOFF = 300;

describe('the YouTube adapter', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let youtube: FakeYouTube;
  let client: HeimdallClient;
  let bot: PlatformBot | undefined;

  beforeAll(async () => {
    youtube = await startFakeYouTube({ pollingIntervalMillis: INTERVAL });
    client = createHeimdallClient({
      baseUrl: t.url,
      auth: { apiKey: (await userWith(t.db, ['youtube:read'])).key },
    });
  });
  afterEach(async () => {
    await bot?.stop();
    bot = undefined;
  });
  afterAll(() => youtube.close());

  /** A streamer with a linked Google account whose token Heimdall holds, and that token at the fake. */
  async function streamer() {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const account = await createLinkedAccount(t.db, userId, { platform: 'google', primary: true });
    const channelId = `UC${randomUUID().replaceAll('-', '').slice(0, 22)}`;
    const token = await giveToken(account, channelId);
    return { userId, account, channelId, token, chat: `chat-${randomUUID()}` };
  }

  /** Heimdall keeps a new token for the account, and the fake takes it as the channel's. */
  async function giveToken(account: string, channelId: string) {
    const token = `ya29.${randomUUID()}`;
    await t.platform.services.platformTokens.save(account, {
      accessToken: token,
      refreshToken: `refresh-${randomUUID()}`,
      expiresAt: new Date(Date.now() + 3600_000),
      scopes: ['https://www.googleapis.com/auth/youtube.force-ssl'],
      tokenType: 'Bearer',
    });
    youtube.setToken(token, channelId);
    return token;
  }

  async function started(owner: { userId: string }) {
    const messages: IncomingMessage[] = [];
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const errors: string[] = [];
    bot = createYouTubeBot({
      client,
      config: {
        api_url: youtube.url,
        channels: [{ owner_user_id: owner.userId }],
        discovery_interval_seconds: 0.1,
      },
      timing: { backoffMs: BACKOFF, maxBackoffMs: 4 * BACKOFF, minPollMs: 10 },
      onError: (err, context) => errors.push(`${context}: ${String(err)}`),
    });
    await bot.start({
      commands: [],
      onMessage: (message) => messages.push(message),
      onEvent: (type, data) => events.push({ type, data }),
    });
    return { bot, messages, events, errors };
  }

  const viewer = (name = 'Viewer One'): ChatAuthor => ({
    channelId: `UC${randomUUID().replaceAll('-', '').slice(0, 22)}`,
    displayName: `@${name.replaceAll(' ', '')}`,
  });

  const polled = (chat: string, times = 1) =>
    waitUntil(() => youtube.listCalls(chat).length >= times, `${times} polls of ${chat}`);

  it('polls the live chat, skipping its backlog, and hands on messages as IncomingMessage with a reply', async () => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    const fan = viewer();
    youtube.say(s.chat, fan, 'said before the bot came');
    const { bot, messages, events } = await started(s);
    expect(bot.botId()).toBe(s.channelId);
    await polled(s.chat);
    await waitUntil(() => bot.connected(), 'connected');
    expect(events[0]).toEqual({
      type: 'stream_online',
      data: { channel_id: s.channelId, live_chat_id: s.chat },
    });

    youtube.say(s.chat, fan, '!hello there');
    await waitUntil(() => messages.length === 1, 'the message');
    const [message] = messages;
    expect(message).toMatchObject({
      platform: 'youtube',
      communityId: s.channelId,
      authorId: fan.channelId,
      authorName: fan.displayName,
      text: '!hello there',
    });
    await message!.reply('Hello, Viewer!');
    expect(youtube.botMessages).toContainEqual({
      liveChatId: s.chat,
      channelId: s.channelId,
      text: 'Hello, Viewer!',
    });
    // The owner writes in their own chat: that is a command; the bot's own post (as the channel) is not.
    youtube.say(s.chat, { channelId: s.channelId, displayName: '@Owner' }, '!warn @ViewerOne');
    await waitUntil(() => messages.length === 2, "the owner's message");
    await polled(s.chat, youtube.listCalls(s.chat).length + 2);
    expect(messages.map((m) => m.text)).toEqual(['!hello there', '!warn @ViewerOne']);
  });

  it('never polls faster than YouTube advises', async () => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    await started(s);
    await polled(s.chat, 5);
    const calls = youtube.listCalls(s.chat);
    for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!).toBeGreaterThanOrEqual(INTERVAL);
  });

  it('resolves a mention of someone seen in the chat, by display name or channel id', async () => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    const { bot, messages } = await started(s);
    await polled(s.chat);
    const fan = viewer('Night Owl');
    youtube.say(s.chat, fan, 'hi');
    await waitUntil(() => messages.length === 1, 'the message');
    const user = { id: fan.channelId, name: '@NightOwl' };
    const { adapter } = bot;
    expect(await adapter.resolveMention('@NightOwl', messages[0]!)).toEqual(user);
    expect(await adapter.resolveMention('@nightowl', messages[0]!)).toEqual(user);
    expect(await adapter.resolveMention(fan.channelId, messages[0]!)).toEqual(user);
    expect(await adapter.resolveMention('@Nobody', messages[0]!)).toBeUndefined();
    // Another channel's chat has not seen them.
    expect(
      await adapter.resolveMention('@NightOwl', { ...messages[0]!, communityId: 'UCsomeoneelse' }),
    ).toBeUndefined();
  });

  it('times out and bans with the owner token, as liveChatBans takes them', async () => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    const { bot } = await started(s);
    await polled(s.chat);
    const moderator = bot.adapter.moderator!;
    expect(moderator.actions).toEqual(['timeout', 'ban']);
    const target = { id: viewer().channelId, name: '@Troll' };
    await moderator.moderate(s.channelId, 'timeout', target, { durationMs: 90_500 });
    await moderator.moderate(s.channelId, 'ban', target, { reason: 'spam' });
    expect(youtube.bans.filter((b) => b.liveChatId === s.chat)).toEqual([
      {
        liveChatId: s.chat,
        by: s.channelId,
        type: 'temporary',
        banDurationSeconds: 91,
        channelId: target.id,
      },
      { liveChatId: s.chat, by: s.channelId, type: 'permanent', channelId: target.id },
    ]);
    await expect(moderator.moderate(s.channelId, 'kick', target, {})).rejects.toThrow('YouTube has no kick');
  });

  it('waits for a broadcast, and looks again once the chat ends', async () => {
    const s = await streamer();
    const { bot, messages, events } = await started(s);
    await waitUntil(() => bot.connected(), 'connected while discovering');
    await expect(
      bot.adapter.moderator!.moderate(s.channelId, 'ban', { id: 'UCx', name: 'x' }, {}),
    ).rejects.toThrow('not live');

    youtube.goLive(s.channelId, s.chat);
    await polled(s.chat);
    const fan = viewer();
    youtube.say(s.chat, fan, 'first stream');
    await waitUntil(() => messages.length === 1, 'a message in the first stream');

    youtube.endChat(s.chat);
    await waitUntil(() => events.some((e) => e.type === 'stream_offline'), 'the chat to end');
    const calls = youtube.listCalls(s.chat).length;
    const second = `chat-${randomUUID()}`;
    youtube.goLive(s.channelId, second);
    youtube.say(second, fan, 'backlog of the second stream');
    await polled(second);
    youtube.say(second, fan, 'second stream');
    await waitUntil(() => messages.length === 2, 'a message in the second stream');
    expect(messages.map((m) => m.text)).toEqual(['first stream', 'second stream']);
    expect(youtube.listCalls(s.chat)).toHaveLength(calls);
    expect(events.map((e) => e.type)).toEqual(['stream_online', 'stream_offline', 'stream_online']);
  });

  it('fetches a fresh token from Heimdall when YouTube refuses the one it holds', async () => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    const { messages } = await started(s);
    await polled(s.chat);
    // Heimdall refreshed the grant: the old token is dead at Google, the new one is in Heimdall.
    const fresh = await giveToken(s.account, s.channelId);
    youtube.setToken(s.token, undefined);
    youtube.say(s.chat, viewer(), 'after the refresh');
    await waitUntil(() => messages.length === 1, 'the message, read with the fresh token');
    await messages[0]!.reply('still here');
    expect(youtube.botMessages).toContainEqual({
      liveChatId: s.chat,
      channelId: s.channelId,
      text: 'still here',
    });
    expect(fresh).not.toBe(s.token);
  });

  it.each([
    ['a 503', 503, undefined],
    ['403 quotaExceeded', 403, 'quotaExceeded'],
    ['403 rateLimitExceeded', 403, 'rateLimitExceeded'],
  ])('backs off after %s without crashing, and goes on', async (_what, status, reason) => {
    const s = await streamer();
    youtube.goLive(s.channelId, s.chat);
    const { bot, messages, errors } = await started(s);
    await polled(s.chat);
    await waitUntil(() => bot.connected(), 'connected');
    const before = youtube.listCalls(s.chat).length;
    youtube.failNext(status, reason);
    await waitUntil(() => !bot.connected(), 'the failure seen');
    const failedAt = performance.now();
    expect(errors.at(-1)).toContain(`HTTP ${status}`);
    await waitUntil(() => bot.connected(), 'recovered');
    expect(performance.now() - failedAt).toBeGreaterThanOrEqual(BACKOFF - 50);
    youtube.say(s.chat, viewer(), 'after the failure');
    await waitUntil(() => messages.length === 1, 'the message after the failure');
    const calls = youtube.listCalls(s.chat);
    // The failed call is not listed (the fake refused it before the chat saw it); the next one waited.
    expect(calls[before]! - calls[before - 1]!).toBeGreaterThanOrEqual(INTERVAL + BACKOFF);
  });
});
