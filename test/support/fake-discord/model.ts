/** The guilds, members and channels the fake Discord knows, and how Discord writes them on the wire. */

export interface FakeDiscordUser {
  id: string;
  username: string;
  globalName?: string;
  bot?: boolean;
}

export interface FakeDiscordMember extends FakeDiscordUser {
  nick?: string;
  /** Role ids besides @everyone. */
  roles?: string[];
}

export interface FakeDiscordGuild {
  id: string;
  name?: string;
  /** Discord's `preferred_locale` (`en-US` unless given). */
  preferredLocale?: string;
  channels: { id: string; name?: string }[];
  /** `permissions`: Discord's bitfield as a decimal string (none by default). */
  roles?: { id: string; name: string; permissions?: string }[];
  /** The first member owns the guild. */
  members: FakeDiscordMember[];
}

/** Discord's epoch (2015-01-01), from which snowflakes count milliseconds. */
const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A snowflake as Discord makes them: milliseconds since its epoch, then worker, process and a counter. */
export function snowflake(): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}

export interface MemberState {
  user: FakeDiscordUser;
  nick: string | null;
  roles: string[];
  joinedAt: string;
  communicationDisabledUntil: string | null;
}

export interface GuildState {
  id: string;
  name: string;
  preferredLocale: string;
  ownerId: string;
  channels: { id: string; name: string }[];
  roles: { id: string; name: string; permissions?: string }[];
  members: Map<string, MemberState>;
  bans: Set<string>;
}

export function guildState(guild: FakeDiscordGuild, bot: FakeDiscordUser): GuildState {
  const members = new Map<string, MemberState>();
  const joinedAt = new Date().toISOString();
  for (const member of [...guild.members, bot] as FakeDiscordMember[]) {
    members.set(member.id, {
      user: { id: member.id, username: member.username, globalName: member.globalName, bot: member.bot },
      nick: member.nick ?? null,
      roles: [...(member.roles ?? [])],
      joinedAt,
      communicationDisabledUntil: null,
    });
  }
  return {
    id: guild.id,
    name: guild.name ?? `guild ${guild.id}`,
    preferredLocale: guild.preferredLocale ?? 'en-US',
    ownerId: guild.members[0]?.id ?? bot.id,
    channels: guild.channels.map((c) => ({ id: c.id, name: c.name ?? `channel-${c.id}` })),
    roles: guild.roles ?? [],
    members,
    bans: new Set(),
  };
}

export function userPayload(user: FakeDiscordUser) {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName ?? null,
    avatar: null,
    bot: user.bot ?? false,
    public_flags: 0,
    flags: 0,
  };
}

export function memberPayload(member: MemberState) {
  return {
    user: userPayload(member.user),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    pending: false,
    flags: 0,
    communication_disabled_until: member.communicationDisabledUntil,
  };
}

export function channelPayload(guild: GuildState, channel: { id: string; name: string }, index = 0) {
  return {
    id: channel.id,
    type: 0,
    guild_id: guild.id,
    name: channel.name,
    position: index,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    parent_id: null,
  };
}

function rolePayload(id: string, name: string, position: number, permissions?: string) {
  return {
    id,
    name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    // The @everyone role gives View Channels and Send Messages; the rest is the guild's business.
    permissions: permissions ?? (position === 0 ? '3072' : '0'),
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** The guild as GUILD_CREATE and GET /guilds/{id} give it; members only with the GUILD_MEMBERS intent. */
export function guildPayload(guild: GuildState, withMembers: boolean, botId: string) {
  const members = [...guild.members.values()].filter((m) => withMembers || m.user.id === botId);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      rolePayload(guild.id, '@everyone', 0),
      ...guild.roles.map((r, i) => rolePayload(r.id, r.name, i + 1, r.permissions)),
    ],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: guild.preferredLocale,
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    // Gateway-only fields (GUILD_CREATE).
    joined_at: guild.members.get(botId)?.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    members: members.map(memberPayload),
    channels: guild.channels.map((c, i) => {
      const { guild_id: _omitted, ...channel } = channelPayload(guild, c, i);
      return channel;
    }),
    threads: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface PostedMessage {
  id: string;
  channelId: string;
  content: string;
  /** The message it replies to, when it is a reply. */
  replyTo?: string;
}

export function messagePayload(
  message: { id: string; channelId: string; guildId?: string; content: string; replyTo?: string },
  author: FakeDiscordUser,
  member?: MemberState,
) {
  return {
    id: message.id,
    type: message.replyTo ? 19 : 0,
    channel_id: message.channelId,
    ...(message.guildId ? { guild_id: message.guildId } : {}),
    author: userPayload(author),
    ...(member ? { member: { ...memberPayload(member), user: undefined } } : {}),
    content: message.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    flags: 0,
    ...(message.replyTo
      ? { message_reference: { type: 0, message_id: message.replyTo, channel_id: message.channelId } }
      : {}),
  };
}
