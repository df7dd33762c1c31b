/* eslint-disable @typescript-eslint/no-explicit-any -- audit rows are asserted field by field */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BotRuntime,
  CommandRegistry,
  realtimePublisher,
  type BotUser,
  type ChatAdapter,
  type IncomingMessage,
} from '../../bots/core/index.js';
import { createHeimdallClient, type HeimdallClient } from '../../sdk/rest/index.js';
import { RealtimeClient } from '../../sdk/realtime/index.js';
import { createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { createRoleWith, userWith, waitUntil, wsUrl } from '../support/realtime.js';
import { uniqueName } from '../support/services.js';

/**
 * The bot runtime against a running platform, through the SDK only: permission checks, the audit log,
 * community settings and the bot's realtime channel are Heimdall's own; the chat platform is a test adapter.
 */

/** A chat platform in memory: messages come in through `say`, replies are kept. */
class TestAdapter implements ChatAdapter {
  readonly platform = 'discord' as const;
  readonly replies: string[] = [];
  constructor(private readonly users: Record<string, BotUser>) {}

  async resolveMention(mention: string): Promise<BotUser | undefined> {
    return this.users[mention.replace(/^<@|>$/g, '')];
  }

  message(authorId: string, text: string, communityId: string, locale?: string): IncomingMessage {
    return {
      platform: this.platform,
      communityId,
      authorId,
      authorName: `user ${authorId}`,
      text,
      ...(locale ? { locale } : {}),
      reply: async (reply) => {
        this.replies.push(reply);
      },
    };
  }

  last(): string | undefined {
    return this.replies.at(-1);
  }
}

describe('the bot runtime against a platform', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, ['api', 'realtime']);
  const BOT_ID = 'test-bot';
  const LINK_URL = 'https://id.example.test/account/accounts';
  let client: HeimdallClient;
  let realtime: RealtimeClient;
  let botKey: string;
  let moderatorId: string;
  let moderatorDiscordId: string;
  let memberDiscordId: string;
  const warned: { user: BotUser; reason: unknown }[] = [];

  const registry = new CommandRegistry()
    .register({
      name: 'warn',
      aliases: ['w'],
      args: [
        { name: 'user', kind: 'user' },
        { name: 'reason', kind: 'text', optional: true },
      ],
      permission: 'discord:guild.warn',
      handler: async ({ args, reply }) => {
        warned.push({ user: args.user as BotUser, reason: args.reason });
        await reply(`warned ${(args.user as BotUser).name}`);
      },
    })
    .register({
      name: 'ping',
      cooldownMs: 60_000,
      handler: ({ reply }) => reply('pong'),
    })
    .register({
      name: 'boom',
      handler: () => {
        throw new Error('handler broke');
      },
    });

  async function discordAccount(
    roleIds: string[],
    twoFactor = false,
  ): Promise<{ userId: string; discordId: string }> {
    const userId = await createUser(t.db, { roleIds, twoFactor });
    const account = await createLinkedAccount(t.db, userId, { platform: 'discord' });
    const row = await t.db('PlatformAccount').where({ id: account }).first();
    return { userId, discordId: row.platform_user_id as string };
  }

  const adapter = new TestAdapter({ '1001': { id: '1001', name: 'Troll' } });
  let runtime: BotRuntime;
  const errors: string[] = [];

  beforeAll(async () => {
    const bot = await userWith(t.db, [
      'discord:read',
      'audit:read',
      'audit:write',
      'settings:read',
      'settings:write',
      'realtime:publish',
    ]);
    botKey = bot.key;
    client = createHeimdallClient({ baseUrl: t.url, auth: { apiKey: botKey } });
    realtime = new RealtimeClient({ url: wsUrl(t.url), token: botKey, client: 'bots-core-test/1.0' });
    await realtime.connect();
    const warner = await createRoleWith(t.db, ['discord:guild.warn']);
    ({ userId: moderatorId, discordId: moderatorDiscordId } = await discordAccount(['role_user', warner]));
    ({ discordId: memberDiscordId } = await discordAccount(['role_user']));
    runtime = new BotRuntime({
      client,
      adapter,
      commands: registry,
      botId: BOT_ID,
      linkUrl: LINK_URL,
      publish: realtimePublisher(realtime),
      onError: (err) => errors.push(String(err)),
    });
  });
  afterAll(() => realtime?.close());

  const community = () => uniqueName('guild').toLowerCase();
  const auditOf = async (community: string) =>
    (
      await client.get('/v1/audit', {
        params: { query: { resource_id: community, source_service: 'discord_bot' } },
      })
    ).data as any[];

  it('runs a permitted command for a linked user, audits it and announces it on the bot channel', async () => {
    const guild = community();
    const seen: any[] = [];
    const sub = await realtime.subscribe(`bot:discord:${BOT_ID}`, {
      publication: ({ payload }) => seen.push(payload.bot),
    });
    const message = adapter.message(moderatorDiscordId, '!w <@1001> spam "links"', guild);
    expect(await runtime.handle(message)).toBe('succeeded');
    expect(adapter.last()).toBe('warned Troll');
    expect(warned.at(-1)).toEqual({ user: { id: '1001', name: 'Troll' }, reason: 'spam "links"' });

    const [event] = await auditOf(guild);
    expect(event).toMatchObject({
      event_type: 'bot_command_executed',
      status: 'success',
      user_id: moderatorId,
      actor_id: `discord:${moderatorDiscordId}`,
      resource_type: 'discord_community',
      metadata: {
        platform: 'discord',
        community: guild,
        command: 'warn',
        args: { user: '<@1001>', reason: 'spam "links"' },
        heimdall_user_id: moderatorId,
      },
    });
    await waitUntil(() => seen.length > 0, 'the bot channel publication');
    expect(seen[0]).toMatchObject({ platform: 'discord', botId: BOT_ID, type: 'command' });
    expect(JSON.parse(seen[0].dataJson)).toMatchObject({
      command: 'warn',
      community: guild,
      status: 'success',
    });
    await sub.unsubscribe();
    expect(errors).toEqual([]);
  });

  it('refuses a linked user without the permission, in German where the community speaks it', async () => {
    const guild = community();
    await runtime.configure(
      { platform: 'discord', communityId: guild, authorId: moderatorDiscordId },
      {
        language: 'de',
      },
    );
    expect(await runtime.handle(adapter.message(memberDiscordId, '!warn <@1001>', guild, 'en-US'))).toBe(
      'not_allowed',
    );
    expect(adapter.last()).toBe('Du darfst warn nicht verwenden.');
    expect(warned.filter((w) => w.user.id === '1001')).toHaveLength(1);
  });

  it('refuses a person whose role requires 2FA, which a chat message cannot prove, unless told not to', async () => {
    // The Moderator role requires 2FA and holds discord:guild.warn; this moderator has it set up.
    const { userId, discordId } = await discordAccount(['role_moderator'], true);
    const guild = community();
    expect(await runtime.handle(adapter.message(discordId, '!warn <@1001>', guild))).toBe('not_allowed');
    expect(adapter.last()).toBe('warn needs two-factor authentication, which chat cannot confirm.');
    const trusting = new BotRuntime({
      client,
      adapter,
      commands: registry,
      botId: BOT_ID,
      linkUrl: LINK_URL,
      allowWithoutTwoFactor: true,
    });
    expect(await trusting.handle(adapter.message(discordId, '!warn <@1001>', guild))).toBe('succeeded');
    expect((await auditOf(guild))[0]).toMatchObject({ user_id: userId, metadata: { command: 'warn' } });
  });

  it('tells an unlinked user where to link their account', async () => {
    expect(await runtime.handle(adapter.message('9999', '!warn <@1001>', community()))).toBe('not_linked');
    expect(adapter.last()).toBe(`Link your Discord account to Heimdall first: ${LINK_URL}`);
  });

  it('holds a command back for its cooldown, per user', async () => {
    const guild = community();
    expect(await runtime.handle(adapter.message('2001', '!ping', guild))).toBe('succeeded');
    expect(await runtime.handle(adapter.message('2001', '!ping', guild))).toBe('cooldown');
    expect(adapter.last()).toMatch(/^Please wait (59|60) s before using ping again\.$/);
    expect(await runtime.handle(adapter.message('2002', '!ping', guild))).toBe('succeeded');
  });

  it('answers parse errors and unknown commands with usage, and records a failing handler', async () => {
    const guild = community();
    expect(await runtime.handle(adapter.message(moderatorDiscordId, '!warn', guild))).toBe('parse_error');
    expect(adapter.last()).toBe('Missing user. Usage: !warn <user> [reason…]');
    expect(await runtime.handle(adapter.message(moderatorDiscordId, '!warn <@404>', guild))).toBe(
      'parse_error',
    );
    expect(adapter.last()).toBe('"<@404>" is not a user here. Usage: !warn <user> [reason…]');
    expect(await runtime.handle(adapter.message('3001', '!nope', guild))).toBe('unknown_command');
    expect(await runtime.handle(adapter.message('3001', 'just chatting', guild))).toBe('ignored');
    expect(await runtime.handle(adapter.message('3001', '!boom', guild, 'de'))).toBe('failed');
    expect(adapter.last()).toContain('Bei boom ist etwas schiefgegangen');
    const [event] = await auditOf(guild);
    expect(event).toMatchObject({
      status: 'failure',
      error_message: 'handler broke',
      metadata: { command: 'boom' },
    });
    errors.length = 0;
  });

  it('keeps community settings in Heimdall, audits changes, and answers at the new prefix', async () => {
    const guild = community();
    const change = await runtime.configure(
      { platform: 'discord', communityId: guild, authorId: moderatorDiscordId },
      { prefix: '?', logChannel: '555' },
      moderatorId,
    );
    expect(change.changed).toEqual(['prefix', 'logChannel']);
    const stored = await client.get('/v1/settings/{key}', {
      params: { path: { key: `custom.bot.discord.${guild}` } },
    });
    expect(stored.value).toEqual({ prefix: '?', language: null, log_channel: '555' });
    // Another process (with an empty cache) reads what this one wrote.
    const other = new BotRuntime({ client, adapter, commands: registry, botId: BOT_ID, linkUrl: LINK_URL });
    expect(await other.settings.get('discord', guild)).toEqual({
      prefix: '?',
      language: null,
      logChannel: '555',
    });
    expect(await other.handle(adapter.message('4001', '!ping', guild))).toBe('ignored');
    expect(await other.handle(adapter.message('4001', '?ping', guild))).toBe('succeeded');
    // The community's first settings: the bot was set up there.
    const [event] = await auditOf(guild).then((events) =>
      events.filter((e) => e.event_type === 'bot_guild_configured'),
    );
    expect(event).toMatchObject({
      user_id: moderatorId,
      metadata: { changed: ['prefix', 'logChannel'], after: { prefix: '?', logChannel: '555' } },
    });
    await expect(
      runtime.configure(
        { platform: 'discord', communityId: guild, authorId: moderatorDiscordId },
        { prefix: 'a b' },
      ),
    ).rejects.toMatchObject({ name: 'InvalidSettingError', field: 'prefix' });
  });
  it('caches community settings briefly, then sees a change made elsewhere', async () => {
    const guild = community();
    let now = Date.now();
    const cached = new BotRuntime({
      client,
      adapter,
      commands: registry,
      botId: BOT_ID,
      linkUrl: LINK_URL,
      now: () => now,
    });
    expect((await cached.settings.get('discord', guild)).prefix).toBe('!');
    // As the admin panel would change it: straight through the settings API.
    await client.put('/v1/settings/{key}', {
      params: { path: { key: `custom.bot.discord.${guild}` } },
      body: { value: { prefix: '$', language: 'de', log_channel: null } },
    });
    expect((await cached.settings.get('discord', guild)).prefix).toBe('!');
    now += 30_001;
    expect(await cached.settings.get('discord', guild)).toEqual({
      prefix: '$',
      language: 'de',
      logChannel: null,
    });
  });
});
