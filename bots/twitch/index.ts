/** The Twitch bot (docs/bots-twitch.md): chat, Helix moderation and EventSub, with tokens from Heimdall. */
export {
  createTwitchBot,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
  timeoutSeconds,
  type TwitchBotOptions,
} from './bot.js';
export type { BackoffOptions } from './backoff.js';
export { twitchBotConfigSchema, type TwitchBotConfig, type TwitchBotConfigInput } from './config.js';
export { TwitchApiError } from './helix.js';
export { escapeTag, formatLine, parseLine, unescapeTag, type IrcMessage } from './irc.js';
