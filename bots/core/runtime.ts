import type { HeimdallClient } from '../../sdk/rest/index.js';
import type { BotPlatform, BotUser, IncomingMessage } from './adapter.js';
import { ArgParseError, parseArgs, splitCommand, usage, type ArgSpec, type RawArg } from './args.js';
import {
  recordAuditEvent,
  SOURCE_SERVICE,
  summarizeArgs,
  type BotAuditEventType,
  type BotSourceService,
} from './audit.js';
import type { ArgValue, Command, CommandContext, CommandRegistry } from './commands.js';
import { Cooldowns } from './cooldowns.js';
import { languageOf, translate, type MessageKey } from './i18n.js';
import { botChannel, type BotEventPublisher } from './realtime.js';
import type { ModerationOptions, PlatformAction, RuntimeAdapter } from './platform.js';
import { CommunitySettingsStore, type CommunitySettings, type SettingsChange } from './settings.js';

export type { RuntimeAdapter } from './platform.js';

export interface BotRuntimeOptions {
  /** The REST client, with a credential holding `audit:write`, `settings:read`, `settings:write` and `<platform>:read`. */
  client: HeimdallClient;
  adapter: RuntimeAdapter;
  commands: CommandRegistry;
  /** This bot's id on its platform (the application or user id), naming its realtime channel; a function when the platform tells it on connecting. */
  botId: string | (() => string);
  /** Where a person links a platform account: `<heimdall>/account/accounts`. */
  linkUrl: string;
  /** Publishes on the bot's realtime channel (realtimePublisher over the SDK's client); none: no events. */
  publish?: BotEventPublisher;
  /** The audit `source_service`; the platform's bot by default (required for YouTube, which has none). */
  sourceService?: BotSourceService;
  /**
   * Run a command for a person whose role requires 2FA (Heimdall's `two_factor_session_required`). A chat
   * message proves no second factor, so by default such a person is refused.
   */
  allowWithoutTwoFactor?: boolean;
  /** Answer "unknown command" to a prefixed line no command matches; by default only on Discord. */
  answerUnknownCommands?: boolean;
  settings?: CommunitySettingsStore;
  now?: () => number;
  /** Failures that are the bot's, not the author's: audit or realtime unreachable, a handler throwing. */
  onError?: (err: unknown, context: string) => void;
}

/** What a person links in Heimdall to be known on a platform: YouTube authors are Google accounts' channels. */
const LINKED_PLATFORM_NAMES: Record<BotPlatform, string> = {
  discord: 'Discord',
  twitch: 'Twitch',
  youtube: 'Google (YouTube)',
};

/** How long someone refused is neither checked again nor answered. */
const REFUSAL_QUIET_MS = 30_000;

/** What became of a message: for adapters' logs and for tests. */
export type Outcome =
  | 'ignored'
  | 'unknown_command'
  | 'parse_error'
  | 'cooldown'
  | 'not_linked'
  | 'not_allowed'
  | 'succeeded'
  | 'failed';

type Permit = { ok: true; userId: string | undefined } | { ok: false; reply: MessageKey };

/**
 * The platform-neutral bot: takes a chat message from an adapter, finds the command after the community's
 * prefix, parses its arguments, enforces the cooldown, asks Heimdall whether the author may run it, runs it,
 * and records the run in Heimdall's audit log and on the bot's realtime channel. Replies to the author are in
 * the community's language.
 */
export class BotRuntime {
  readonly settings: CommunitySettingsStore;
  private readonly cooldowns: Cooldowns;

  constructor(private readonly options: BotRuntimeOptions) {
    this.settings = options.settings ?? new CommunitySettingsStore(options.client, { now: options.now });
    this.cooldowns = new Cooldowns(options.now);
    if (typeof options.botId === 'string') botChannel(options.adapter.platform, options.botId);
  }

  get client(): HeimdallClient {
    return this.options.client;
  }

  get adapter(): RuntimeAdapter {
    return this.options.adapter;
  }

  /** Discord's commands are the bot's own (registered); in a Twitch or YouTube chat other bots share the prefix. */
  private answersUnknownCommands(): boolean {
    return this.options.answerUnknownCommands ?? this.options.adapter.platform === 'discord';
  }

  botId(): string {
    return typeof this.options.botId === 'string' ? this.options.botId : this.options.botId();
  }

