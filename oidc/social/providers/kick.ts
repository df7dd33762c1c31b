import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createOAuthProvider } from './oauth-provider.js';
import { present, withToken } from './upstream-http.js';

/**
 * Kick (docs.kick.com, "OAuth 2.1"): PKCE is required. Its revocation takes the token in the query string rather
 * than RFC 7009's form body, and the profile does not say whether the address was verified.
 */

const kickUsers = z.object({
  data: z
    .array(
      z.object({
        user_id: z.union([z.number().int(), z.string()]),
        name: z.string(),
        email: z.string().nullish(),
        profile_picture: z.string().nullish(),
      }),
    )
    .min(1),
});

export function createKickProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'kick',
    config,
    deps,
    pkce: true,
    server: {
      authorization_endpoint: `${config.auth_url}/oauth/authorize`,
      token_endpoint: `${config.auth_url}/oauth/token`,
    },
    async readProfile(grant, http) {
      const init = withToken('Bearer', grant.access_token);
      const user = (await http.json(`${config.api_url}/public/v1/users`, init, kickUsers)).data[0]!;
      return {
        id: String(user.user_id),
        username: user.name,
        avatarUrl: present(user.profile_picture),
        email: present(user.email),
        emailVerified: false,
      };
    },
    async revoke({ accessToken, refreshToken }, { http }) {
      const [token, hint] = refreshToken ? [refreshToken, 'refresh_token'] : [accessToken, 'access_token'];
      const query = new URLSearchParams({ token, token_hint_type: hint });
      await http.ok(`${config.auth_url}/oauth/revoke?${query}`, { method: 'POST' });
    },
  });
}
