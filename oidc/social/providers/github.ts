import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProfile, UpstreamProvider } from '../types.js';
import { createOAuthProvider, type TokenAnswerJson } from './oauth-provider.js';
import { present, withToken } from './upstream-http.js';

/**
 * GitHub (docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps): OAuth 2.0 with PKCE at
 * github.com, the profile and the addresses (with whether each is verified) from the REST API.
 */

/** What GitHub's REST API asks of every caller. */
const API_HEADERS = {
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  'user-agent': 'Heimdall',
};

const githubUser = z.object({
  id: z.number().int(),
  login: z.string(),
  name: z.string().nullish(),
  avatar_url: z.string().nullish(),
});

const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub refuses a code or refresh token with HTTP 200 and an `error` field (bad_verification_code,
 * bad_refresh_token); RFC 6749 §5.2 says 400, which is what openid-client reads as a refusal.
 */
export function errorAsRefusal({ status, body }: TokenAnswerJson): TokenAnswerJson {
  return status === 200 && typeof body.error === 'string' ? { status: 400, body } : { status, body };
}

/** The primary address if it is verified; else the primary one, marked unverified. */
export function primaryEmail(
  emails: z.output<typeof githubEmails>,
): Pick<UpstreamProfile, 'email' | 'emailVerified'> {
  const primary = emails.find((e) => e.primary);
  return { email: primary?.email, emailVerified: primary?.verified === true };
}

export function createGitHubProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  return createOAuthProvider({
    id: 'github',
    config,
    deps,
    pkce: true,
    server: {
      authorization_endpoint: `${config.auth_url}/login/oauth/authorize`,
      token_endpoint: `${config.auth_url}/login/oauth/access_token`,
    },
    rewriteTokenAnswer: errorAsRefusal,
    async readProfile(grant, http) {
      const init = withToken('Bearer', grant.access_token, API_HEADERS);
      const [user, emails] = await Promise.all([
        http.json(`${config.api_url}/user`, init, githubUser),
        http.json(`${config.api_url}/user/emails`, init, githubEmails),
      ]);
      return {
        id: String(user.id),
        username: user.login,
        displayName: present(user.name),
        avatarUrl: present(user.avatar_url),
        ...primaryEmail(emails),
      };
    },
    // Revoking the grant (rather than the one token) is what taking the app off the account means.
    async revoke({ accessToken }, { http }) {
      const basic = Buffer.from(`${config.client_id}:${config.client_secret}`).toString('base64');
      await http.ok(`${config.api_url}/applications/${encodeURIComponent(config.client_id)}/grant`, {
        method: 'DELETE',
        headers: { ...API_HEADERS, authorization: `Basic ${basic}`, 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: accessToken }),
      });
    },
  });
}
