import type { BotPlatform, BotUser } from './adapter.js';
import type { Command, CommandContext } from './commands.js';
import { formatDuration } from './duration.js';
import { translate, type MessageKey } from './i18n.js';
import { PlatformRefusal, type PlatformAction } from './platform.js';
import type { BotRuntime } from './runtime.js';
import { InvalidSettingError, type CommunitySettings } from './settings.js';

type ModerationCommand = 'warn' | 'warnings' | 'timeout' | 'kick' | 'ban' | 'settings';

/**
 * The Heimdall permission each moderation command needs, per platform. Discord's are the guild permissions;
 * Twitch and YouTube have chat ones. Settings are the bot's settings of a community.
 */
export const MODERATION_PERMISSIONS: Record<
  BotPlatform,
  Record<Exclude<ModerationCommand, 'kick'>, string> & { kick?: string }
> = {
  discord: {
    warn: 'discord:guild.warn',
    warnings: 'discord:guild.read',
    timeout: 'discord:guild.timeout',
    kick: 'discord:guild.kick',
    ban: 'discord:guild.ban',
    settings: 'discord:edit',
  },
  twitch: {
    warn: 'twitch:chat.warn',
    warnings: 'twitch:chat.warn',
    timeout: 'twitch:chat.timeout',
    ban: 'twitch:chat.ban',
    settings: 'twitch:edit',
  },
  youtube: {
    warn: 'youtube:chat.warn',
    warnings: 'youtube:chat.warn',
    timeout: 'youtube:chat.timeout',
    ban: 'youtube:chat.ban',
    settings: 'youtube:edit',
  },
};

/** How many of a member's warnings `warnings` shows; the count is always whole. */
const LISTED_WARNINGS = 5;

const say = (context: CommandContext, key: MessageKey, vars: Record<string, string | number> = {}) =>
  context.reply(translate(context.language, key, vars));

const reasonSuffix = (context: CommandContext, reason: unknown) =>
  typeof reason === 'string' ? translate(context.language, 'reason_suffix', { reason }) : '';

const PLATFORM_NAMES: Record<BotPlatform, string> = {
  discord: 'Discord',
  twitch: 'Twitch',
  youtube: 'YouTube',
};

/**
 * The moderation commands on a runtime: warn (kept in Heimdall), warnings, timeout (alias mute), kick, ban, and
 * settings. Only the actions the platform supports are registered (Twitch and YouTube have no kick).
 */
