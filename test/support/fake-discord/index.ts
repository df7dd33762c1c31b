import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, INTENT } from './gateway.js';
import {
  channelPayload,
  guildPayload,
  guildState,
  memberPayload,
  messagePayload,
  snowflake,
  userPayload,
  type FakeDiscordGuild,
  type FakeDiscordUser,
  type GuildState,
  type MemberState,
  type PostedMessage,
} from './model.js';
import { fail, noContent, ok, restHandler, route, type RestAnswer, type Route } from './rest.js';

export type { FakeDiscordGuild, FakeDiscordMember, FakeDiscordUser, PostedMessage } from './model.js';

/** Discord's limit on a timeout: 28 days ahead. */
const MAX_TIMEOUT_MS = 28 * 24 * 3_600_000;
/** Application command option types (discord.com/developers/docs/interactions/application-commands). */
const OPTION_TYPE = { string: 3, integer: 4, user: 6 } as const;
const COMMAND_NAME = /^[-_'\p{L}\p{N}]{1,32}$/u;

export interface ModerationRecord {
  action: 'timeout' | 'kick' | 'ban';
  guildId: string;
  userId: string;
  /** For a timeout: `communication_disabled_until` as sent (null lifts it). */
  until?: string | null;
  /** X-Audit-Log-Reason, decoded. */
  reason: string | undefined;
}

export interface InteractionReply {
  interactionId: string;
  /** `callback` the interaction response, `followup` a webhook message after it, `edit` of the original. */
  kind: 'callback' | 'followup' | 'edit';
  /** The callback's type: 4 a message, 5 deferred. */
  type?: number;
  content: string | undefined;
  flags: number | undefined;
}

export interface RegisteredCommand {
  id: string;
  name: string;
  description: string;
  options: { name: string; description: string; type: number; required?: boolean }[];
}

export interface FakeDiscordOptions {
  guilds: FakeDiscordGuild[];
  /** The bot's user; its id is the application's id too, as for every bot made since 2017. */
  bot?: FakeDiscordUser;
  heartbeatIntervalMs?: number;
  /** The privileged intents switched on in the developer portal; both by default. */
  privilegedIntents?: { messageContent?: boolean; guildMembers?: boolean };
}

export interface FakeDiscord {
  restUrl: string;
  gatewayUrl: string;
  botToken: string;
  bot: FakeDiscordUser;
  applicationId: string;
  /** A member writes in a channel; returns the message id. */
  sendMessage(
    guildId: string,
    channelId: string,
    authorId: string,
    content: string,
    opts?: { replyTo?: string },
  ): string;
  /** A member runs a registered slash command; option values by name (users as ids). Returns the interaction id. */
  invokeSlash(
    guildId: string,
    channelId: string,
    memberId: string,
    name: string,
    options: Record<string, string | number>,
    locale?: string,
  ): string;
  /** A member's roles change (someone edited them in Discord): GUILD_MEMBER_UPDATE. */
  setMemberRoles(guildId: string, userId: string, roles: string[]): void;
  /** Messages posted through the REST API (the bot's), in order. */
  messages: PostedMessage[];
  interactionReplies: InteractionReply[];
  moderation: ModerationRecord[];
  /** By `global` or guild id: what the application registered last. */
  registeredCommands: Map<string, RegisteredCommand[]>;
  member(guildId: string, userId: string): MemberState | undefined;
  /** Ends the gateway sockets abnormally: the client must RESUME. */
  dropConnection(): void;
  /** Forgets the gateway sessions: a RESUME is answered with INVALID_SESSION and the client identifies anew. */
  invalidateSessions(): void;
  readonly identifyCount: number;
  /** RESUMEs accepted; one refused with INVALID_SESSION is not counted. */
  readonly resumeCount: number;
  /** Gateway sessions with a socket now. */
  connectedSessions(): number;
  close(): Promise<void>;
}

interface PendingInteraction {
  id: string;
  token: string;
  guildId: string;
  channelId: string;
  user: FakeDiscordUser;
  acknowledged: boolean;
}

/**
 * A Discord on loopback for discord.js and the bot adapter: the REST API under `/api/v10` and the gateway on
 * the same port, speaking Discord's wire protocol (JSON encoding, no compression).
 */
export async function startFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const bot: FakeDiscordUser = options.bot ?? { id: snowflake(), username: 'Heimdall', bot: true };
  const applicationId = bot.id;
  const botToken = `${Buffer.from(bot.id).toString('base64url')}.${randomBytes(20).toString('base64url')}`;
  const guilds = new Map<string, GuildState>(options.guilds.map((g) => [g.id, guildState(g, bot)]));
  /** Everyone Discord knows here: members stay known after they leave a guild (a ban may still name them). */
  const knownUsers = new Map<string, FakeDiscordUser>(
    [bot, ...options.guilds.flatMap((g) => g.members ?? [])].map((u) => [u.id, u]),
  );
  const messages: PostedMessage[] = [];
  const interactionReplies: InteractionReply[] = [];
  const moderation: ModerationRecord[] = [];
  const registeredCommands = new Map<string, RegisteredCommand[]>();
  const interactions = new Map<string, PendingInteraction>();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gatewayUrl = `ws://${base}/gateway`;
  const privileged = options.privilegedIntents ?? {};

  const guildEvent = (guild: GuildState, intents: number) => ({
    t: 'GUILD_CREATE',
    d: guildPayload(guild, (intents & INTENT.guildMembers) !== 0, bot.id),
  });
  const gateway = new FakeGateway(
    {
      token: botToken,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents:
        (privileged.guildMembers === false ? 0 : INTENT.guildMembers) |
        (privileged.messageContent === false ? 0 : INTENT.messageContent),
      ready: (session, resumeUrl) => ({
        v: 10,
        user: { ...userPayload(bot), verified: true, mfa_enabled: false, email: null },
        guilds: [...guilds.keys()].map((id) => ({ id, unavailable: true })),
        session_id: session.id,
        resume_gateway_url: resumeUrl,
        session_type: 'normal',
        shard: [0, 1],
        application: { id: applicationId, flags: 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        guild_join_requests: [],
        geo_ordered_rtc_regions: [],
        user_settings: {},
        _trace: ['fake-discord'],
      }),
      afterReady: (intents) => [...guilds.values()].map((g) => guildEvent(g, intents)),
    },
    { gateway: gatewayUrl, resume: `ws://${base}/resume` },
  );

  const guildOf = (id: string) => guilds.get(id);
  const channelOf = (id: string) => {
    for (const guild of guilds.values()) {
      const index = guild.channels.findIndex((c) => c.id === id);
      if (index !== -1) return { guild, channel: guild.channels[index]!, index };
    }
    return undefined;
  };
  const unknownGuild = () => fail(404, 10004, 'Unknown Guild');
  const unknownMember = () => fail(404, 10007, 'Unknown Member');
  const invalidForm = (field: string, message: string) => ({
    status: 400,
    body: {
      message: 'Invalid Form Body',
      code: 50035,
      errors: { [field]: { _errors: [{ code: 'BASE_TYPE_INVALID', message }] } },
    },
  });
  const memberUpdate = (guild: GuildState, member: MemberState) =>
    gateway.dispatch('GUILD_MEMBER_UPDATE', { guild_id: guild.id, ...memberPayload(member) });
  const removeMember = (guild: GuildState, userId: string) => {
    const member = guild.members.get(userId);
    if (!member) return;
    guild.members.delete(userId);
    gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: guild.id, user: userPayload(member.user) });
  };

  /** Posts as `author` and dispatches MESSAGE_CREATE, content blanked for sessions without MESSAGE_CONTENT. */
  const createMessage = (
    guild: GuildState,
    channelId: string,
    author: FakeDiscordUser,
    content: string,
    replyTo?: string,
  ) => {
    const message = { id: snowflake(), channelId, guildId: guild.id, content, replyTo };
    const payload = messagePayload(message, author, guild.members.get(author.id));
    const readable = author.id === bot.id || content.includes(`<@${bot.id}>`);
    gateway.dispatch('MESSAGE_CREATE', payload, (intents) =>
      readable || (intents & INTENT.messageContent) !== 0 ? payload : { ...payload, content: '' },
    );
    return { message, payload };
  };

  const registerCommands = (scope: string, body: unknown): RestAnswer => {
    if (!Array.isArray(body) || body.length > 100) return invalidForm('_', 'Must be an array of at most 100');
    const commands: RegisteredCommand[] = [];
    for (const [i, raw] of (body as Record<string, unknown>[]).entries()) {
      const { name, description } = raw;
      const opts = (raw.options ?? []) as RegisteredCommand['options'];
      if (typeof name !== 'string' || !COMMAND_NAME.test(name) || name !== name.toLowerCase()) {
        return invalidForm(`${i}.name`, 'Command name is invalid');
      }
      if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
        return invalidForm(`${i}.description`, 'Must be between 1 and 100 in length.');
      }
      if (!Array.isArray(opts) || opts.length > 25) return invalidForm(`${i}.options`, 'At most 25');
      for (const [j, option] of opts.entries()) {
        if (!COMMAND_NAME.test(option.name) || !option.description || option.description.length > 100) {
          return invalidForm(`${i}.options.${j}`, 'Option name or description is invalid');
        }
        if (option.required && opts.slice(0, j).some((o) => !o.required)) {
          return invalidForm(`${i}.options`, 'Required options must be placed before non-required options');
        }
      }
      commands.push({ id: snowflake(), name, description, options: opts });
    }
    registeredCommands.set(scope, commands);
    return ok(
      commands.map((c) => ({
        ...c,
        type: 1,
        application_id: applicationId,
        version: snowflake(),
        default_member_permissions: null,
        nsfw: false,
        ...(scope === 'global' ? {} : { guild_id: scope }),
      })),
    );
  };

  const interactionMessage = (interaction: PendingInteraction, content: string | undefined) => ({
    ...messagePayload(
      { id: snowflake(), channelId: interaction.channelId, content: content ?? '' },
      { ...bot, bot: true },
    ),
    webhook_id: applicationId,
    application_id: applicationId,
    interaction_metadata: {
      id: interaction.id,
      type: 2,
      user: userPayload(interaction.user),
      authorizing_integration_owners: { '0': interaction.guildId },
    },
  });
  const byToken = (app: string, token: string) =>
    app === applicationId ? [...interactions.values()].find((i) => i.token === token) : undefined;
  const recordReply = (
    interaction: PendingInteraction,
    kind: InteractionReply['kind'],
    data: { content?: string; flags?: number } | undefined,
    type?: number,
  ) =>
    interactionReplies.push({
      interactionId: interaction.id,
      kind,
      ...(type === undefined ? {} : { type }),
      content: data?.content,
      flags: data?.flags,
    });

  /** A follow-up or an edit of the original: only once the interaction was answered, as Discord has it. */
  const webhookRoute = (method: string, path: string, kind: 'followup' | 'edit') =>
    route(
      method,
      path,
      ({ params: [app, token], body }) => {
        const interaction = byToken(app!, token!);
        if (!interaction?.acknowledged) return fail(404, 10015, 'Unknown Webhook');
        const data = body as { content?: string; flags?: number };
        recordReply(interaction, kind, data);
        return ok(interactionMessage(interaction, data.content));
      },
      { auth: false },
    );

  const routes: Route[] = [
    route('GET', '/gateway', () => ok({ url: gatewayUrl }), { auth: false }),
    route('GET', '/gateway/bot', () =>
      ok({
        url: gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      }),
    ),
    route('GET', '/users/@me', () => ok(userPayload(bot))),
    route('GET', '/users/:user', ({ params: [userId] }) => {
      const user = knownUsers.get(userId!);
      return user ? ok(userPayload(user)) : fail(404, 10013, 'Unknown User');
    }),
    route('GET', '/applications/@me', () =>
      ok({ id: applicationId, name: bot.username, bot: userPayload(bot), flags: 0 }),
    ),
    route('PUT', '/applications/:app/commands', ({ params: [app], body }) =>
      app === applicationId ? registerCommands('global', body) : fail(403, 50001, 'Missing Access'),
    ),
    route('PUT', '/applications/:app/guilds/:guild/commands', ({ params: [app, guildId], body }) =>
      app === applicationId && guildOf(guildId!)
        ? registerCommands(guildId!, body)
        : fail(403, 50001, 'Missing Access'),
    ),
    route(
      'POST',
      '/interactions/:id/:token/callback',
      ({ params: [id, token], body, query }) => {
        const interaction = interactions.get(id!);
        if (!interaction || interaction.token !== token) return fail(404, 10062, 'Unknown interaction');
        if (interaction.acknowledged) {
          return fail(400, 40060, 'Interaction has already been acknowledged.');
        }
        const { type, data } = body as { type: number; data?: { content?: string; flags?: number } };
        if (type !== 4 && type !== 5) return invalidForm('type', 'Unsupported callback type');
        interaction.acknowledged = true;
        recordReply(interaction, 'callback', data, type);
        if (query.get('with_response') !== 'true') return noContent();
        return ok({
          interaction: { id: interaction.id, type: 2, response_message_loading: type === 5 },
          resource: { type, message: interactionMessage(interaction, data?.content) },
        });
      },
      { auth: false },
    ),
    webhookRoute('POST', '/webhooks/:app/:token', 'followup'),
    webhookRoute('PATCH', '/webhooks/:app/:token/messages/@original', 'edit'),
    route('GET', '/channels/:id', ({ params: [id] }) => {
      const found = channelOf(id!);
      return found
        ? ok(channelPayload(found.guild, found.channel, found.index))
        : fail(404, 10003, 'Unknown Channel');
    }),
    route('POST', '/channels/:id/messages', ({ params: [id], body }) => {
      const found = channelOf(id!);
      if (!found) return fail(404, 10003, 'Unknown Channel');
      const { content, message_reference } = body as {
        content?: unknown;
        message_reference?: { message_id?: string };
      };
      if (typeof content !== 'string' || content.length === 0 || content.length > 2000) {
        return invalidForm('content', 'Must be between 1 and 2000 in length.');
      }
      const { message, payload } = createMessage(
        found.guild,
        id!,
        bot,
        content,
        message_reference?.message_id,
      );
      messages.push({
        id: message.id,
        channelId: id!,
        content,
        ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      });
      return ok(payload);
    }),
    route('GET', '/guilds/:guild', ({ params: [guildId] }) => {
      const guild = guildOf(guildId!);
      return guild ? ok(guildPayload(guild, false, bot.id)) : unknownGuild();
    }),
    route('GET', '/guilds/:guild/members/:user', ({ params: [guildId, userId] }) => {
      const guild = guildOf(guildId!);
      if (!guild) return unknownGuild();
      const member = guild.members.get(userId!);
      return member ? ok(memberPayload(member)) : unknownMember();
    }),
    route('PATCH', '/guilds/:guild/members/:user', ({ params: [guildId, userId], body, reason }) => {
      const guild = guildOf(guildId!);
      if (!guild) return unknownGuild();
      const member = guild.members.get(userId!);
      if (!member) return unknownMember();
      const patch = body as { communication_disabled_until?: string | null };
      if (patch.communication_disabled_until !== undefined) {
        const until = patch.communication_disabled_until;
        if (until !== null) {
          const at = Date.parse(until);
          if (Number.isNaN(at) || at > Date.now() + MAX_TIMEOUT_MS) {
            return invalidForm(
              'communication_disabled_until',
              'Cannot time out a member for more than 28 days.',
            );
          }
        }
        member.communicationDisabledUntil = until;
        moderation.push({ action: 'timeout', guildId: guild.id, userId: userId!, until, reason });
      }
      memberUpdate(guild, member);
      return ok(memberPayload(member));
    }),
    route('DELETE', '/guilds/:guild/members/:user', ({ params: [guildId, userId], reason }) => {
      const guild = guildOf(guildId!);
      if (!guild) return unknownGuild();
      if (!guild.members.has(userId!)) return unknownMember();
      moderation.push({ action: 'kick', guildId: guild.id, userId: userId!, reason });
      removeMember(guild, userId!);
      return noContent();
    }),
    route('PUT', '/guilds/:guild/bans/:user', ({ params: [guildId, userId], reason }) => {
      const guild = guildOf(guildId!);
      if (!guild) return unknownGuild();
      const user = guild.members.get(userId!)?.user ?? { id: userId!, username: `user${userId}` };
      guild.bans.add(userId!);
      moderation.push({ action: 'ban', guildId: guild.id, userId: userId!, reason });
      removeMember(guild, userId!);
      gateway.dispatch('GUILD_BAN_ADD', { guild_id: guild.id, user: userPayload(user) });
      return noContent();
    }),
  ];

  const rest = restHandler(routes, botToken);
  server.on('request', (request, response) => void rest(request, response));
  server.on('upgrade', (request, socket, head) => {
    if (!gateway.upgrade(request, socket, head)) socket.destroy();
  });

  const requireMember = (guildId: string, userId: string) => {
    const guild = guildOf(guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) throw new Error(`fake Discord: ${userId} is not a member of guild ${guildId}`);
    return { guild, member };
  };

  return {
    restUrl: `http://${base}/api`,
    gatewayUrl,
    botToken,
    bot,
    applicationId,
    messages,
    interactionReplies,
    moderation,
    registeredCommands,
    sendMessage(guildId, channelId, authorId, content, opts = {}) {
      const { guild, member } = requireMember(guildId, authorId);
      if (!channelOf(channelId)) throw new Error(`fake Discord: no channel ${channelId}`);
      return createMessage(guild, channelId, member.user, content, opts.replyTo).message.id;
    },
    invokeSlash(guildId, channelId, memberId, name, values, locale = 'en-US') {
      const { guild, member } = requireMember(guildId, memberId);
      const found = channelOf(channelId);
      if (!found) throw new Error(`fake Discord: no channel ${channelId}`);
      const command = [
        ...(registeredCommands.get(guildId) ?? []),
        ...(registeredCommands.get('global') ?? []),
      ].find((c) => c.name === name);
      if (!command) throw new Error(`fake Discord: /${name} is not registered`);
      const users: Record<string, unknown> = {};
      const members: Record<string, unknown> = {};
      const options = Object.entries(values).map(([optionName, value]) => {
        const option = command.options.find((o) => o.name === optionName);
        if (!option) throw new Error(`fake Discord: /${name} has no option ${optionName}`);
        if (option.type === OPTION_TYPE.user) {
          const target = guild.members.get(String(value));
          users[String(value)] = userPayload(target?.user ?? { id: String(value), username: `user${value}` });
          if (target) {
            const { user: _user, ...rest } = memberPayload(target);
            members[String(value)] = { ...rest, permissions: '0' };
          }
        }
        return { name: optionName, type: option.type, value };
      });
      const interaction: PendingInteraction = {
        id: snowflake(),
        token: randomBytes(24).toString('base64url'),
        guildId,
        channelId,
        user: member.user,
        acknowledged: false,
      };
      interactions.set(interaction.id, interaction);
      gateway.dispatch('INTERACTION_CREATE', {
        id: interaction.id,
        application_id: applicationId,
        type: 2,
        data: {
          id: command.id,
          name,
          type: 1,
          guild_id: guildId,
          options,
          ...(Object.keys(users).length ? { resolved: { users, members } } : {}),
        },
        guild_id: guildId,
        guild: { id: guildId, locale: guild.preferredLocale, features: [] },
        channel_id: channelId,
        channel: channelPayload(guild, found.channel, found.index),
        member: { ...memberPayload(member), permissions: '0' },
        token: interaction.token,
        version: 1,
        locale,
        guild_locale: guild.preferredLocale,
        app_permissions: '1099511627775',
        entitlements: [],
        authorizing_integration_owners: { '0': guildId },
        context: 0,
        attachment_size_limit: 10_485_760,
      });
      return interaction.id;
    },
    setMemberRoles(guildId, userId, roles) {
      const { guild, member } = requireMember(guildId, userId);
      member.roles = [...roles];
      memberUpdate(guild, member);
    },
    member: (guildId, userId) => guildOf(guildId)?.members.get(userId),
    dropConnection: () => gateway.dropConnections(),
    invalidateSessions: () => gateway.invalidateSessions(),
    get identifyCount() {
      return gateway.identifyCount;
    },
    get resumeCount() {
      return gateway.resumeCount;
    },
    connectedSessions: () => gateway.connectedSessions(),
    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
