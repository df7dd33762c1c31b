/* eslint-disable @typescript-eslint/no-explicit-any -- audit rows and publications are asserted field by field */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import type {
  BotUser,
  IncomingMessage,
  LogPoster,
  ModerationOptions,
  Moderator,
  PlatformAction,
  PlatformBot,
} from '../../bots/core/index.js';
import { hostConfigSchema } from '../../bots/host/config.js';
import { botCredentialPermissions } from '../../bots/host/credential.js';
import { startBotHost, type RunningBotHost } from '../../bots/host/run.js';
import { RealtimeClient } from '../../sdk/realtime/index.js';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';
import { freePort } from '../support/ports.js';
import { createRoleWith, userWith, waitUntil, wsUrl } from '../support/realtime.js';
import { TEST_REDIS_URL, describeWithRedis, uniqueName } from '../support/services.js';

/**
 * The bot host (what `heimdall bot <platform>` runs) against a running Heimdall, on a chat platform in memory:
 * the moderation commands, refusals, settings, the audit trail and the bot channel, security notices in the log
 * channel, health and metrics, and a Heimdall restart. The platforms' own wire protocols are tested with their
 * fakes (test/bots/<platform>*.test.ts).
 */

/** A chat platform in memory: one guild of members, moderation and a log channel that record what they are asked. */
class MemoryPlatform implements PlatformBot {
  readonly replies: string[] = [];
  readonly actions: { action: PlatformAction; user: BotUser; options: ModerationOptions }[] = [];
  readonly logs: { community: string; channel: string; text: string }[] = [];
  refuse = false;
  private onMessage: ((message: IncomingMessage) => void) | undefined;

  constructor(
    readonly guild: string,
    readonly members: Map<string, string>,
  ) {}

  private readonly moderator: Moderator = {
    actions: ['timeout', 'kick', 'ban'],
    moderate: async (_community, action, user, options) => {
      if (this.refuse) throw new Error('Missing Permissions');
      this.actions.push({ action, user, options });
    },
  };
  private readonly log: LogPoster = {
    postLog: async (community, channel, text) => {
      this.logs.push({ community, channel, text });
    },
    isMember: async (_community, id) => this.members.has(id),
    communities: () => [this.guild],
  };
  readonly adapter = {
    platform: 'discord' as const,
    resolveMention: async (mention: string) => {
      const id = mention.replace(/^<@!?|>$/g, '');
      const name = this.members.get(id);
      return name ? { id, name } : undefined;
    },
    moderator: this.moderator,
    log: this.log,
  };

  botId = () => 'memory-bot';
  connected = () => this.onMessage !== undefined;
  async start(handlers: { onMessage(message: IncomingMessage): void }) {
    this.onMessage = handlers.onMessage;
  }
  async stop() {
    this.onMessage = undefined;
  }

  /** A member writes in the guild; resolves with the replies that message got. */
  async say(host: RunningBotHost, authorId: string, text: string, locale?: string): Promise<string[]> {
    const replies: string[] = [];
    this.onMessage!({
      platform: 'discord',
      communityId: this.guild,
      authorId,
      authorName: this.members.get(authorId) ?? authorId,
      text,
      ...(locale ? { locale } : {}),
      reply: async (reply) => {
        replies.push(reply);
        this.replies.push(reply);
      },
    });
    await host.idle();
    return replies;
  }
}

/** Connects only while open: the host's realtime connection can be held off to prove what it recovers. */
const gate = { open: true };
class GatedWebSocket extends WebSocket {
  constructor(url: string) {
    super(gate.open ? url : 'ws://127.0.0.1:9/');
  }
}

