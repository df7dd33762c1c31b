import { json, type FakeContext, type FakeUser, type Routes } from './harness.js';
import { createAuthorizationServer, standardAnswer } from './oauth-server.js';

/**
 * Discord (discord.com/developers/docs/topics/oauth2): authorize on discord.com, token and revocation under
 * /api, `/api/users/@me` with `email` and `verified` only for the email scope, the avatar as a CDN hash, and
 * `/api/oauth2/@me` saying what the token is.
 */
export function discordFake(context: FakeContext): Routes {
  const server = createAuthorizationServer(context);
  const unauthorized = json({ message: '401: Unauthorized', code: 0 }, 401);
  const discordUser = (user: FakeUser, scopes: string[]) => ({
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.displayName ?? null,
    // The test gives the CDN URL; Discord gives its hash (…/avatars/<id>/<hash>.png).
    avatar: user.avatarUrl ? (/\/([^/]+)\.png$/.exec(user.avatarUrl)?.[1] ?? null) : null,
    public_flags: 0,
    flags: 0,
    mfa_enabled: false,
    locale: 'en-US',
    ...(scopes.includes('email') && { email: user.email ?? null, verified: user.emailVerified ?? false }),
  });
  return {
    'GET /oauth2/authorize': (request) => server.authorize(request.query),
    'POST /api/oauth2/token': server.tokenEndpoint(standardAnswer),
    'POST /api/oauth2/token/revoke': server.revocationEndpoint(),
    'GET /api/users/@me': server.resource('Bearer', unauthorized, (held) =>
      json(discordUser(held.user, held.scopes)),
    ),
    'GET /api/oauth2/@me': server.resource('Bearer', unauthorized, (held) =>
      json({
        application: { id: context.client.id },
        scopes: held.scopes,
        expires: new Date(held.expiresAt).toISOString(),
        user: discordUser(held.user, []),
      }),
    ),
  };
}
