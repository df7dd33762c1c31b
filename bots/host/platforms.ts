import type { HeimdallClient } from '../../sdk/rest/index.js';
import type { BotPlatform, PlatformBot } from '../core/index.js';
import { createDiscordBot, discordBotConfigSchema, discordToken } from '../discord/index.js';
import { createTwitchBot, twitchBotConfigSchema } from '../twitch/index.js';
import { createYouTubeBot, youtubeBotConfigSchema } from '../youtube/index.js';
import { BotConfigError, platformSection } from './config.js';

type OnError = (err: unknown, context: string) => void;

/** Builds a platform's bot from the raw TOML: its own section (`[discord]`, `[twitch]`, `[youtube]`), checked by its schema. */
export type PlatformFactory = (
  raw: Record<string, unknown>,
  client: HeimdallClient,
  onError: OnError,
) => Promise<PlatformBot>;

export const PLATFORM_FACTORIES: Record<BotPlatform, PlatformFactory> = {
  async discord(raw, _client, onError) {
    const config = platformSection(raw, 'discord', discordBotConfigSchema);
    let token: string;
    try {
      token = await discordToken(config);
    } catch (err) {
      throw new BotConfigError(`[discord] ${(err as Error).message}`);
    }
    return createDiscordBot({
      token,
      apiUrl: config.api_url,
      requestsPerSecond: config.requests_per_second,
      ...(config.guild_ids ? { guildIds: config.guild_ids } : {}),
      onError,
    });
  },
  async twitch(raw, client, onError) {
    return createTwitchBot({
      client,
      config: platformSection(raw, 'twitch', twitchBotConfigSchema),
      onError,
    });
  },
  async youtube(raw, client, onError) {
    return createYouTubeBot({
      client,
      config: platformSection(raw, 'youtube', youtubeBotConfigSchema),
      onError,
    });
  },
};

export const isBotPlatform = (name: string): name is BotPlatform => Object.hasOwn(PLATFORM_FACTORIES, name);
