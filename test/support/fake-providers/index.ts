import { SOCIAL_PROVIDER_DEFAULTS, type SocialPlatformId } from '../../../schemas/social.js';
import { discordFake } from './discord.js';
import { githubFake } from './github.js';
import { googleFake } from './google.js';
import {
  listen,
  type FakeContext,
  type FakeProvider,
  type FakeProviderOptions,
  type FakeState,
  type FakeUser,
  type Routes,
} from './harness.js';
import { kickFake } from './kick.js';
import { steamFake } from './steam.js';
import { trovoFake } from './trovo.js';
import { twitchFake } from './twitch.js';

export type { FakeProvider, FakeProviderOptions, FakeUser } from './harness.js';

const FAKES: Record<SocialPlatformId, (context: FakeContext) => Routes | Promise<Routes>> = {
  twitch: twitchFake,
  discord: discordFake,
  github: githubFake,
  google: googleFake,
  kick: kickFake,
  trovo: trovoFake,
  steam: steamFake,
};

/** Someone each platform would accept: GitHub and Kick ids are numbers, a SteamID has 17 digits. */
const DEFAULT_USER: FakeUser = {
  id: '76561197960287930',
  username: 'gabe',
  displayName: 'Gabe',
  email: 'gabe@example.com',
  emailVerified: true,
  avatarUrl: 'https://cdn.example.com/gabe.png',
};

/** Starts the fake of one platform on 127.0.0.1, on a port of the system's choosing. */
export async function startFakeProvider(
  platform: SocialPlatformId,
  options: FakeProviderOptions = {},
): Promise<FakeProvider> {
  const state: FakeState = {
    user: options.user ?? DEFAULT_USER,
    refuseRefresh: false,
    accessTokenLifetime: options.accessTokenLifetime ?? 3600,
    revoked: [],
    refreshCount: 0,
    lastAuthorize: undefined,
    requests: [],
  };
  const client = {
    id: options.clientId ?? `${platform}-client-id`,
    secret: options.clientSecret ?? `${platform}-secret`,
  };
  let url = '';
  const routes = await FAKES[platform]({ state, client, url: () => url });
  const server = await listen(routes, state);
  url = server.url;
  const defaults = SOCIAL_PROVIDER_DEFAULTS[platform];
  return {
    platform,
    url,
    config: {
      enabled: true,
      // Steam has no client id: the Web API key is its secret.
      client_id: platform === 'steam' ? '' : client.id,
      client_secret: client.secret,
      scopes: [...defaults.scopes],
      integration_scopes: [...defaults.integration_scopes],
      auth_url: url,
      api_url: platform === 'discord' ? `${url}/api` : url,
    },
    signInAs(user) {
      state.user = user;
    },
    refuseRefresh(refuse = true) {
      state.refuseRefresh = refuse;
    },
    get accessTokenLifetime() {
      return state.accessTokenLifetime;
    },
    set accessTokenLifetime(seconds: number) {
      state.accessTokenLifetime = seconds;
    },
    revoked: state.revoked,
    get refreshCount() {
      return state.refreshCount;
    },
    get lastAuthorize() {
      return state.lastAuthorize;
    },
    requests: state.requests,
    async authorize(authorizationUrl) {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (response.status !== 302 || !location) {
        throw new Error(
          `the ${platform} fake answered the authorization request with HTTP ${response.status}`,
        );
      }
      return new URL(location, authorizationUrl);
    },
    close: server.close,
  };
}
