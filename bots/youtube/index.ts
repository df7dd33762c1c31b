/** The YouTube bot (docs/bots-youtube.md): live chat commands and moderation, with the channel owners' tokens. */
export { createYouTubeBot, type YouTubeBotOptions } from './bot.js';
export { youtubeBotConfigSchema, type YouTubeBotConfig, type YouTubeBotConfigInput } from './config.js';
export {
  createYouTubeApi,
  YouTubeApiError,
  type ChatMessage,
  type ChatPage,
  type YouTubeApi,
} from './api.js';
export type { ChatTiming } from './chat.js';
