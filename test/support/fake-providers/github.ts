import { clientOf, json, jsonOf, type FakeContext, type FakeResponse, type Routes } from './harness.js';
import { createAuthorizationServer, type IssuedTokens, type Refusal } from './oauth-server.js';

/**
 * GitHub (docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps), as a GitHub App with
 * expiring user tokens: refusals answered with HTTP 200 and GitHub's own error codes, scopes separated by
 * commas, `/user` with a numeric id, `/user/emails` with the primary address and the noreply one, and the
 * application endpoints (HTTP Basic with the client's credentials) to check a token or revoke a grant.
 */
const DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';
const REFRESH_TOKEN_LIFETIME = 15_897_600;

const answer = ({ accessToken, refreshToken, expiresIn, grant }: IssuedTokens) => ({
  access_token: accessToken,
  expires_in: expiresIn,
  refresh_token: refreshToken,
  refresh_token_expires_in: REFRESH_TOKEN_LIFETIME,
  scope: grant.scopes.join(','),
  token_type: 'bearer',
});

function refuse(refusal: Refusal, form: URLSearchParams): FakeResponse {
  const error =
    refusal.error === 'invalid_client'
      ? 'incorrect_client_credentials'
      : refusal.error === 'invalid_grant'
        ? form.get('grant_type') === 'refresh_token'
          ? 'bad_refresh_token'
          : 'bad_verification_code'
        : refusal.error;
  return json({ error, error_description: refusal.error_description, error_uri: DOCS });
}

export function githubFake(context: FakeContext): Routes {
  const { client } = context;
  const server = createAuthorizationServer(context);
  const unauthorized = json(
    { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
    401,
  );
  const application = `/applications/${client.id}`;
  /** The application endpoints take the client's credentials, and the token in a JSON body. */
  const asApplication =
    (serve: (token: string) => FakeResponse) => (request: Parameters<typeof clientOf>[0]) => {
      const given = clientOf(request, new URLSearchParams());
      if (given.id !== client.id || given.secret !== client.secret)
        return json({ message: 'Not Found' }, 404);
      return serve(String(jsonOf(request).access_token ?? ''));
    };
  return {
    'GET /login/oauth/authorize': (request) => server.authorize(request.query),
    'POST /login/oauth/access_token': server.tokenEndpoint(answer, refuse),
    'GET /user': server.resource('Bearer', unauthorized, ({ user }) =>
      json({
        login: user.username,
        id: Number(user.id),
        node_id: `U_${user.id}`,
        avatar_url: user.avatarUrl ?? `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
        type: 'User',
        site_admin: false,
        name: user.displayName ?? null,
        email: null,
      }),
    ),
    'GET /user/emails': server.resource('Bearer', unauthorized, ({ user, scopes }) => {
      if (!scopes.includes('user:email') && !scopes.includes('user'))
        return json({ message: 'Not Found' }, 404);
      const noreply = {
        email: `${user.id}+${user.username}@users.noreply.github.com`,
        primary: false,
        verified: true,
        visibility: null,
      };
      const primary = user.email && {
        email: user.email,
        primary: true,
        verified: user.emailVerified ?? false,
        visibility: 'private',
      };
      return json(primary ? [primary, noreply] : [noreply]);
    }),
    [`POST ${application}/token`]: asApplication((token) => {
      const held = server.holder(token);
      if (!held) return json({ message: 'Not Found' }, 404);
      return json({
        token,
        scopes: held.scopes,
        expires_at: new Date(held.expiresAt).toISOString(),
        user: { id: Number(held.user.id), login: held.user.username },
      });
    }),
    [`DELETE ${application}/grant`]: asApplication((token) => {
      server.revoke(token);
      return { status: 204 };
    }),
  };
}
