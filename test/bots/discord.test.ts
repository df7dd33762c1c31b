/* eslint-disable @typescript-eslint/no-explicit-any -- audit rows and publications are asserted field by field */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadHostConfig } from '../../bots/host/config.js';
import { PLATFORM_FACTORIES } from '../../bots/host/platforms.js';
import { botCredentialPermissions } from '../../bots/host/credential.js';
import { startBotHost, type RunningBotHost } from '../../bots/host/run.js';
import { RealtimeClient } from '../../sdk/realtime/index.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.js';
import { call, createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { createRoleWith, userWith, waitUntil, wsUrl } from '../support/realtime.js';

/**
 * The Discord bot end to end: Heimdall, the bot host as `heimdall bot discord` builds it from its TOML, and a fake
 * Discord speaking the gateway and REST protocols. Moderators act through prefix and slash commands; members and
 * strangers are refused in their language; everything lands in Heimdall's audit log and on the bot's channel.
 */
const GUILD = '300000000000000001';
const CHANNEL = '310000000000000001';
const LOG_CHANNEL = '310000000000000002';
const MOD = '400000000000000001';
const MEMBER = '400000000000000002';
const STRANGER = '400000000000000003';
const TROLL = '400000000000000004';
/** Holds Heimdall's moderation permissions but no moderation rights in this Discord server. */
const OUTSIDER = '400000000000000005';

describe('the Discord bot against Heimdall and a fake Discord', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' }, ['api', 'realtime']);
  let discord: FakeDiscord;
  let host: RunningBotHost;
  let botKey: string;
  let admin: string;
  const users: Record<string, string> = {};

  /** A Heimdall user with roles whose linked Discord account is the fake's member `discordId`. */
  async function linkedAs(discordId: string, roleIds: string[]) {
    const userId = await createUser(t.db, { roleIds });
    const accountId = await createLinkedAccount(t.db, userId, { platform: 'discord' });
    await t.db('PlatformAccount').where({ id: accountId }).update({ platform_user_id: discordId });
    users[discordId] = userId;
  }

  /** A message in the guild's channel, and the bot's reply to it. */
  async function say(authorId: string, content: string): Promise<string> {
    const id = discord.sendMessage(GUILD, CHANNEL, authorId, content);
    await waitUntil(() => discord.messages.some((m) => m.replyTo === id), `a reply to "${content}"`);
    return discord.messages.find((m) => m.replyTo === id)!.content;
  }

  const audit = async (where: Record<string, unknown>) => {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where(where).orderBy('created_at') as Promise<any[]>;
  };

  beforeAll(async () => {
    discord = await startFakeDiscord({
      guilds: [
        {
          id: GUILD,
          name: 'Midgard',
          channels: [
            { id: CHANNEL, name: 'general' },
            { id: LOG_CHANNEL, name: 'bot-log' },
          ],
          members: [
            { id: MOD, username: 'heimdallr' },
            { id: MEMBER, username: 'thor' },
            { id: STRANGER, username: 'ymir' },
            { id: TROLL, username: 'loki', globalName: 'Loki' },
            { id: OUTSIDER, username: 'hermod' },
          ],
        },
      ],
    });
    const adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    admin = (await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] })).key;
    botKey = (await userWith(t.db, botCredentialPermissions('discord', { securityNotices: true }))).key;
    const moderators = await createRoleWith(t.db, [
      'discord:guild.warn',
      'discord:guild.read',
      'discord:guild.timeout',
      'discord:guild.kick',
      'discord:guild.ban',
      'discord:edit',
    ]);
    await linkedAs(MOD, ['role_user', moderators]);
    await linkedAs(MEMBER, ['role_user']);
    await linkedAs(TROLL, ['role_user']);
    await linkedAs(OUTSIDER, ['role_user', moderators]);

    // The TOML an operator writes; the token in a file of its own.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'heimdall-discord-bot-'));
    writeFileSync(path.join(dir, 'token'), `${discord.botToken}\n`);
    writeFileSync(
      path.join(dir, 'bot.toml'),
      [
        '[heimdall]',
        `url = "${t.url}"`,
        `api_key_file = "${path.join(dir, 'key')}"`,
        '[health]',
        'port = 0',
        '[discord]',
        `token_file = "${path.join(dir, 'token')}"`,
        `api_url = "${discord.restUrl}"`,
        `guild_ids = ["${GUILD}"]`,
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'key'), botKey);
    const { host: config, raw } = loadHostConfig(path.join(dir, 'bot.toml'));
    host = await startBotHost({
      platform: 'discord',
      host: config,
      env: {},
      createBot: (client, onError) => PLATFORM_FACTORIES.discord(raw, client, onError),
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await host?.stop();
    await discord?.close();
  });

  it('registers the moderation commands as slash commands', () => {
    expect(discord.registeredCommands.get(GUILD)!.map((c) => c.name)).toEqual([
      'warn',
      'warnings',
      'timeout',
      'kick',
      'ban',
      'settings',
    ]);
  });

  it('lets a permitted moderator warn, time out, kick and ban, audited and published on the bot channel', async () => {
    const seen: any[] = [];
    const watcher = new RealtimeClient({ url: wsUrl(t.url), token: botKey });
    await watcher.connect();
    await watcher.subscribe(`bot:discord:${host.bot.botId()}`, {
      publication: ({ payload }) => seen.push(JSON.parse(payload.bot!.dataJson!)),
    });

    expect(await say(MOD, `!warn <@${TROLL}> spoilers`)).toBe(
      'Warned Loki (reason: spoilers). They have 1 warning(s) here.',
    );
    // A slash command: the reply answers the interaction.
    const interaction = discord.invokeSlash(GUILD, CHANNEL, MOD, 'timeout', {
      user: TROLL,
      duration: '10m',
      reason: 'cool off',
    });
    await waitUntil(
      () => discord.interactionReplies.some((r) => r.interactionId === interaction),
      'the slash reply',
    );
    expect(discord.interactionReplies.find((r) => r.interactionId === interaction)!.content).toBe(
      'Timed out Loki for 10m (reason: cool off).',
    );
    expect(await say(MOD, `!kick <@${TROLL}>`)).toBe('Kicked Loki.');
    expect(await say(MOD, `!ban <@${TROLL}> trickery`)).toBe('Banned Loki (reason: trickery).');

    expect(discord.moderation.map((m) => [m.action, m.userId, m.reason])).toEqual([
      ['timeout', TROLL, 'cool off'],
      ['kick', TROLL, undefined],
      ['ban', TROLL, 'trickery'],
    ]);
    const until = Date.parse(discord.moderation[0]!.until!);
    expect(until - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    const actions = await audit({ event_type: 'bot_moderation_action', resource_id: GUILD });
    expect(actions.map((e) => [e.metadata.action, e.user_id, e.source_service])).toEqual([
      ['warn', users[MOD], 'discord_bot'],
      ['timeout', users[MOD], 'discord_bot'],
      ['kick', users[MOD], 'discord_bot'],
      ['ban', users[MOD], 'discord_bot'],
    ]);
    await waitUntil(() => seen.filter((e) => e.action).length === 4, 'four moderation publications');
    expect(seen.filter((e) => e.action).map((e) => [e.action, e.member_platform_id])).toEqual([
      ['warn', TROLL],
      ['timeout', TROLL],
      ['kick', TROLL],
      ['ban', TROLL],
    ]);
    await watcher.close();
  });

  it("refuses a Heimdall moderator without Discord's own right in this server", async () => {
    expect(await say(OUTSIDER, `!timeout <@${MEMBER}> 1m`)).toBe(
      'You cannot timeout here: Discord does not give you that right in this community.',
    );
    expect(discord.moderation.filter((m) => m.userId === MEMBER)).toEqual([]);
  });

  it('refuses a member without the permission in German, and tells a stranger how to link', async () => {
    expect(await say(MOD, '!settings language de')).toBe('Settings changed: language.');
    expect(await say(MEMBER, `!ban <@${TROLL}>`)).toBe('Du darfst ban nicht verwenden.');
    expect(await say(STRANGER, `!warn <@${TROLL}>`)).toBe(
      `Verknüpfe zuerst dein Discord-Konto mit Heimdall: ${t.url}/account/accounts`,
    );
    expect(await say(MOD, '!settings language auto')).toBe('Einstellungen geändert: language.');
    const refused = await audit({ event_type: 'bot_command_executed', resource_id: GUILD });
    // Heimdall's refusals run nothing, so they record nothing; Discord's refusal of the outsider ran the command.
    expect(new Set(refused.map((e) => e.actor_id))).toEqual(
      new Set([`discord:${MOD}`, `discord:${OUTSIDER}`]),
    );
  });

  it("posts a linked member's security event to the guild's log channel", async () => {
    expect(await say(MOD, `!settings log <#${LOG_CHANNEL}>`)).toBe('Settings changed: log.');
    // Loki was kicked above: only Thor is still there to be noticed.
    for (const who of [TROLL, MEMBER]) {
      const ban = await call(t.url, 'POST', `/v1/users/${users[who]}/ban`, {
        key: admin,
        body: { reason: 'chaos' },
      });
      expect(ban.status).toBe(200);
    }
    await waitUntil(() => discord.messages.some((m) => m.channelId === LOG_CHANNEL), 'the log notice');
    await host.idle();
    const notices = discord.messages.filter((m) => m.channelId === LOG_CHANNEL);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.content).toMatch(
      /^Security notice for discord .+: banned from Heimdall \(.+ UTC\)\.$/,
    );
  });

  it('survives a dropped gateway: it resumes and answers what was said meanwhile', async () => {
    const identified = discord.identifyCount;
    discord.dropConnection();
    expect(await say(MOD, `!warnings <@${TROLL}>`)).toMatch(
      /^Loki has 1 warning\(s\) here: \d{4}-\d\d-\d\d spoilers$/,
    );
    expect(discord.resumeCount).toBeGreaterThanOrEqual(1);
    expect(discord.identifyCount).toBe(identified);
    const health = await fetch(`${host.healthUrl}/health`);
    expect(health.status).toBe(200);
  });
});
