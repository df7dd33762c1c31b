import {
  json,
  jsonOf,
  type FakeContext,
  type FakeRequest,
  type FakeResponse,
  type Routes,
} from './harness.js';
import { createAuthorizationServer, type IssuedTokens, type Refusal } from './oauth-server.js';

/**
 * Trovo (developer.trovo.live/docs/APIs.html): the login page on open.trovo.live, token endpoints on
 * open-api.trovo.live taking JSON with the client id in a `Client-ID` header, tokens of type `OAuth`,
 * `/openplatform/validate` listing the token's scopes, and `/openplatform/getuserinfo`. Errors are
 * `{status, error, message}`.
 */
const trovoError = (status: number, error: string, message: string, http = 400): FakeResponse =>
  json({ status, error, message }, http);

const answer = ({ accessToken, refreshToken, expiresIn }: IssuedTokens) => ({
  access_token: accessToken,
  token_type: 'OAuth',
  expires_in: expiresIn,
  refresh_token: refreshToken,
});

export function trovoFake(context: FakeContext): Routes {
  const { client } = context;
  const server = createAuthorizationServer(context);
  const invalidToken = trovoError(
    11714,
    'Invalid access token',
    'The access token is invalid or expired.',
    401,
  );

  /** The token endpoints: the client in a header and the secret in the JSON body, then the grant as usual. */
  const tokenEndpoint =
    (grantType: string, grant: (body: Record<string, unknown>) => IssuedTokens | Refusal) =>
    (request: FakeRequest): FakeResponse => {
      const body = jsonOf(request);
      if (request.headers['client-id'] !== client.id || body.client_secret !== client.secret) {
        return trovoError(10710, 'Invalid client', 'The client id or secret is invalid.', 401);
      }
      if (body.grant_type !== grantType) return trovoError(1002, 'Invalid parameters', 'Wrong grant_type.');
      const result = grant(body);
      return 'error' in result
        ? trovoError(10703, result.error, result.error_description)
        : json(answer(result));
    };
  const text = (value: unknown) => (typeof value === 'string' ? value : '');

  return {
    'GET /page/login.html': (request) => server.authorize(request.query),
    'POST /openplatform/exchangetoken': tokenEndpoint('authorization_code', (body) =>
      server.redeem(
        new URLSearchParams({ code: text(body.code), redirect_uri: text(body.redirect_uri) }),
        client.id,
      ),
    ),
    'POST /openplatform/refreshtoken': tokenEndpoint('refresh_token', (body) =>
      server.refresh(text(body.refresh_token)),
    ),
    'POST /openplatform/revoke': (request) => {
      if (request.headers['client-id'] !== client.id)
        return trovoError(10710, 'Invalid client', 'Unknown client.', 401);
      server.revoke(text(jsonOf(request).access_token));
      return json({});
    },
    'GET /openplatform/validate': server.resource('OAuth', invalidToken, (held) =>
      json({
        uid: held.user.id,
        client_id: client.id,
        nick_name: held.user.displayName ?? held.user.username,
        scopes: held.scopes,
        expire_ts: Math.floor(held.expiresAt / 1000),
      }),
    ),
    'POST /openplatform/getuserinfo': server.resource('OAuth', invalidToken, ({ user }) =>
      json({
        userId: user.id,
        userName: user.username,
        nickName: user.displayName ?? user.username,
        email: user.email ?? '',
        profilePic: user.avatarUrl ?? '',
        info: '',
        channelId: user.id,
      }),
    ),
  };
}
