import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider } from '../types.js';
import { createOAuthProvider, revokeAtEndpoint } from './oauth-provider.js';
import { present } from './upstream-http.js';
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

export function createGoogleProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'google',
    config,
    deps,
    pkce: true,
    server: 'discovery',
    authorizationParameters: (request): Record<string, string> =>
      request.offline ? { access_type: 'offline', prompt: 'consent' } : {},
    async readProfile(grant) {
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
      };
    },
    revoke: revokeAtEndpoint('grant'),
  });
}
