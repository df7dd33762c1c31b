import type { HeimdallClient } from '../../sdk/rest/index.js';
import { PlatformRefusal, type Moderator, type PlatformAction, type PlatformBot } from '../core/index.js';
import { createYouTubeApi, type YouTubeApi } from './api.js';
import { ChannelChat, type ChatTiming } from './chat.js';
import { youtubeBotConfigSchema, type YouTubeBotConfigInput } from './config.js';
import { OwnerToken } from './tokens.js';

export interface YouTubeBotOptions {
  /** Heimdall's REST client; its credential needs `youtube:read` (the owners' tokens, the checks). */
  client: HeimdallClient;
  /** The `[bots.youtube]` section, parsed here with youtubeBotConfigSchema. */
  config: YouTubeBotConfigInput;
  /** Failures the bot lives through (YouTube or Heimdall unreachable, quota spent): for its log. */
  onError?: (err: unknown, context: string) => void;
  /** Waits after failures, and the shortest poll; the defaults suit YouTube, tests shorten them. */
  timing?: Partial<Omit<ChatTiming, 'discoveryMs'>>;
  /** The YouTube API to call; default: `@googleapis/youtube` at the config's api_url. */
  api?: YouTubeApi;
}

const DEFAULT_TIMING = { backoffMs: 5_000, maxBackoffMs: 10 * 60_000, minPollMs: 1_000 };

/**
 * The YouTube bot (docs/bots-youtube.md). YouTube has no bot accounts: the bot reads, speaks and moderates in
 * each configured channel's live chat with that channel owner's Google token, which Heimdall hands it (the
 * owner linked Google and allowed bots), so its replies appear as the channel's own.
 */
export function createYouTubeBot(options: YouTubeBotOptions): PlatformBot {
  const config = youtubeBotConfigSchema.parse(options.config);
  const api = options.api ?? createYouTubeApi(config.api_url);
  const timing: ChatTiming = {
    ...DEFAULT_TIMING,
    ...options.timing,
    discoveryMs: config.discovery_interval_seconds * 1000,
  };
  const chats = config.channels.map(
    (channel) => new ChannelChat(api, new OwnerToken(options.client, channel.owner_user_id), timing),
  );
  const chatOf = (communityId: string) => chats.find((chat) => chat.channelId === communityId);

  const moderator: Moderator = {
    actions: ['timeout', 'ban'] satisfies PlatformAction[],
    async moderate(communityId, action, user, { durationMs, by }) {
      // The owner's token can ban anyone in the chat: the author must moderate it on YouTube too.
      if (by && !by.platformModerator) {
        throw new PlatformRefusal('not_platform_moderator', `${by.id} does not moderate ${communityId}.`);
      }
      const chat = chatOf(communityId);
      if (!chat) throw new Error(`The bot does not serve the YouTube channel ${communityId}.`);
      if (action === 'ban') return chat.ban(user);
      if (action !== 'timeout') throw new Error(`YouTube has no ${action}.`);
      if (durationMs === undefined) throw new Error('A timeout needs a duration.');
      return chat.ban(user, Math.max(1, Math.ceil(durationMs / 1000)));
    },
  };

  return {
    adapter: {
      platform: 'youtube',
      async resolveMention(mention, message) {
        return chatOf(message.communityId)?.findAuthor(mention);
      },
      moderator,
    },
    botId: () => config.bot_id ?? chats[0]!.channelId ?? '',
    async start(handlers) {
      // Every owner's token and channel before anything runs: a channel Heimdall has no token for is a mistake
      // in the config, told now rather than retried for ever.
      await Promise.all(chats.map((chat) => chat.resolveChannel()));
      for (const chat of chats) chat.start({ ...handlers, onError: options.onError });
    },
    async stop() {
      await Promise.all(chats.map((chat) => chat.stop()));
    },
    connected: () => chats.every((chat) => chat.running && chat.healthy),
  };
}
