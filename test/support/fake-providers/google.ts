import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { json, type FakeContext, type Routes } from './harness.js';
import { createAuthorizationServer, standardAnswer, type Grant, type IssuedTokens } from './oauth-server.js';

/**
 * Google (developers.google.com/identity/openid-connect/openid-connect): discovery, an RS256 ID token with the
 * nonce, aud, iss and exp an OpenID Connect client checks, published keys, userinfo, tokeninfo and the YouTube
 * channel of the token's account (YouTube Data API v3, for a token with a YouTube scope). A refresh
 * token only for access_type=offline, and a refresh that keeps it: Google does not rotate refresh tokens.
 */
const ID_TOKEN_LIFETIME = 3600;

export async function googleFake(context: FakeContext): Promise<Routes> {
  const { client } = context;
  const server = createAuthorizationServer(context, { rotateRefreshTokens: false });
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = 'fake-google-key';
  const unauthorized = json({ error: 'invalid_request', error_description: 'Invalid Credentials' }, 401);

  const claims = ({ user, scopes }: Grant) => ({
    sub: user.id,
    ...(scopes.includes('email') &&
      user.email !== undefined && { email: user.email, email_verified: user.emailVerified ?? false }),
    ...(scopes.includes('profile') && { name: user.displayName ?? user.username, picture: user.avatarUrl }),
  });

  const idToken = (grant: Grant, refreshed: boolean) =>
    new SignJWT({
      ...claims(grant),
      azp: client.id,
      ...(!refreshed && grant.nonce && { nonce: grant.nonce }),
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(context.url())
      .setAudience(client.id)
      .setIssuedAt()
      .setExpirationTime(`${ID_TOKEN_LIFETIME}s`)
      .sign(privateKey);

  const answer = async (tokens: IssuedTokens) => {
    const offline = tokens.grant.request.get('access_type') === 'offline';
    const { refresh_token, ...rest } = standardAnswer(tokens);
    return {
      ...rest,
      ...(offline && refresh_token && { refresh_token }),
      ...(tokens.grant.scopes.includes('openid') && {
        id_token: await idToken(tokens.grant, tokens.refreshed),
      }),
    };
  };

  return {
    'GET /.well-known/openid-configuration': () =>
      json({
        issuer: context.url(),
        authorization_endpoint: `${context.url()}/o/oauth2/v2/auth`,
        token_endpoint: `${context.url()}/token`,
        userinfo_endpoint: `${context.url()}/v1/userinfo`,
        revocation_endpoint: `${context.url()}/revoke`,
        jwks_uri: `${context.url()}/oauth2/v3/certs`,
        response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'none'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'email', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        claims_supported: ['aud', 'email', 'email_verified', 'exp', 'iat', 'iss', 'name', 'picture', 'sub'],
        code_challenge_methods_supported: ['plain', 'S256'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
      }),
    'GET /oauth2/v3/certs': async () =>
      json({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }),
    'GET /o/oauth2/v2/auth': (request) => server.authorize(request.query),
    'POST /token': server.tokenEndpoint(answer),
    'POST /revoke': server.revocationEndpoint(),
    'GET /v1/userinfo': server.resource('Bearer', unauthorized, (held) => json(claims(held))),
    'GET /youtube/v3/channels': server.resource('Bearer', unauthorized, (held, request) => {
      if (!held.scopes.some((scope) => scope.startsWith('https://www.googleapis.com/auth/youtube'))) {
        return youtubeError(
          403,
          'insufficientPermissions',
          'Request had insufficient authentication scopes.',
        );
      }
      if (request.query.get('mine') !== 'true' || !request.query.get('part')?.split(',').includes('id')) {
        return youtubeError(400, 'badRequest', 'This fake answers part=id&mine=true only.');
      }
      const channelId = held.user.youtubeChannelId;
      return json({
        kind: 'youtube#channelListResponse',
        etag: 'fake',
        pageInfo: { totalResults: channelId ? 1 : 0, resultsPerPage: 5 },
        items: channelId ? [{ kind: 'youtube#channel', etag: 'fake', id: channelId }] : [],
      });
    }),
    'GET /tokeninfo': (request) => {
      const held = server.holder(request.query.get('access_token') ?? undefined);
      if (!held) return json({ error: 'invalid_token', error_description: 'Invalid Value' }, 400);
      const expiresIn = Math.floor((held.expiresAt - Date.now()) / 1000);
      return json({
        azp: client.id,
        aud: client.id,
        sub: held.user.id,
        scope: held.scopes.join(' '),
        exp: String(Math.floor(held.expiresAt / 1000)),
        expires_in: String(expiresIn),
        access_type: held.request.get('access_type') ?? 'online',
      });
    },
  };
}

/** Google APIs' error answer. */
const youtubeError = (status: number, reason: string, message: string) =>
  json({ error: { code: status, message, errors: [{ message, domain: 'youtube', reason }] } }, status);
