import { json, text, type FakeContext, type Routes } from './harness.js';
import { createAuthorizationServer, standardAnswer } from './oauth-server.js';

/**
 * Kick (docs.kick.com): OAuth 2.1 at id.kick.com with PKCE required, refusals worded `{"error": "Invalid
 * request"}`, revocation with the token in the query, `/public/v1/users` and `/public/v1/token/introspect` on
 * api.kick.com answering `{data, message}`.
 */
export function kickFake(context: FakeContext): Routes {
  const server = createAuthorizationServer(context, { pkceRequired: true });
  const unauthorized = json({ message: 'Unauthorized', data: {} }, 401);
  return {
    'GET /oauth/authorize': (request) => server.authorize(request.query),
    'POST /oauth/token': server.tokenEndpoint(standardAnswer, () => json({ error: 'Invalid request' }, 400)),
    'POST /oauth/revoke': (request) => {
      server.revoke(request.query.get('token') ?? '');
      return text('OK');
    },
    'GET /public/v1/users': server.resource('Bearer', unauthorized, ({ user }) =>
      json({
        data: [
          {
            user_id: Number(user.id),
            name: user.username,
            email: user.email ?? '',
            profile_picture: user.avatarUrl ?? '',
          },
        ],
        message: 'OK',
      }),
    ),
    'POST /public/v1/token/introspect': server.resource('Bearer', unauthorized, (held) =>
      json({
        data: {
          active: true,
          client_id: context.client.id,
          exp: Math.floor(held.expiresAt / 1000),
          scope: held.scopes.join(' '),
          token_type: 'user',
        },
        message: 'OK',
      }),
    ),
  };
}
