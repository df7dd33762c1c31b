import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createOAuthProvider, revokeAtEndpoint } from './oauth-provider.js';
import { present, withToken } from './upstream-http.js';

/**
 * Discord (discord.com/developers/docs/topics/oauth2): OAuth 2.0 with PKCE; the token endpoints live under the
 * API. `verified` says whether the address was confirmed; the avatar is a hash on Discord's CDN.
 */

const discordUser = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  email: z.string().nullish(),
  verified: z.boolean().optional(),
});

export function createDiscordProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'discord',
    config,
    deps,
    pkce: true,
    server: {
      authorization_endpoint: `${config.auth_url}/oauth2/authorize`,
      token_endpoint: `${config.api_url}/oauth2/token`,
      revocation_endpoint: `${config.api_url}/oauth2/token/revoke`,
    },
    async readProfile(grant, http) {
      const user = await http.json(
        `${config.api_url}/users/@me`,
        withToken('Bearer', grant.access_token),
        discordUser,
      );
      const email = present(user.email);
      return {
        id: user.id,
        username: user.username,
        displayName: present(user.global_name),
        avatarUrl: user.avatar
          ? `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.png`
          : undefined,
        email,
        emailVerified: email !== undefined && user.verified === true,
      };
    },
    revoke: revokeAtEndpoint('grant'),
  });
}
