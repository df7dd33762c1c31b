import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type ChatInputCommandInteraction,
  type Guild,
  type GuildMember,
  type Message,
  type PartialGuildMember,
} from 'discord.js';
import type { BotUser, IncomingMessage } from '../core/adapter.js';
import type { Command } from '../core/commands.js';
import { languageOf, translate } from '../core/i18n.js';
import { usage } from '../core/args.js';
import {
  PlatformRefusal,
  type LogPoster,
  type Moderator,
  type ModerationOptions,
  type PlatformAction,
  type PlatformBot,
} from '../core/platform.js';
import { slashCommand, slashText } from './slash.js';

/** Discord times a member out for at most 28 days. */
export const MAX_TIMEOUT_MS = 28 * 24 * 3_600_000;
/** Discord's limit on a message's content. */
const MAX_CONTENT = 2000;
/** Discord drops an interaction not answered within 3 seconds; deferring buys 15 minutes. */
const DEFER_AFTER_MS = 2_000;

export interface DiscordBotOptions {
  token: string;
  /** Discord's REST base, without the version: `https://discord.com/api` (a test's fake Discord elsewhere). */
  apiUrl?: string;
  /**
   * Discord's global request limit for this bot: 50 a second unless Discord raised it for the bot. At that limit a
   * bot answering 50 commands a second has no room left, and replies queue.
   */
  requestsPerSecond?: number;
  /** Register commands in these guilds (at once) rather than globally (which Discord spreads slowly). */
  guildIds?: readonly string[];
  /** Failures that reach no one: a reply that could not be sent, a gateway error. */
  onError?: (err: unknown, context: string) => void;
}

export interface DiscordBot extends PlatformBot {
  readonly adapter: PlatformBot['adapter'] & { moderator: Moderator; log: LogPoster };
  /** The discord.js client, for what the adapter does not cover. */
  readonly client: Client;
}

const MENTION = /^(?:<@!?(\d{1,20})>|(\d{1,20}))$/;

/** A member who is not (or no longer) in the guild; Discord says so with these codes rather than a 404 alone. */
function isNotMember(err: unknown): boolean {
  return (
    err instanceof DiscordAPIError &&
    (err.code === RESTJSONErrorCodes.UnknownMember || err.code === RESTJSONErrorCodes.UnknownUser)
  );
}

const clip = (text: string) => (text.length > MAX_CONTENT ? `${text.slice(0, MAX_CONTENT - 1)}…` : text);

function roleChange(before: GuildMember | PartialGuildMember, after: GuildMember) {
  const old = new Set(before.roles.cache.keys());
  const now = new Set(after.roles.cache.keys());
  return {
    added: [...now].filter((id) => !old.has(id)),
    removed: [...old].filter((id) => !now.has(id)),
  };
}

/**
 * The Discord bot on discord.js: commands as slash commands and after the community's prefix, moderation as
 * the bot (timeout, kick, ban, with the reason in Discord's audit log), a log channel, and members' role changes
 * as `member_roles_changed` events.
 */
