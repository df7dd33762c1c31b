import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from '../../bots/core/index.js';
import { createDiscordBot, MAX_TIMEOUT_MS, type DiscordBot } from '../../bots/discord/index.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.js';
import { waitUntil } from '../support/wait.js';

/**
 * The Discord adapter on discord.js against a fake Discord on loopback that speaks Discord's REST API and
 * gateway protocol: what reaches the runtime, what reaches Discord, and a dropped gateway being resumed.
 */

const GUILD = '100000000000000001';
const CHANNEL = '110000000000000001';
const LOG_CHANNEL = '110000000000000002';
const OTHER_GUILD = '100000000000000002';
const OTHER_CHANNEL = '110000000000000003';
const ROLE_A = '120000000000000001';
const ROLE_B = '120000000000000002';
const MOD = '200000000000000001';
const TARGET = '200000000000000002';
const LEAVER = '200000000000000003';
const BANNED = '200000000000000004';
const STRANGER = '200000000000000009';

const commands = [
  { name: 'ping', handler: () => undefined },
  {
    name: 'timeout',
    args: [
      { name: 'user', kind: 'user' as const },
      { name: 'duration', kind: 'duration' as const },
      { name: 'reason', kind: 'text' as const, optional: true },
    ],
    handler: () => undefined,
  },
  {
    name: 'note',
    args: [
      { name: 'label', kind: 'string' as const },
      { name: 'count', kind: 'integer' as const, optional: true },
    ],
    handler: () => undefined,
  },
  {
    name: 'warn',
    args: [
      { name: 'user', kind: 'user' as const },
      { name: 'duration', kind: 'duration' as const, optional: true },
      { name: 'reason', kind: 'text' as const, optional: true },
    ],
    handler: () => undefined,
  },
];

