import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createOAuthProvider, revokeAtEndpoint, type TokenAnswerJson } from './oauth-provider.js';
import { present, withToken } from './upstream-http.js';

/**
 * Twitch (dev.twitch.tv/docs/authentication): OAuth 2.0 at id.twitch.tv without PKCE, the profile from Helix.
 * Helix sends `email` only when it is verified (and the token has user:read:email).
 */

const helixUsers = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        login: z.string(),
        display_name: z.string().optional(),
        profile_image_url: z.string().optional(),
        email: z.string().optional(),
      }),
    )
    .min(1),
});

/**
 * Twitch lists the granted scopes as a JSON array where RFC 6749 §5.1 has one space-separated string, and
 * oauth4webapi refuses the array ("scope property must be a string"): the array is joined before it reads it.
 */
export function joinScopeArray({ status, body }: TokenAnswerJson): TokenAnswerJson {
  return Array.isArray(body.scope)
    ? { status, body: { ...body, scope: body.scope.join(' ') } }
    : { status, body };
}

export function createTwitchProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'twitch',
    config,
    deps,
    pkce: false,
    server: {
      authorization_endpoint: `${config.auth_url}/oauth2/authorize`,
      token_endpoint: `${config.auth_url}/oauth2/token`,
      revocation_endpoint: `${config.auth_url}/oauth2/revoke`,
    },
    rewriteTokenAnswer: joinScopeArray,
    async readProfile(grant, http) {
      const init = withToken('Bearer', grant.access_token, { 'client-id': config.client_id });
      const user = (await http.json(`${config.api_url}/helix/users`, init, helixUsers)).data[0]!;
      const email = present(user.email);
      return {
        id: user.id,
        username: user.login,
        displayName: present(user.display_name),
        avatarUrl: present(user.profile_image_url),
        email,
        emailVerified: email !== undefined,
      };
    },
    // Twitch's revocation endpoint takes access tokens.
    revoke: revokeAtEndpoint('access_token'),
  });
}
