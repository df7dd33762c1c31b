import { json, tokenOf, type FakeContext, type FakeUser, type Routes } from './harness.js';
import { createAuthorizationServer } from './oauth-server.js';

/**
 * Twitch: OAuth 2.0 at id.twitch.tv (dev.twitch.tv/docs/authentication), scopes answered as a JSON array,
 * `/oauth2/validate` with `Authorization: OAuth`, and Helix `/helix/users` needing the `Client-Id` header. The
 * email is in the profile only for tokens with user:read:email.
 */
export function twitchFake(context: FakeContext): Routes {
  const server = createAuthorizationServer(context);
  const invalid = json({ status: 401, message: 'invalid access token' }, 401);
  const helixUser = (user: FakeUser, scopes: string[]) => ({
    id: user.id,
    login: user.username,
    display_name: user.displayName ?? user.username,
    type: '',
    broadcaster_type: '',
    description: '',
    profile_image_url: user.avatarUrl ?? '',
    offline_image_url: '',
    view_count: 0,
    ...(scopes.includes('user:read:email') && user.email !== undefined && { email: user.email }),
    created_at: '2016-12-14T20:32:28Z',
  });
  return {
    'GET /oauth2/authorize': (request) => server.authorize(request.query),
    'POST /oauth2/token': server.tokenEndpoint(({ accessToken, refreshToken, expiresIn, grant }) => ({
      access_token: accessToken,
      expires_in: expiresIn,
      refresh_token: refreshToken,
      scope: grant.scopes,
      token_type: 'bearer',
    })),
    'POST /oauth2/revoke': server.revocationEndpoint(),
    'GET /oauth2/validate': (request) => {
      const held = server.holder(tokenOf(request, 'OAuth'));
      if (!held) return invalid;
      return json({
        client_id: context.client.id,
        login: held.user.username,
        scopes: held.scopes,
        user_id: held.user.id,
        expires_in: Math.floor((held.expiresAt - Date.now()) / 1000),
      });
    },
    'GET /helix/users': server.resource(
      'Bearer',
      json({ error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' }, 401),
      (held, request) =>
        request.headers['client-id'] === context.client.id
          ? json({ data: [helixUser(held.user, held.scopes)] })
          : json(
              { error: 'Unauthorized', status: 401, message: 'Client ID and OAuth token do not match' },
              401,
            ),
    ),
  };
}
