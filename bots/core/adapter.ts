/** The platforms Heimdall has bot channels and integration checks for. */
export type BotPlatform = 'discord' | 'twitch' | 'youtube';

/** A platform's user, as a mention resolves to. */
export interface BotUser {
  id: string;
  name: string;
}

/** One chat message, as a platform adapter hands it to the runtime. */
export interface IncomingMessage {
  platform: BotPlatform;
  /** Where it was written and where settings apply: a Discord guild, a Twitch or YouTube channel. */
  communityId: string;
  authorId: string;
  authorName: string;
  /**
   * The command line. As typed in chat it starts with the community's prefix; for a platform's own command
   * invocation (a Discord slash command) set `slash` and give `name args` without a prefix, arguments written as
   * in chat (mentions as the platform writes them, text with spaces last or quoted).
   */
  text: string;
  slash?: boolean;
  /** The chat says the author moderates it (Twitch's moderator or broadcaster badge, YouTube's moderator or owner). */
  platformModerator?: boolean;
  /** The author's or the community's locale as the platform tells it (`de`, `en-US`), if it does. */
  locale?: string;
  reply(text: string): Promise<void>;
}

/**
 * What a platform adapter (Discord, Twitch, YouTube) gives the runtime. Mentions are the adapter's: only it
 * knows how its platform writes them (`<@123>`, `@name`) and how to look a user up.
 */
export interface ChatAdapter {
  readonly platform: BotPlatform;
  /** The user a mention names, or undefined when it names nobody the platform knows. */
  resolveMention(mention: string, message: IncomingMessage): Promise<BotUser | undefined>;
}
