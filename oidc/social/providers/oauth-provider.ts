import * as client from 'openid-client';
import type { SocialPlatformId, SocialProviderConfig } from '../../../schemas/social.js';
import type {
  AuthorizationRequest,
  ProviderDeps,
  UpstreamProfile,
  UpstreamProvider,
  UpstreamTokens,
} from '../types.js';
import { codeFromCallback } from './callback.js';
import { oauthFailure } from './oauth-failure.js';
import { toUpstreamTokens } from './tokens.js';
import { createUpstreamHttp, readText, type UpstreamHttp } from './upstream-http.js';

/**
 * An upstream provider that speaks OAuth 2.0 (or OpenID Connect) closely enough for openid-client: it builds the
 * authorization URL, checks the answer, redeems the code with PKCE, refreshes and revokes. Each provider's module
 * adds only where its endpoints are, how it words what openid-client would refuse, and how to read the profile.
 */

/** Where a provider without discovery has its endpoints. */
export interface OAuthEndpoints {
  authorization_endpoint: string;
  token_endpoint: string;
  /** RFC 7009. */
  revocation_endpoint?: string;
}

export type TokenGrant = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** A token endpoint answer as it arrived: the status and the parsed JSON object. */
export interface TokenAnswerJson {
  status: number;
  body: Record<string, unknown>;
}

export interface OAuthProviderSpec {
  id: SocialPlatformId;
  config: SocialProviderConfig;
  deps: ProviderDeps;
  /** Whether the provider takes a PKCE (RFC 7636) S256 challenge. */
  pkce: boolean;
  /**
   * The endpoints, or `discovery`: OpenID Connect, discovered from auth_url, with a nonce sent and the ID token's
   * signature and claims checked.
   */
  server: OAuthEndpoints | 'discovery';
  /** Sets a token endpoint answer the provider words its own way right, before openid-client reads it. */
  rewriteTokenAnswer?: (answer: TokenAnswerJson) => TokenAnswerJson;
  /** Authorization parameters the provider takes besides RFC 6749's. */
  authorizationParameters?: (request: AuthorizationRequest) => Record<string, string>;
  readProfile(grant: TokenGrant, http: UpstreamHttp): Promise<UpstreamProfile>;
  revoke?: Revoker;
}

export type Revoker = (
  tokens: Pick<UpstreamTokens, 'accessToken' | 'refreshToken'>,
  via: { configuration: client.Configuration; http: UpstreamHttp },
) => Promise<void>;

/**
 * RFC 7009 revocation of one token. With `grant`, the refresh token when there is one: providers that revoke the
 * whole grant for it (Google, Discord) then leave no access token behind either.
 */
export const revokeAtEndpoint =
  (which: 'grant' | 'access_token'): Revoker =>
  async ({ accessToken, refreshToken }, { configuration }) => {
    const [token, hint] =
      which === 'grant' && refreshToken ? [refreshToken, 'refresh_token'] : [accessToken, 'access_token'];
    await client.tokenRevocation(configuration, token, { token_type_hint: hint });
  };

export function createOAuthProvider(spec: OAuthProviderSpec): UpstreamProvider {
  const { id, config, pkce } = spec;
  const http = createUpstreamHttp(id, spec.deps);
  const openIdConnect = spec.server === 'discovery';
  const configuration = lazyConfiguration(spec, http);
  const failed = (err: unknown): never => {
    throw oauthFailure(id, err);
  };

  const provider: UpstreamProvider = {
    id,
    pkce,
    scopes: config.scopes,
    integrationScopes: config.integration_scopes,

    async authorizationUrl(request) {
      const parameters: Record<string, string> = {
        redirect_uri: request.redirectUri,
        scope: request.scopes.join(' '),
        state: request.state,
        ...spec.authorizationParameters?.(request),
      };
      if (pkce) {
        parameters.code_challenge = await client.calculatePKCECodeChallenge(request.codeVerifier);
        parameters.code_challenge_method = 'S256';
      }
      if (openIdConnect) parameters.nonce = request.nonce;
      return client.buildAuthorizationUrl(await configuration(), parameters);
    },

    async complete(callback, expected) {
      const code = codeFromCallback(id, callback, expected.state);
      // openid-client takes the redirect_uri it sends from this URL (less its query): the registered one.
      const answer = new URL(expected.redirectUri);
      answer.search = new URLSearchParams({ code, state: expected.state }).toString();
      const grant = await client
        .authorizationCodeGrant(await configuration(), answer, {
          expectedState: expected.state,
          ...(pkce && { pkceCodeVerifier: expected.codeVerifier }),
          ...(openIdConnect && { expectedNonce: expected.nonce }),
        })
        .catch(failed);
      return { profile: await spec.readProfile(grant, http), tokens: toUpstreamTokens(grant) };
    },

    async refresh(refreshToken) {
      const grant = await client.refreshTokenGrant(await configuration(), refreshToken).catch(failed);
      return toUpstreamTokens(grant, refreshToken);
    },
  };
  const { revoke } = spec;
  if (revoke) {
    provider.revoke = async (tokens) => {
      await revoke(tokens, { configuration: await configuration(), http }).catch(failed);
    };
  }
  return provider;
}

/** Built at first use (discovery is a request), and again after a failure rather than remembering it. */
function lazyConfiguration(spec: OAuthProviderSpec, http: UpstreamHttp): () => Promise<client.Configuration> {
  let pending: Promise<client.Configuration> | undefined;
  return () =>
    (pending ??= buildConfiguration(spec, http).catch((err: unknown) => {
      pending = undefined;
      throw oauthFailure(spec.id, err);
    }));
}

async function buildConfiguration(
  spec: OAuthProviderSpec,
  http: UpstreamHttp,
): Promise<client.Configuration> {
  const { config, server } = spec;
  const customFetch = providerFetch(spec, http);
  const secret = { client_secret: config.client_secret };
  const clientAuth = client.ClientSecretPost(config.client_secret);
  // Plain HTTP only where the operator configured it so: a test's provider on loopback.
  const insecure = [config.auth_url, config.api_url].some((url) => url.startsWith('http:'));
  if (server === 'discovery') {
    const discovered = await client.discovery(
      new URL(config.auth_url),
      config.client_id,
      secret,
      clientAuth,
      {
        [client.customFetch]: customFetch,
        execute: insecure ? [client.allowInsecureRequests] : [],
      },
    );
    // Beyond the claims, the ID token's signature is checked against the provider's published keys.
    client.enableNonRepudiationChecks(discovered);
    return discovered;
  }
  const configured = new client.Configuration(
    { issuer: config.auth_url, ...server },
    config.client_id,
    secret,
    clientAuth,
  );
  configured[client.customFetch] = customFetch;
  if (insecure) client.allowInsecureRequests(configured);
  return configured;
}

/** openid-client's requests go through our fetch (timeout, failures); token answers are set right on the way. */
function providerFetch(spec: OAuthProviderSpec, http: UpstreamHttp): client.CustomFetch {
  const { rewriteTokenAnswer, server } = spec;
  const tokenEndpoint = server === 'discovery' ? undefined : new URL(server.token_endpoint).href;
  return async (url, options) => {
    const response = await http.send(url, options as RequestInit);
    if (!rewriteTokenAnswer || url !== tokenEndpoint) return response;
    const text = await readText(response, () => spec.id);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return new Response(text || null, { status: response.status, headers });
    }
    const rewritten = rewriteTokenAnswer({ status: response.status, body: body as Record<string, unknown> });
    return new Response(JSON.stringify(rewritten.body), { status: rewritten.status, headers });
  };
}