  async handle(message: IncomingMessage): Promise<Outcome> {
    let settings: CommunitySettings;
    try {
      settings = await this.settings.get(message.platform, message.communityId);
    } catch (err) {
      // Without the settings there is no prefix to tell a command by; a slash command is one, and waits for an answer.
      this.options.onError?.(err, 'community settings');
      if (message.slash) {
        await message.reply(
          translate(languageOf(message.locale), 'error', { command: message.text.split(' ')[0]! }),
        );
      }
      return 'failed';
    }
    if (!message.slash && !message.text.startsWith(settings.prefix)) return 'ignored';
    const line = splitCommand(message.slash ? message.text : message.text.slice(settings.prefix.length));
    if (!line) return 'ignored';
    const language = settings.language ?? languageOf(message.locale);
    const say = (key: MessageKey, vars: Record<string, string | number> = {}) =>
      message.reply(translate(language, key, vars));

    const command = this.options.commands.find(line.name);
    if (!command) {
      // In a shared chat other bots answer to the same prefix: answering every command they own is noise.
      if (message.slash || this.answersUnknownCommands())
        await say('unknown_command', { command: line.name });
      return 'unknown_command';
    }
    const specs = command.args ?? [];
    const usageLine = `${message.slash ? '/' : settings.prefix}${usage(command.name, specs)}`;
    const parseFailed = async (err: unknown): Promise<Outcome> => {
      if (!(err instanceof ArgParseError)) throw err;
      await say(
        err.code === 'invalid_argument' && err.argument?.kind === 'user' ? 'unknown_user' : err.code,
        {
          argument: err.argument?.name ?? '',
          value: err.value ?? '',
          kind: err.argument ? translate(language, `kind_${err.argument.kind}`) : '',
          usage: usageLine,
        },
      );
      return 'parse_error';
    };
    let raw: Record<string, RawArg>;
    try {
      raw = parseArgs(specs, line.rest);
    } catch (err) {
      return parseFailed(err);
    }

    const cooldownKey = [message.platform, message.communityId, message.authorId, command.name].join(
      '\u0000',
    );
    const left = this.cooldowns.remaining(cooldownKey);
    if (left > 0) {
      await say('cooldown', { seconds: Math.ceil(left / 1000), command: command.name });
      return 'cooldown';
    }
    // Someone refused a moment ago is not asked about again, nor answered: refusals cost a check and a reply.
    const refusalKey = ['refused', message.platform, message.communityId, message.authorId].join('\u0000');
    if (command.permission && this.cooldowns.remaining(refusalKey) > 0) return 'cooldown';

    let permit: Permit;
    try {
      permit = await this.permit(command, message);
    } catch (err) {
      // Heimdall unreachable or refusing the bot's own credential: not the author's doing, and not a yes.
      this.options.onError?.(err, `permission check for ${command.name}`);
      await say('error', { command: command.name });
      return 'failed';
    }
    if (!permit.ok) {
      this.cooldowns.start(refusalKey, REFUSAL_QUIET_MS);
      await say(permit.reply, {
        command: command.name,
        platform: LINKED_PLATFORM_NAMES[message.platform],
        url: this.options.linkUrl,
      });
      return permit.reply === 'not_linked' ? 'not_linked' : 'not_allowed';
    }
    // Mentions are looked up at the platform only for someone allowed to run the command.
    let args: Record<string, ArgValue>;
    try {
      args = await this.resolve(specs, raw, message);
    } catch (err) {
      return parseFailed(err);
    }

    this.cooldowns.start(cooldownKey, command.cooldownMs ?? 0);
    let failure: unknown;
    try {
      await command.handler({
        message,
        args,
        heimdallUserId: permit.userId,
        language,
        reply: (text) => message.reply(text),
      });
    } catch (err) {
      failure = err;
      this.options.onError?.(err, `command ${command.name}`);
      await say('error', { command: command.name });
    }
    await this.recordRun(message, command, summarizeArgs(specs, raw), permit.userId, failure);
    return failure === undefined ? 'succeeded' : 'failed';
  }

  /**
   * Changes a community's settings and records who did it as `bot_config_changed`. The runtime does not decide
   * who may: a command that calls this should name a permission.
   */
  async configure(
    message: Pick<IncomingMessage, 'platform' | 'communityId' | 'authorId'>,
    patch: Partial<CommunitySettings>,
    heimdallUserId?: string,
  ): Promise<SettingsChange> {
    const change = await this.settings.update(message.platform, message.communityId, patch);
    if (change.changed.length === 0) return change;
    await this.audit({
      // The first settings a community gets are the bot being set up there.
      eventType: change.created ? 'bot_guild_configured' : 'bot_config_changed',
      message,
      userId: heimdallUserId,
      description: `Changed ${change.changed.join(', ') || 'nothing'}`,
      metadata: { changed: change.changed, before: change.before, after: change.after },
    });
    return change;
  }

  /** Mentions resolved by the adapter; one it cannot resolve is the author's mistake, like a bad number. */
  private async resolve(
    specs: readonly ArgSpec[],
    raw: Record<string, RawArg>,
    message: IncomingMessage,
  ): Promise<Record<string, ArgValue>> {
    const args: Record<string, ArgValue> = {};
    for (const spec of specs) {
      const arg = raw[spec.name];
      if (!arg) continue;
      if (arg.kind !== 'user') {
        args[spec.name] = arg.value;
        continue;
      }
      const user = await this.options.adapter.resolveMention(arg.mention, message);
      if (!user) throw new ArgParseError('invalid_argument', spec, arg.mention);
      args[spec.name] = user;
    }
    return args;
  }