describe('the Discord adapter against a fake Discord', () => {
  let discord: FakeDiscord;
  let bot: DiscordBot;
  const received: IncomingMessage[] = [];
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const errors: unknown[] = [];

  const next = async (count: number) => {
    await waitUntil(() => received.length >= count, `message ${count} to reach onMessage`);
    return received[count - 1]!;
  };

  beforeAll(async () => {
    discord = await startFakeDiscord({
      guilds: [
        {
          id: GUILD,
          name: 'Asgard',
          preferredLocale: 'de',
          channels: [
            { id: CHANNEL, name: 'general' },
            { id: LOG_CHANNEL, name: 'bot-log' },
          ],
          roles: [
            { id: ROLE_A, name: 'einherjar' },
            { id: ROLE_B, name: 'valkyrie' },
          ],
          members: [
            { id: MOD, username: 'odin', nick: 'Allfather', roles: [ROLE_A] },
            { id: TARGET, username: 'loki', globalName: 'Loki' },
            { id: LEAVER, username: 'baldr' },
            { id: BANNED, username: 'fenrir' },
          ],
        },
        {
          id: OTHER_GUILD,
          channels: [{ id: OTHER_CHANNEL }],
          members: [{ id: STRANGER, username: 'ymir' }],
        },
      ],
    });
    bot = createDiscordBot({
      token: discord.botToken,
      apiUrl: discord.restUrl,
      guildIds: [GUILD],
      onError: (err) => errors.push(err),
    });
    await bot.start({
      commands,
      onMessage: (message) => received.push(message),
      onEvent: (type, data) => events.push({ type, data }),
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
  });

  it('knows its id from READY and registers the commands as slash commands', () => {
    expect(bot.botId()).toBe(discord.bot.id);
    expect(bot.connected()).toBe(true);
    expect(discord.identifyCount).toBe(1);
    const registered = discord.registeredCommands.get(GUILD)!;
    expect(registered.map((c) => c.name)).toEqual(['ping', 'timeout', 'note', 'warn']);
    expect(registered[1]!.options).toEqual([
      { name: 'user', description: 'user', type: 6, required: true },
      { name: 'duration', description: 'duration', type: 3, required: true },
      { name: 'reason', description: 'reason', type: 3, required: false },
    ]);
    expect(registered[2]!.options[1]).toMatchObject({ name: 'count', type: 4, required: false });
    expect(discord.registeredCommands.has('global')).toBe(false);
  });

  it('hands a chat message to onMessage and posts its reply as a reply in the channel', async () => {
    const id = discord.sendMessage(GUILD, CHANNEL, MOD, '!ping now');
    const message = await next(1);
    expect(message).toMatchObject({
      platform: 'discord',
      communityId: GUILD,
      authorId: MOD,
      authorName: 'Allfather',
      text: '!ping now',
      locale: 'de',
    });
    expect(message.slash).toBeUndefined();
    await message.reply('Pong!');
    expect(discord.messages.at(-1)).toEqual({
      id: expect.any(String),
      channelId: CHANNEL,
      content: 'Pong!',
      replyTo: id,
    });
    // The bot's own message comes back through the gateway, and must not reach the runtime.
    discord.sendMessage(GUILD, CHANNEL, TARGET, 'hello');
    await next(2);
    expect(received.map((m) => m.text)).toEqual(['!ping now', 'hello']);
  });

  it('turns a slash command into the command line and answers by callback, then follow-up', async () => {
    const id = discord.invokeSlash(
      GUILD,
      CHANNEL,
      MOD,
      'timeout',
      { user: TARGET, duration: '10m', reason: 'said "hi" too often' },
      'en-GB',
    );
    const message = await next(3);
    expect(message).toMatchObject({
      communityId: GUILD,
      authorId: MOD,
      authorName: 'Allfather',
      text: `timeout <@${TARGET}> 10m said "hi" too often`,
      slash: true,
      locale: 'en-GB',
    });
    await message.reply('first');
    await message.reply('second');
    expect(discord.interactionReplies.filter((r) => r.interactionId === id)).toEqual([
      { interactionId: id, kind: 'callback', type: 4, content: 'first', flags: undefined },
      { interactionId: id, kind: 'followup', content: 'second', flags: undefined },
    ]);
  });

  it('quotes a string option with spaces and refuses a gap in the optional options', async () => {
    discord.invokeSlash(GUILD, CHANNEL, MOD, 'note', { label: 'two words "quoted" \\ ok', count: 3 });
    expect((await next(4)).text).toBe('note "two words \\"quoted\\" \\\\ ok" 3');
    // A reason without the duration before it cannot be written positionally: answered, not handed on.
    const refused = discord.invokeSlash(GUILD, CHANNEL, MOD, 'warn', { user: TARGET, reason: 'rude' });
    await waitUntil(() => discord.interactionReplies.some((r) => r.interactionId === refused), 'the refusal');
    expect(discord.interactionReplies.find((r) => r.interactionId === refused)).toMatchObject({
      kind: 'callback',
      content: 'Missing duration. Usage: /warn <user> [duration] [reason…]',
    });
    discord.invokeSlash(GUILD, CHANNEL, MOD, 'warn', { user: TARGET, duration: '1H' });
    expect((await next(5)).text).toBe(`warn <@${TARGET}> 1H`);
  });

  it('defers a slash command not answered in two seconds, then edits the deferred reply', async () => {
    const id = discord.invokeSlash(GUILD, CHANNEL, MOD, 'ping', {});
    const count = received.length;
    const message = await next(count + 1);
    await waitUntil(() => discord.interactionReplies.some((r) => r.interactionId === id), 'the defer', 4000);
    await message.reply('slow pong');
    expect(discord.interactionReplies.filter((r) => r.interactionId === id)).toEqual([
      { interactionId: id, kind: 'callback', type: 5, content: undefined, flags: 0 },
      { interactionId: id, kind: 'edit', content: 'slow pong', flags: undefined },
    ]);
  });

  it('resolves mentions and raw ids to members, users Discord knows elsewhere, and nobody else', async () => {
    const message = received[0]!;
    await expect(bot.adapter.resolveMention(`<@${TARGET}>`, message)).resolves.toEqual({
      id: TARGET,
      name: 'Loki',
    });
    await expect(bot.adapter.resolveMention(`<@!${MOD}>`, message)).resolves.toEqual({
      id: MOD,
      name: 'Allfather',
    });
    await expect(bot.adapter.resolveMention(TARGET, message)).resolves.toEqual({ id: TARGET, name: 'Loki' });
    // Not a member, but a user: a ban may keep them out.
    await expect(bot.adapter.resolveMention(`<@${STRANGER}>`, message)).resolves.toEqual({
      id: STRANGER,
      name: 'ymir',
    });
    await expect(bot.adapter.resolveMention('<@299999999999999999>', message)).resolves.toBeUndefined();
    await expect(bot.adapter.resolveMention('@loki', message)).resolves.toBeUndefined();
  });

  it('times out, kicks and bans through Discord with the reason in its audit log', async () => {
    const { moderator } = bot.adapter;
    const target = { id: TARGET, name: 'Loki' };
    const before = Date.now();
    await moderator.moderate(GUILD, 'timeout', target, { durationMs: 600_000, reason: 'spam, ümlauts' });
    const timeout = discord.moderation.at(-1)!;
    expect(timeout).toMatchObject({
      action: 'timeout',
      guildId: GUILD,
      userId: TARGET,
      reason: 'spam, ümlauts',
    });
    const until = Date.parse(timeout.until!);
    expect(until).toBeGreaterThanOrEqual(before + 600_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 600_000);

    await moderator.moderate(GUILD, 'timeout', target, { durationMs: MAX_TIMEOUT_MS });
    expect(discord.moderation.at(-1)).toMatchObject({ action: 'timeout', reason: undefined });
    await expect(
      moderator.moderate(GUILD, 'timeout', target, { durationMs: MAX_TIMEOUT_MS + 1 }),
    ).rejects.toThrow('at most 28 days');
    await expect(moderator.moderate(GUILD, 'timeout', target, {})).rejects.toThrow('needs a duration');

    await moderator.moderate(GUILD, 'kick', { id: LEAVER, name: 'baldr' }, { reason: 'left to cool off' });
    expect(discord.moderation.at(-1)).toEqual({
      action: 'kick',
      guildId: GUILD,
      userId: LEAVER,
      reason: 'left to cool off',
    });
    expect(discord.member(GUILD, LEAVER)).toBeUndefined();
    await expect(moderator.moderate(GUILD, 'kick', { id: STRANGER, name: 'ymir' }, {})).rejects.toThrow(
      'not a member',
    );

    await moderator.moderate(GUILD, 'ban', { id: BANNED, name: 'fenrir' }, { reason: 'bit a hand' });
    expect(discord.moderation.at(-1)).toEqual({
      action: 'ban',
      guildId: GUILD,
      userId: BANNED,
      reason: 'bit a hand',
    });
    expect(moderator.actions).toEqual(['timeout', 'kick', 'ban']);
  });

  it('posts to the log channel and tells members from others', async () => {
    await bot.adapter.log.postLog(GUILD, LOG_CHANNEL, 'Loki was timed out.');
    expect(discord.messages.at(-1)).toEqual({
      id: expect.any(String),
      channelId: LOG_CHANNEL,
      content: 'Loki was timed out.',
    });
    await expect(bot.adapter.log.postLog(GUILD, OTHER_CHANNEL, 'leak')).rejects.toThrow('not a text channel');
    await expect(bot.adapter.log.isMember(GUILD, TARGET)).resolves.toBe(true);
    await expect(bot.adapter.log.isMember(GUILD, STRANGER)).resolves.toBe(false);
    // Kicked in the test before: Discord says so even if the cache were behind.
    await expect(bot.adapter.log.isMember(GUILD, LEAVER)).resolves.toBe(false);
  });

  it('reports role changes as member_roles_changed', async () => {
    discord.setMemberRoles(GUILD, MOD, [ROLE_B]);
    await waitUntil(() => events.length > 0, 'member_roles_changed');
    expect(events).toEqual([
      {
        type: 'member_roles_changed',
        data: { guild_id: GUILD, member_id: MOD, added: [ROLE_B], removed: [ROLE_A] },
      },
    ]);
  });

  it('resumes a dropped gateway and gets what was sent meanwhile', async () => {
    const identified = discord.identifyCount;
    const count = received.length;
    discord.dropConnection();
    await waitUntil(() => !bot.connected(), 'the bot to notice the drop');
    const sentWhileDown = discord.sendMessage(GUILD, CHANNEL, TARGET, '!ping while down');
    await waitUntil(() => bot.connected(), 'the bot to resume', 10_000);
    expect(discord.resumeCount).toBe(1);
    expect(discord.identifyCount).toBe(identified);
    const message = await next(count + 1);
    expect(message.text).toBe('!ping while down');
    await message.reply('back');
    expect(discord.messages.at(-1)).toMatchObject({ content: 'back', replyTo: sentWhileDown });
    expect(errors).toEqual([]);
  });

  it('identifies anew when Discord has forgotten the session', async () => {
    const identified = discord.identifyCount;
    const resumed = discord.resumeCount;
    discord.invalidateSessions();
    discord.dropConnection();
    await waitUntil(() => !bot.connected(), 'the bot to notice the drop');
    // discord.js keeps identifies 5 seconds apart, so this one may wait.
    await waitUntil(() => bot.connected(), 'the bot to identify again', 15_000);
    expect(discord.resumeCount).toBe(resumed);
    expect(discord.identifyCount).toBe(identified + 1);
    const count = received.length;
    discord.sendMessage(GUILD, CHANNEL, TARGET, '!ping again');
    expect((await next(count + 1)).text).toBe('!ping again');
    expect(errors).toEqual([]);
  }, 30_000);
});