export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMembers,
    ],
    rest: {
      ...(options.apiUrl ? { api: options.apiUrl } : {}),
      ...(options.requestsPerSecond ? { globalRequestsPerSecond: options.requestsPerSecond } : {}),
    },
    // Replies carry what people typed (a reason, a name): they must not ping @everyone or a role through the bot.
    allowedMentions: { parse: [], repliedUser: true },
  });
  const onError = (err: unknown, context: string) => options.onError?.(err, context);
  let ready = false;
  let commands: readonly Command[] = [];

  client.on(Events.ShardReady, () => (ready = true));
  client.on(Events.ShardResume, () => (ready = true));
  client.on(Events.ShardReconnecting, () => (ready = false));
  client.on(Events.ShardDisconnect, () => (ready = false));
  client.on(Events.ShardError, (err) => onError(err, 'gateway'));
  client.on(Events.Error, (err) => onError(err, 'discord.js'));

  const guild = async (id: string): Promise<Guild> => client.guilds.cache.get(id) ?? client.guilds.fetch(id);

  async function findMember(
    guildId: string,
    userId: string,
    force = false,
  ): Promise<GuildMember | undefined> {
    try {
      return await (await guild(guildId)).members.fetch({ user: userId, force });
    } catch (err) {
      if (isNotMember(err)) return undefined;
      throw err;
    }
  }

  /** Discord's own right for each action: a Heimdall permission alone does not reach into every guild. */
  const RIGHT = {
    timeout: PermissionFlagsBits.ModerateMembers,
    kick: PermissionFlagsBits.KickMembers,
    ban: PermissionFlagsBits.BanMembers,
  } as const;

  /** The author must hold the action's right in this guild and rank above the member, as in Discord's own client. */
  async function mayModerate(communityId: string, action: PlatformAction, by: string, target: BotUser) {
    const server = await guild(communityId);
    const author = await findMember(communityId, by);
    if (!author || !author.permissions.has(RIGHT[action])) {
      throw new PlatformRefusal('not_platform_moderator', `${by} lacks ${action} rights in ${communityId}.`);
    }
    const member = await findMember(communityId, target.id);
    if (!member || author.id === server.ownerId) return;
    if (member.id === server.ownerId || author.roles.highest.comparePositionTo(member.roles.highest) <= 0) {
      throw new PlatformRefusal(
        'member_protected',
        `${target.name} ranks at or above ${author.displayName}.`,
      );
    }
  }

  const moderator: Moderator = {
    actions: ['timeout', 'kick', 'ban'],
    async moderate(communityId: string, action: PlatformAction, user: BotUser, opts: ModerationOptions) {
      // Discord keeps at most 512 characters of a reason in its audit log.
      const reason = opts.reason?.slice(0, 512);
      if (opts.by) await mayModerate(communityId, action, opts.by.id, user);
      if (action === 'ban') {
        // A ban needs no membership: someone who left can be kept from coming back.
        await (await guild(communityId)).bans.create(user.id, reason === undefined ? {} : { reason });
        return;
      }
      const member = await findMember(communityId, user.id);
      if (!member) throw new PlatformRefusal('out_of_range', `${user.name} is not a member of this server.`);
      if (action === 'kick') return void (await member.kick(reason));
      const ms = opts.durationMs;
      if (ms === undefined || ms <= 0) throw new Error('A Discord timeout needs a duration.');
      if (ms > MAX_TIMEOUT_MS) {
        throw new PlatformRefusal('out_of_range', 'Discord times members out for at most 28 days.');
      }
      await member.timeout(ms, reason);
    },
  };

  const log: LogPoster = {
    async postLog(communityId, channelId, text) {
      const channel = await client.channels.fetch(channelId);
      // The setting names a channel id only; one of another guild must not receive this guild's log.
      if (!channel || channel.isDMBased() || channel.guildId !== communityId || !channel.isSendable()) {
        throw new Error(`Channel ${channelId} is not a text channel of guild ${communityId}.`);
      }
      await channel.send({ content: clip(text) });
    },
    async isMember(communityId, platformUserId) {
      return (await findMember(communityId, platformUserId, true)) !== undefined;
    },
    communities: () => [...client.guilds.cache.keys()],
  };

  function fromMessage(message: Message<true>): IncomingMessage {
    return {
      platform: 'discord',
      communityId: message.guildId,
      authorId: message.author.id,
      authorName: message.member?.displayName ?? message.author.displayName,
      text: message.content,
      locale: message.guild.preferredLocale,
      reply: async (text) => void (await message.reply({ content: clip(text) })),
    };
  }

  /**
   * Answers an interaction in order: the first reply as its callback (or the deferred reply's edit), later
   * ones as follow-ups. A reply not ready in time defers the interaction, so Discord does not drop it.
   */
  function interactionReplier(interaction: ChatInputCommandInteraction) {
    let chain = Promise.resolve();
    let answered = false;
    const enqueue = (step: () => Promise<unknown>) => {
      const next = chain.then(step);
      chain = next.then(
        () => undefined,
        () => undefined,
      );
      return next.then(() => undefined);
    };
    const timer = setTimeout(() => {
      if (!answered) void enqueue(() => interaction.deferReply()).catch((err) => onError(err, 'defer reply'));
    }, DEFER_AFTER_MS);
    timer.unref();
    return (text: string) => {
      answered = true;
      clearTimeout(timer);
      return enqueue(() => {
        const content = clip(text);
        if (interaction.replied) return interaction.followUp({ content });
        if (interaction.deferred) return interaction.editReply({ content });
        return interaction.reply({ content });
      });
    };
  }

  function fromInteraction(
    interaction: ChatInputCommandInteraction<'cached' | 'raw'>,
    onMessage: (m: IncomingMessage) => void,
  ) {
    const reply = interactionReplier(interaction);
    const command = commands.find((c) => c.name === interaction.commandName);
    const specs = command?.args ?? [];
    const values = new Map(interaction.options.data.map((o) => [o.name, o.value!] as const));
    const line = slashText(interaction.commandName, specs, values);
    if (!line.ok) {
      const text = translate(languageOf(interaction.locale), 'missing_argument', {
        argument: line.missing.name,
        usage: `/${usage(interaction.commandName, specs)}`,
      });
      return void reply(text).catch((err) => onError(err, 'slash reply'));
    }
    onMessage({
      platform: 'discord',
      communityId: interaction.guildId,
      authorId: interaction.user.id,
      authorName:
        (interaction.member && 'displayName' in interaction.member
          ? interaction.member.displayName
          : undefined) ?? interaction.user.displayName,
      text: line.text,
      slash: true,
      locale: interaction.locale,
      reply,
    });
  }

  return {
    client,
    adapter: {
      platform: 'discord',
      moderator,
      log,
      async resolveMention(mention, message) {
        const id = MENTION.exec(mention.trim());
        const userId = id?.[1] ?? id?.[2];
        if (!userId) return undefined;
        const member = await findMember(message.communityId, userId);
        if (member) return { id: member.id, name: member.displayName };
        // Someone who left can still be banned or warned: Discord still knows the user.
        try {
          const user = await client.users.fetch(userId);
          return { id: user.id, name: user.displayName };
        } catch (err) {
          if (isNotMember(err)) return undefined;
          throw err;
        }
      },
    },
    botId() {
      if (!client.user) throw new Error('The Discord bot has not started: its id comes with READY.');
      return client.user.id;
    },
    async start(handlers) {
      commands = handlers.commands;
      client.on(Events.MessageCreate, (message) => {
        if (message.author.bot || message.webhookId || !message.inGuild()) return;
        handlers.onMessage(fromMessage(message));
      });
      client.on(Events.InteractionCreate, (interaction) => {
        if (!interaction.isChatInputCommand() || !interaction.inGuild()) return;
        fromInteraction(interaction, handlers.onMessage);
      });
      client.on(Events.GuildMemberUpdate, (before, after) => {
        // Without the member cached beforehand there is nothing to compare with.
        if (before.partial) return;
        const { added, removed } = roleChange(before, after);
        if (!added.length && !removed.length) return;
        handlers.onEvent?.('member_roles_changed', {
          guild_id: after.guild.id,
          member_id: after.id,
          added,
          removed,
        });
      });
      const readyAll = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(options.token);
      await readyAll;
      const body = commands.map(slashCommand);
      const application = client.application!;
      if (options.guildIds) {
        for (const guildId of options.guildIds) await application.commands.set(body, guildId);
      } else {
        await application.commands.set(body);
      }
    },
    async stop() {
      ready = false;
      await client.destroy();
    },
    connected: () => ready,
  };
}