export function moderationCommands(runtime: BotRuntime): Command[] {
  const platform = runtime.adapter.platform;
  const permission = MODERATION_PERMISSIONS[platform];
  const supported = new Set<PlatformAction>(runtime.adapter.moderator?.actions ?? []);

  /** Moderating oneself is refused before anything happens: a slip, never an intention. */
  const target = async (context: CommandContext, command: string): Promise<BotUser | undefined> => {
    const user = context.args.user as BotUser;
    if (user.id === context.message.authorId) {
      await say(context, 'not_yourself', { command });
      return undefined;
    }
    return user;
  };

  const platformAction = (
    name: PlatformAction,
    reply: MessageKey,
    extra: { aliases?: string[]; duration?: boolean } = {},
  ): Command => ({
    name,
    ...(extra.aliases ? { aliases: extra.aliases } : {}),
    args: [
      { name: 'user', kind: 'user' },
      ...(extra.duration ? [{ name: 'duration', kind: 'duration' as const }] : []),
      { name: 'reason', kind: 'text', optional: true },
    ],
    permission: permission[name]!,
    handler: async (context) => {
      const user = await target(context, name);
      if (!user) return;
      const reason = context.args.reason as string | undefined;
      const durationMs = context.args.duration as number | undefined;
      try {
        await runtime.moderate(context, name, user, {
          ...(durationMs === undefined ? {} : { durationMs }),
          ...(reason === undefined ? {} : { reason }),
        });
      } catch (err) {
        if (!(err instanceof PlatformRefusal)) throw err;
        // Recorded as a failed action already; the moderator hears why, in their language.
        return say(context, err.reason, {
          command: name,
          user: user.name,
          platform: PLATFORM_NAMES[platform],
          detail: err.message,
        });
      }
      await say(context, reply, {
        user: user.name,
        reason: reasonSuffix(context, reason),
        ...(durationMs === undefined ? {} : { duration: formatDuration(durationMs) }),
      });
    },
  });

  const commands: Command[] = [
    {
      name: 'warn',
      args: [
        { name: 'user', kind: 'user' },
        { name: 'reason', kind: 'text', optional: true },
      ],
      permission: permission.warn,
      handler: async (context) => {
        const user = await target(context, 'warn');
        if (!user) return;
        const reason = context.args.reason as string | undefined;
        const { message } = context;
        const warning = await runtime.client.post('/v1/bots/{platform}/warnings', {
          params: { path: { platform } },
          body: {
            community_id: message.communityId,
            member: { id: user.id, name: user.name.slice(0, 100) },
            ...(reason === undefined ? {} : { reason: reason.slice(0, 500) }),
            moderator: {
              platform_id: message.authorId,
              ...(context.heimdallUserId ? { user_id: context.heimdallUserId } : {}),
            },
          },
        });
        const { pagination } = await runtime.client.get('/v1/bots/{platform}/warnings', {
          params: {
            path: { platform },
            query: { community_id: message.communityId, member_id: user.id, per_page: 1 },
          },
        });
        await runtime.recordModeration(context, 'warn', user, {
          ...(reason === undefined ? {} : { reason }),
          warningId: warning.id,
        });
        await say(context, 'warned', {
          user: user.name,
          reason: reasonSuffix(context, reason),
          count: pagination.total,
        });
      },
    },
    {
      name: 'warnings',
      args: [{ name: 'user', kind: 'user' }],
      permission: permission.warnings,
      handler: async (context) => {
        const user = context.args.user as BotUser;
        const { data, pagination } = await runtime.client.get('/v1/bots/{platform}/warnings', {
          params: {
            path: { platform },
            query: {
              community_id: context.message.communityId,
              member_id: user.id,
              per_page: LISTED_WARNINGS,
            },
          },
        });
        if (pagination.total === 0) return say(context, 'warnings_none', { user: user.name });
        const list = data
          .map((w) => `${w.created_at.slice(0, 10)}${w.reason ? ` ${w.reason}` : ''}`)
          .join('; ');
        return say(context, 'warnings_list', { user: user.name, count: pagination.total, list });
      },
    },
  ];
  if (supported.has('timeout')) {
    commands.push(platformAction('timeout', 'timed_out', { aliases: ['mute'], duration: true }));
  }
  if (supported.has('kick') && permission.kick) commands.push(platformAction('kick', 'kicked'));
  if (supported.has('ban')) commands.push(platformAction('ban', 'banned'));
  commands.push(settingsCommand(runtime, permission.settings));
  return commands;
}

/** `settings` shows them; `settings prefix ?`, `settings language de|en|auto`, `settings log <channel>|off`. */
function settingsCommand(runtime: BotRuntime, permission: string): Command {
  return {
    name: 'settings',
    args: [
      { name: 'field', kind: 'string', optional: true },
      { name: 'value', kind: 'string', optional: true },
    ],
    permission,
    handler: async (context) => {
      const { message } = context;
      const field = (context.args.field as string | undefined)?.toLowerCase();
      const value = context.args.value as string | undefined;
      if (field === undefined || value === undefined) {
        if (field !== undefined) return say(context, 'setting_unknown', { field });
        const current = await runtime.settings.get(message.platform, message.communityId);
        return say(context, 'settings_show', {
          prefix: current.prefix,
          language: current.language ?? translate(context.language, 'setting_auto'),
          log: current.logChannel ?? translate(context.language, 'setting_none'),
        });
      }
      let patch: Partial<CommunitySettings>;
      if (field === 'prefix') patch = { prefix: value };
      else if (field === 'language') {
        patch = { language: value === 'auto' ? null : (value as CommunitySettings['language']) };
      } else if (field === 'log') {
        // Discord writes a channel mention as <#id>.
        patch = { logChannel: value === 'off' ? null : value.replace(/^<#(\d+)>$/, '$1') };
      } else return say(context, 'setting_unknown', { field });
      try {
        const change = await runtime.configure(message, patch, context.heimdallUserId);
        if (change.changed.length === 0) return say(context, 'settings_unchanged');
        // Named as the command names them.
        const names = change.changed.map((f) => (f === 'logChannel' ? 'log' : f));
        return say(context, 'settings_changed', { changed: names.join(', ') });
      } catch (err) {
        if (!(err instanceof InvalidSettingError)) throw err;
        return say(context, 'settings_invalid', { message: err.message });
      }
    },
  };
}