describeWithRedis('the bot host against Heimdall', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let port: number;
  const redisPrefix = `${uniqueName('bots')}:`;
  const startHeimdall = async () => {
    platform = await startTestPlatform(
      {
        HEIMDALL__DATABASE__URL: database.url,
        HEIMDALL__SERVER__PORT: String(port),
        HEIMDALL__REDIS__URL: TEST_REDIS_URL,
        HEIMDALL__REDIS__KEY_PREFIX: redisPrefix,
        HEIMDALL__RATE_LIMIT__ENABLED: 'false',
      },
      ['api', 'realtime'],
    );
  };
  const db = () => platform.databases.primary;

  const guild = uniqueName('guild').toLowerCase();
  const members = new Map<string, string>();
  const chat = new MemoryPlatform(guild, members);
  let host: RunningBotHost;
  let admin: string;
  let botKey: string;
  const moderator = { userId: '', discordId: '' };
  const member = { userId: '', discordId: '' };
  const stranger = 'stranger-1';
  const errors: string[] = [];

  async function linked(roleIds: string[], name: string) {
    const userId = await createUser(db(), { roleIds });
    const accountId = await createLinkedAccount(db(), userId, { platform: 'discord' });
    const row = await db()('PlatformAccount').where({ id: accountId }).first();
    members.set(row.platform_user_id, name);
    return { userId, discordId: row.platform_user_id as string };
  }

  const audit = async (where: Record<string, unknown>) => {
    await platform.services.audit.flush();
    return platform.databases.audit('AuditEvent').where(where).orderBy('created_at') as Promise<any[]>;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    await startHeimdall();
    const adminId = await createUser(db(), { roleIds: ['role_admin'], twoFactor: true });
    admin = (await createKey(db(), { userId: adminId, roleIds: ['role_api_full_access'] })).key;
    botKey = (await userWith(db(), botCredentialPermissions('discord', { securityNotices: true }))).key;
    const mods = await createRoleWith(db(), [
      'discord:guild.warn',
      'discord:guild.read',
      'discord:guild.timeout',
      'discord:guild.kick',
      'discord:guild.ban',
      'discord:edit',
    ]);
    Object.assign(moderator, await linked(['role_user', mods], 'Mod'));
    Object.assign(member, await linked(['role_user'], 'Troll'));
    members.set(stranger, 'Stranger');
    host = await startBotHost({
      platform: 'discord',
      host: hostConfigSchema.parse({
        heimdall: { url: platform.url, link_url: 'https://id.example.test/account/accounts' },
        health: { port: 0 },
      }),
      env: { HEIMDALL_BOT_API_KEY: botKey },
      createBot: () => chat,
      log: (level, message, err) => {
        if (level === 'error') errors.push(`${message}: ${String(err)}`);
      },
      WebSocket: GatedWebSocket as never,
    });
  });
  afterAll(async () => {
    await host?.stop();
    await platform?.stop();
    await database?.drop();
  });

  it('lets a permitted moderator warn, list warnings, time out, kick and ban, each audited and announced', async () => {
    const seen: any[] = [];
    const watcher = new RealtimeClient({ url: wsUrl(platform.url), token: botKey });
    await watcher.connect();
    await watcher.subscribe('bot:discord:memory-bot', {
      publication: ({ payload }) => seen.push({ ...payload.bot, data: JSON.parse(payload.bot!.dataJson!) }),
    });
    const troll = `<@${member.discordId}>`;
    const say = (text: string) => chat.say(host, moderator.discordId, text);

    expect(await say(`!warn ${troll} spamming links`)).toEqual([
      'Warned Troll (reason: spamming links). They have 1 warning(s) here.',
    ]);
    expect(await say(`!warn ${troll}`)).toEqual(['Warned Troll. They have 2 warning(s) here.']);
    const [listed] = await say(`!warnings ${troll}`);
    expect(listed).toMatch(
      /^Troll has 2 warning\(s\) here: \d{4}-\d\d-\d\d; \d{4}-\d\d-\d\d spamming links$/,
    );
    expect(await say(`!mute ${troll} 1h30m calm down`)).toEqual([
      'Timed out Troll for 1h30m (reason: calm down).',
    ]);
    expect(await say(`!kick ${troll}`)).toEqual(['Kicked Troll.']);
    expect(await say(`!ban ${troll} raid`)).toEqual(['Banned Troll (reason: raid).']);
    // The platform hears who asks, to apply its own rights in the community too.
    const by = { id: moderator.discordId, platformModerator: undefined };
    expect(chat.actions.map((a) => [a.action, a.user.id, a.options])).toEqual([
      ['timeout', member.discordId, { durationMs: 5_400_000, reason: 'calm down', by }],
      ['kick', member.discordId, { by }],
      ['ban', member.discordId, { reason: 'raid', by }],
    ]);

    const actions = await audit({ event_type: 'bot_moderation_action', resource_id: guild });
    expect(actions.map((e) => [e.metadata.action, e.source_service, e.user_id, e.status])).toEqual([
      ['warn', 'discord_bot', moderator.userId, 'success'],
      ['warn', 'discord_bot', moderator.userId, 'success'],
      ['timeout', 'discord_bot', moderator.userId, 'success'],
      ['kick', 'discord_bot', moderator.userId, 'success'],
      ['ban', 'discord_bot', moderator.userId, 'success'],
    ]);
    expect(actions[2]).toMatchObject({
      actor_id: `discord:${moderator.discordId}`,
      resource_type: 'discord_community',
      metadata: { member_platform_id: member.discordId, duration_seconds: 5400, reason: 'calm down' },
    });
    const commands = await audit({ event_type: 'bot_command_executed', resource_id: guild });
    expect(commands.map((e) => e.metadata.command)).toEqual([
      'warn',
      'warn',
      'warnings',
      'timeout',
      'kick',
      'ban',
    ]);

    await waitUntil(() => seen.filter((e) => e.type === 'moderation').length === 5, 'five moderation events');
    expect(seen.filter((e) => e.type === 'moderation').map((e) => e.data.action)).toEqual([
      'warn',
      'warn',
      'timeout',
      'kick',
      'ban',
    ]);
    expect(seen.every((e) => e.platform === 'discord' && e.botId === 'memory-bot')).toBe(true);
    await watcher.close();
  });

  it('answers a platform refusal with the error reply and records the failure', async () => {
    chat.refuse = true;
    try {
      expect(await chat.say(host, moderator.discordId, `!kick <@${member.discordId}>`)).toEqual([
        'Something went wrong running kick. Please try again later.',
      ]);
    } finally {
      chat.refuse = false;
    }
    const [failed] = (await audit({ event_type: 'bot_moderation_action', resource_id: guild })).filter(
      (e) => e.status === 'failure',
    );
    expect(failed).toMatchObject({ metadata: { action: 'kick' }, error_message: 'Missing Permissions' });
  });

  it('refuses an unpermitted member in the community language, tells a stranger how to link, refuses self-moderation', async () => {
    // The reply is in the language the command was given in.
    expect(await chat.say(host, moderator.discordId, '!settings language de')).toEqual([
      'Settings changed: language.',
    ]);
    expect(await chat.say(host, member.discordId, `!ban <@${moderator.discordId}>`, 'en-US')).toEqual([
      'Du darfst ban nicht verwenden.',
    ]);
    expect(await chat.say(host, stranger, `!warn <@${member.discordId}>`)).toEqual([
      'Verknüpfe zuerst dein Discord-Konto mit Heimdall: https://id.example.test/account/accounts',
    ]);
    expect(await chat.say(host, moderator.discordId, `!ban <@${moderator.discordId}>`)).toEqual([
      'Du kannst ban nicht auf dich selbst anwenden.',
    ]);
    expect(await chat.say(host, moderator.discordId, '!settings prefix "a b"')).toEqual([
      'A prefix is 1 to 5 characters without spaces.',
    ]);
    expect(await chat.say(host, moderator.discordId, '!settings language auto')).toEqual([
      'Einstellungen geändert: language.',
    ]);
    // The first settings of a community are the bot being set up there; later ones are changes.
    const configured = await audit({ resource_id: guild, event_type: 'bot_guild_configured' });
    const changed = await audit({ resource_id: guild, event_type: 'bot_config_changed' });
    expect([configured.length, changed.length]).toEqual([1, 1]);
    expect(chat.actions.filter((a) => a.user.id === moderator.discordId)).toEqual([]);
  });

  it("posts a linked member's security events to the log channel, also those made while Heimdall restarted", async () => {
    expect(await chat.say(host, moderator.discordId, '!settings log <#555>')).toEqual([
      'Settings changed: log.',
    ]);
    const ban = await call(platform.url, 'POST', `/v1/users/${member.userId}/ban`, {
      key: admin,
      body: { reason: 'raid' },
    });
    expect(ban.status).toBe(200);
    await waitUntil(() => chat.logs.length === 1, 'the ban notice');
    expect(chat.logs[0]).toMatchObject({ community: guild, channel: '555' });
    expect(chat.logs[0]!.text).toMatch(/^Security notice for discord .+: banned from Heimdall \(.+ UTC\)\.$/);

    // Heimdall goes away; the bot's realtime connection is held off until after the next event.
    gate.open = false;
    await platform.stop();
    await waitUntil(async () => (await fetch(`${host.healthUrl}/health`)).status === 503, 'health 503');
    await startHeimdall();
    const lift = await call(platform.url, 'DELETE', `/v1/users/${member.userId}/ban`, { key: admin });
    expect(lift.status).toBe(204);
    await platform.services.audit.flush();
    expect(chat.logs).toHaveLength(1);
    gate.open = true;
    await waitUntil(() => chat.logs.length === 2, 'the notice recovered after the restart', 20_000);
    expect(chat.logs[1]!.text).toContain('Heimdall ban lifted');
    // Security notices only for linked members: a stranger's events go nowhere.
    await waitUntil(async () => (await fetch(`${host.healthUrl}/health`)).status === 200, 'health 200');
  });

  it('serves health and metrics', async () => {
    const health = await fetch(`${host.healthUrl}/health`);
    expect(await health.json()).toEqual({ status: 'ok', platform: true, realtime: true });
    const metrics = await (await fetch(`${host.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/heimdall_bot_messages_total\{outcome="succeeded",platform="discord"\} \d+/);
    expect(metrics).toMatch(/heimdall_bot_messages_total\{outcome="not_allowed",platform="discord"\} 1/);
    expect(metrics).toContain('heimdall_bot_command_seconds_bucket');
    expect(metrics).toMatch(/heimdall_bot_errors_total\{platform="discord"\} 1/);
    expect((await fetch(`${host.healthUrl}/nothing`)).status).toBe(404);
    expect(errors.filter((e) => !e.startsWith('moderation') && !e.startsWith('command'))).toEqual([]);
  });
});
