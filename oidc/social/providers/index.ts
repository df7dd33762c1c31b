import {
  SOCIAL_PLATFORM_IDS,
  type SocialConfig,
  type SocialPlatformId,
  type SocialProviderConfig,
} from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createDiscordProvider } from './discord.js';
import { createGitHubProvider } from './github.js';
import { createGoogleProvider } from './google.js';
import { createKickProvider } from './kick.js';
import { createSteamProvider } from './steam.js';
import { createTrovoProvider } from './trovo.js';
import { createTwitchProvider } from './twitch.js';

const FACTORIES: Record<
  SocialPlatformId,
  (config: SocialProviderConfig, deps: ProviderDeps) => UpstreamProvider
> = {
  twitch: createTwitchProvider,
  discord: createDiscordProvider,
  github: createGitHubProvider,
  google: createGoogleProvider,
  kick: createKickProvider,
  trovo: createTrovoProvider,
  steam: createSteamProvider,
};

/** Steam has no client id: its Web API key (the client secret) is what it needs to read profiles. */
export const isProviderConfigured = (id: SocialPlatformId, config: SocialProviderConfig): boolean =>
  config.enabled && (id === 'steam' ? config.client_secret !== '' : config.client_id !== '');

/** A provider for every platform that is enabled and registered in the config. */
export function createUpstreamProviders(
  config: SocialConfig,
  deps: ProviderDeps,
): Map<SocialPlatformId, UpstreamProvider> {
  return new Map(
    SOCIAL_PLATFORM_IDS.filter((id) => isProviderConfigured(id, config[id])).map((id) => [
      id,
      FACTORIES[id](config[id], deps),
    ]),
  );
}
