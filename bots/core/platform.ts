import type { BotUser, ChatAdapter, IncomingMessage } from './adapter.js';
import type { Command } from './commands.js';

/** Moderation a platform carries out itself; a warning is Heimdall's own record and needs no platform. */
export type PlatformAction = 'timeout' | 'kick' | 'ban';

/**
 * The platform will not let this author do it (they lack its own moderator rights in the community) or protects
 * the member (they rank above the author). Said to the moderator; not a failure of the bot.
 */
export class PlatformRefusal extends Error {
  constructor(
    readonly reason: 'not_platform_moderator' | 'member_protected' | 'out_of_range',
    message: string,
  ) {
    super(message);
    this.name = 'PlatformRefusal';
  }
}

export interface ModerationOptions {
  /** For a timeout: how long, in milliseconds. */
  durationMs?: number;
  /** Shown in the platform's own moderation log where it has one. */
  reason?: string;
  /**
   * Who asks, on the platform. Heimdall's permission is not bound to one community, so the platform's own rights
   * in this community must allow it too: Discord checks the member's permissions and roles, Twitch and YouTube
   * take the chat's moderator flag the message came with.
   */
  by?: { id: string; platformModerator?: boolean | undefined };
}

/**
 * Carries moderation out on the platform: as the bot (Discord) or with the community owner's platform token
 * from Heimdall (Twitch, YouTube). Throws when the platform refuses; the runtime answers the moderator.
 */
export interface Moderator {
  /** What this platform supports: Discord all three, Twitch and YouTube timeout and ban. */
  readonly actions: readonly PlatformAction[];
  moderate(
    communityId: string,
    action: PlatformAction,
    user: BotUser,
    options: ModerationOptions,
  ): Promise<void>;
}

/** Where the bot writes its log in a community (a Discord channel); platforms without one leave it out. */
export interface LogPoster {
  postLog(communityId: string, channelId: string, text: string): Promise<void>;
  /** Whether the platform's user is in the community now; a security notice goes only where they are. */
  isMember(communityId: string, platformUserId: string): Promise<boolean>;
  /** The communities the bot is in now (the guilds a Discord bot was added to). */
  communities(): readonly string[];
}

/**
 * One platform's bot as the host runs it: `heimdall bot <platform>` builds it from its TOML section, starts it
 * with the runtime's message handler, and serves its health.
 */
/** The adapter as the runtime uses it: chat, and moderation and a log where the platform has them. */
export type RuntimeAdapter = ChatAdapter & { moderator?: Moderator; log?: LogPoster };

export interface PlatformBot {
  readonly adapter: RuntimeAdapter;
  /** The bot's id on the platform (known once started: Discord tells it in READY); names its realtime channel. */
  botId(): string;
  /** Connects and hands every chat message to `onMessage`; `onEvent` takes platform events (a stream going online). */
  start(handlers: {
    /** What the bot answers to, for platforms that register commands (Discord's application commands). */
    commands: readonly Command[];
    onMessage(message: IncomingMessage): void;
    onEvent?(type: string, data: Record<string, unknown>): void;
  }): Promise<void>;
  stop(): Promise<void>;
  /** Connected to the platform now (a dropped gateway being resumed is not). */
  connected(): boolean;
}
