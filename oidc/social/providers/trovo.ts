import { z } from 'zod';
import type { SocialProviderConfig } from '../../../schemas/social.js';
import type { ProviderDeps, UpstreamProvider, UpstreamTokens } from '../types.js';
import { codeFromCallback } from './callback.js';
import { toUpstreamTokens } from './tokens.js';
import { createUpstreamHttp, present, withToken } from './upstream-http.js';

/**
 * Trovo (developer.trovo.live/docs/APIs.html): OAuth 2.0 in its own wording, which no OAuth library speaks. The
 * token endpoints take JSON with the client id in a `Client-ID` header, tokens are sent as `OAuth <token>`, the
 * token answer does not list scopes (the validate endpoint does), and nothing says whether the address was
 * verified. No PKCE.
 */

const tokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
});

const validation = z.object({ scopes: z.array(z.string()) });

const trovoUser = z.object({
  userId: z.string(),
  userName: z.string(),
  nickName: z.string().optional(),
  email: z.string().optional(),
  profilePic: z.string().optional(),
});

export function createTrovoProvider(config: SocialProviderConfig, deps: ProviderDeps): UpstreamProvider {
  const http = createUpstreamHttp('trovo', deps);
  const api = (path: string) => `${config.api_url}/openplatform/${path}`;
  const clientId = { 'client-id': config.client_id };
  const post = (body: object, headers: Record<string, string> = { accept: 'application/json' }) => ({
    method: 'POST',
    headers: { ...headers, ...clientId, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  /** A token answer, with the scopes Trovo says the token has. */
  async function tokens(path: string, body: object, usedRefreshToken?: string): Promise<UpstreamTokens> {
    const answer = await http.json(api(path), post(body), tokenAnswer, 'invalid_grant');
    const { scopes } = await http.json(
      api('validate'),
      withToken('OAuth', answer.access_token, clientId),
      validation,
    );
    return toUpstreamTokens({ ...answer, scope: scopes.join(' ') }, usedRefreshToken);
  }

  return {
    id: 'trovo',
    pkce: false,
    scopes: config.scopes,
    integrationScopes: config.integration_scopes,

    async authorizationUrl(request) {
      const url = new URL(`${config.auth_url}/page/login.html`);
      url.search = new URLSearchParams({
        client_id: config.client_id,
        response_type: 'code',
        scope: request.scopes.join(' '),
        redirect_uri: request.redirectUri,
        state: request.state,
      }).toString();
      return url;
    },

    async complete(callback, expected) {
      const code = codeFromCallback('trovo', callback, expected.state);
      const { client_secret } = config;
      const granted = await tokens('exchangetoken', {
        client_secret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: expected.redirectUri,
      });
      const user = await http.json(
        api('getuserinfo'),
        post({}, withToken('OAuth', granted.accessToken).headers),
        trovoUser,
      );
      return {
        profile: {
          id: user.userId,
          username: user.userName,
          displayName: present(user.nickName),
          avatarUrl: present(user.profilePic),
          email: present(user.email),
          emailVerified: false,
        },
        tokens: granted,
      };
    },

    refresh(refreshToken) {
      const body = {
        client_secret: config.client_secret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      };
      return tokens('refreshtoken', body, refreshToken);
    },

    async revoke({ accessToken }) {
      await http.ok(api('revoke'), post({ access_token: accessToken }));
    },
  };
}
