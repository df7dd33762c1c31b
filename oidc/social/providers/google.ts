import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createOAuthProvider, revokeAtEndpoint } from './oauth-provider.js';
import { present, withToken, type UpstreamHttp } from './upstream-http.js';
import { UpstreamError } from '../types.js';

/**
 * Google (developers.google.com/identity/openid-connect/openid-connect): OpenID Connect, discovered from the
 * issuer; the profile is the checked ID token's claims. A refresh token is given only for access_type=offline,
 * and again for an account that granted before only with prompt=consent.
 */

const idTokenClaims = z.object({
  sub: z.string(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  picture: z.string().optional(),
});

/** Any of YouTube's scopes (youtube, youtube.force-ssl, youtube.readonly…) lets the channel be read. */
const YOUTUBE_SCOPE = /^https:\/\/www\.googleapis\.com\/auth\/youtube(\.|$)/;

const youtubeChannels = z.object({ items: z.array(z.object({ id: z.string() })).optional() });

/**
 * The account's YouTube channel, when the grant lets it be read. YouTube is not what the person signs in with: a
 * failure here is told and leaves the channel unknown rather than failing the sign-in.
 */
async function youtubeChannel(
  config: SocialProviderConfig,
  deps: ProviderDeps,
  http: UpstreamHttp,
  grant: { access_token: string; scope?: string | undefined },
): Promise<string | null | undefined> {
  const scopes = (grant.scope ?? '').split(' ');
  if (!scopes.some((scope) => YOUTUBE_SCOPE.test(scope))) return undefined;
  try {
    const url = `${config.api_url}/youtube/v3/channels?part=id&mine=true`;
    const answer = await http.json(url, withToken('Bearer', grant.access_token), youtubeChannels);
    return present(answer.items?.[0]?.id) ?? null;
  } catch (err) {
    deps.onError?.(err, 'could not read the YouTube channel of a Google account');
    return undefined;
  }
}

export function createGoogleProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'google',
    config,
    deps,
    pkce: true,
    server: 'discovery',
    authorizationParameters: (request): Record<string, string> =>
      request.offline ? { access_type: 'offline', prompt: 'consent' } : {},
    async readProfile(grant, http) {
      const claims = idTokenClaims.safeParse(grant.claims());
      if (!claims.success) throw new UpstreamError('invalid_response', 'google answered without an ID token');
      const { sub, email, email_verified, name, picture } = claims.data;
      return {
        id: sub,
        // Google has no login name; the address must not become a public username (it is a claim of its own).
        username: present(name) ?? `google-${sub.slice(-8)}`,
        displayName: present(name),
        avatarUrl: present(picture),
        email: present(email),
        emailVerified: email !== undefined && email_verified === true,
        youtubeChannelId: await youtubeChannel(config, deps, http, grant),
      };
    },
    revoke: revokeAtEndpoint('grant'),
  });
}