  private async permit(command: Command, message: IncomingMessage): Promise<Permit> {
    if (!command.permission) return { ok: true, userId: undefined };
    const check = await this.options.client.platformCheck(
      message.platform,
      message.authorId,
      command.permission,
    );
    if (!check.linked) return { ok: false, reply: 'not_linked' };
    if (!check.allowed) return { ok: false, reply: 'not_allowed' };
    if (check.two_factor_session_required && !this.options.allowWithoutTwoFactor) {
      return { ok: false, reply: 'two_factor_required' };
    }
    return { ok: true, userId: check.user_id ?? undefined };
  }

  private async recordRun(
    message: IncomingMessage,
    command: Command,
    args: Record<string, string | number>,
    userId: string | undefined,
    failure: unknown,
  ): Promise<void> {
    const metadata = {
      platform: message.platform,
      community: message.communityId,
      command: command.name,
      args,
      author_platform_id: message.authorId,
      ...(userId ? { heimdall_user_id: userId } : {}),
    };
    await this.audit({
      eventType: 'bot_command_executed',
      message,
      userId,
      status: failure === undefined ? 'success' : 'failure',
      description: `Ran ${command.name}`,
      metadata,
      ...(failure === undefined ? {} : { errorMessage: String((failure as Error)?.message ?? failure) }),
    });
    await this.publishEvent(message.platform, 'command', {
      ...metadata,
      status: failure === undefined ? 'success' : 'failure',
    });
  }

  /**
   * Carries a moderation action out on the platform for the command's author, and records it as
   * `bot_moderation_action` (a failure too, with the platform's refusal) and on the bot's channel. The command
   * names the permission; this does not decide who may. Throws what the platform threw.
   */
  async moderate(
    context: Pick<CommandContext, 'message' | 'heimdallUserId'>,
    action: PlatformAction,
    user: BotUser,
    options: ModerationOptions = {},
  ): Promise<void> {
    const moderator = this.options.adapter.moderator;
    if (!moderator?.actions.includes(action)) {
      throw new Error(`${this.options.adapter.platform} cannot ${action}.`);
    }
    let failure: unknown;
    try {
      await moderator.moderate(context.message.communityId, action, user, {
        ...options,
        by: { id: context.message.authorId, platformModerator: context.message.platformModerator },
      });
    } catch (err) {
      failure = err;
    }
    await this.recordModeration(context, action, user, options, failure);
    if (failure !== undefined) throw failure;
  }

  /** Records a moderation action done elsewhere (a warning Heimdall keeps) on the bot's channel; and audits it unless Heimdall did. */
  async recordModeration(
    context: Pick<CommandContext, 'message' | 'heimdallUserId'>,
    action: PlatformAction | 'warn',
    user: BotUser,
    options: ModerationOptions & { warningId?: string } = {},
    failure?: unknown,
  ): Promise<void> {
    const { message, heimdallUserId } = context;
    const metadata = {
      action,
      platform: message.platform,
      community: message.communityId,
      member_platform_id: user.id,
      member_name: user.name,
      reason: options.reason ?? null,
      ...(options.durationMs === undefined
        ? {}
        : { duration_seconds: Math.round(options.durationMs / 1000) }),
      ...(options.warningId ? { warning_id: options.warningId } : {}),
      moderator_platform_id: message.authorId,
      ...(heimdallUserId ? { heimdall_user_id: heimdallUserId } : {}),
    };
    // Heimdall records the warnings it keeps itself.
    if (action !== 'warn') {
      await this.audit({
        eventType: 'bot_moderation_action',
        message,
        userId: heimdallUserId,
        status: failure === undefined ? 'success' : 'failure',
        description: `${action} ${user.name}`,
        metadata,
        ...(failure === undefined ? {} : { errorMessage: String((failure as Error)?.message ?? failure) }),
      });
    }
    await this.publishEvent(message.platform, 'moderation', {
      ...metadata,
      status: failure === undefined ? 'success' : 'failure',
    });
  }

  /** A platform event (a stream going online) or anything else for the bot's channel; failures go to onError. */
  async publishEvent(platform: BotPlatform, type: string, data: Record<string, unknown>): Promise<void> {
    if (!this.options.publish) return;
    try {
      await this.options.publish(botChannel(platform, this.botId()), { type, data });
    } catch (err) {
      this.options.onError?.(err, 'realtime publish');
    }
  }

  /** Audit failures are logged, not answered: the author's command already ran. */
  private async audit(event: {
    eventType: BotAuditEventType;
    message: Pick<IncomingMessage, 'platform' | 'communityId' | 'authorId'>;
    userId: string | undefined;
    status?: 'success' | 'failure';
    description: string;
    metadata: Record<string, unknown>;
    errorMessage?: string;
  }): Promise<void> {
    const { platform, communityId, authorId } = event.message;
    const sourceService = this.options.sourceService ?? SOURCE_SERVICE[platform];
    await recordAuditEvent(this.options.client, {
      eventType: event.eventType,
      sourceService,
      status: event.status ?? 'success',
      userId: event.userId,
      actorId: `${platform}:${authorId}`,
      community: { platform, id: communityId },
      description: event.description,
      metadata: event.metadata,
      ...(event.errorMessage ? { errorMessage: event.errorMessage } : {}),
    }).catch((err: unknown) => this.options.onError?.(err, 'audit'));
  }
}
