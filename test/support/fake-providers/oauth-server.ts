import { createHash } from 'node:crypto';
import {
  clientOf,
  formOf,
  json,
  randomToken,
  redirect,
  type FakeContext,
  type FakeRequest,
  type FakeResponse,
  type FakeUser,
  type Handler,
  tokenOf,
} from './harness.js';

/**
 * The authorization server every OAuth 2.0 fake is made of (RFC 6749 §4.1, PKCE RFC 7636, revocation RFC 7009):
 * codes single-use and bound to client, redirect_uri and challenge; access tokens that expire after the lifetime
 * set at issue; refresh tokens that rotate unless the provider keeps them. Each platform words the answers.
 */

export interface Grant {
  /** The authorization request it was given for. */
  request: URLSearchParams;
  user: FakeUser;
  scopes: string[];
  /** The OpenID Connect nonce of the authorization request. */
  nonce?: string | undefined;
}

export interface HeldGrant extends Grant {
  expiresAt: number;
}

export interface IssuedTokens {
  grant: Grant;
  accessToken: string;
  /** Undefined when a refresh kept the refresh token (Google). */
  refreshToken: string | undefined;
  expiresIn: number;
  /** Whether these came from a refresh token. */
  refreshed: boolean;
}

/** A refusal as RFC 6749 §5.2 words it. */
export interface Refusal {
  error: string;
  error_description: string;
}

interface PendingCode extends Grant {
  clientId: string;
  redirectUri: string;
  challenge: string | undefined;
  expiresAt: number;
}

export interface AuthorizationServerOptions {
  /** Whether an authorization request without a PKCE challenge is refused (Kick). */
  pkceRequired?: boolean;
  /** Whether a refresh issues a new refresh token (all but Google). */
  rotateRefreshTokens?: boolean;
}

export type AuthorizationServer = ReturnType<typeof createAuthorizationServer>;

const CODE_LIFETIME_MS = 10 * 60 * 1000;

export const refusal = (error: string, error_description: string): Refusal => ({ error, error_description });
const isRefusal = (value: object): value is Refusal => 'error' in value;

export function createAuthorizationServer(context: FakeContext, options: AuthorizationServerOptions = {}) {
  const { state, client } = context;
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, HeldGrant>();
  const refreshTokens = new Map<string, Grant>();

  function issue(grant: Grant, usedRefreshToken?: string): IssuedTokens {
    const accessToken = randomToken();
    const expiresIn = state.accessTokenLifetime;
    accessTokens.set(accessToken, { ...grant, expiresAt: Date.now() + expiresIn * 1000 });
    const refreshed = usedRefreshToken !== undefined;
    let refreshToken: string | undefined;
    if (!refreshed || options.rotateRefreshTokens !== false) {
      if (refreshed) refreshTokens.delete(usedRefreshToken);
      refreshToken = randomToken();
      refreshTokens.set(refreshToken, grant);
    }
    return { grant, accessToken, refreshToken, expiresIn, refreshed };
  }

  function redeem(form: URLSearchParams, clientId: string): IssuedTokens | Refusal {
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (!pending || pending.expiresAt < Date.now() || pending.clientId !== clientId) {
      return refusal('invalid_grant', 'The authorization code is invalid or expired.');
    }
    if (form.get('redirect_uri') !== pending.redirectUri) {
      return refusal('invalid_grant', 'The redirect_uri does not match the authorization request.');
    }
    if (pending.challenge !== undefined && s256(form.get('code_verifier') ?? '') !== pending.challenge) {
      return refusal('invalid_grant', 'The code_verifier does not match the code_challenge.');
    }
    return issue(pending);
  }

  function refresh(token: string): IssuedTokens | Refusal {
    const grant = refreshTokens.get(token);
    if (!grant || state.refuseRefresh) return refusal('invalid_grant', 'The refresh token is invalid.');
    state.refreshCount += 1;
    return issue(grant, token);
  }

  /** The grant an access token stands for, while it has not expired or been revoked. */
  function holder(accessToken: string | undefined): HeldGrant | undefined {
    const held = accessTokens.get(accessToken ?? '');
    return held && held.expiresAt > Date.now() ? held : undefined;
  }

  /** RFC 7009 §2.1 lets a revocation end the whole grant; these fakes do, as Google, Discord and GitHub do. */
  function revoke(token: string): void {
    state.revoked.push(token);
    const request = (accessTokens.get(token) ?? refreshTokens.get(token))?.request;
    for (const tokens of [accessTokens, refreshTokens]) {
      for (const [issued, grant] of tokens)
        if (issued === token || grant.request === request) tokens.delete(issued);
    }
  }

  return {
    redeem,
    refresh,
    /**
     * The authorize endpoint: remembers the request and answers as the person set with signInAs would, with a
     * redirect to the client (RFC 6749 §4.1.2). A request it cannot redirect back for is answered 400 here.
     */
    authorize(query: URLSearchParams): FakeResponse {
      state.lastAuthorize = new URLSearchParams(query);
      const redirectUri = query.get('redirect_uri');
      if (query.get('client_id') !== client.id || !redirectUri) {
        return json(refusal('invalid_request', 'Unknown client or no redirect_uri.'), 400);
      }
      const back = new URL(redirectUri);
      const answer = (params: Record<string, string>) => {
        for (const [name, value] of Object.entries(params)) back.searchParams.set(name, value);
        const requestState = query.get('state');
        if (requestState !== null) back.searchParams.set('state', requestState);
        return redirect(back);
      };
      const challenge = query.get('code_challenge') ?? undefined;
      if (state.user === 'deny') {
        return answer({ error: 'access_denied', error_description: 'The user denied the request.' });
      }
      if (query.get('response_type') !== 'code') return answer({ error: 'unsupported_response_type' });
      if (challenge !== undefined ? query.get('code_challenge_method') !== 'S256' : options.pkceRequired) {
        return answer({ error: 'invalid_request', error_description: 'An S256 code_challenge is required.' });
      }
      const code = randomToken();
      codes.set(code, {
        request: new URLSearchParams(query),
        user: state.user,
        scopes: (query.get('scope') ?? '').split(' ').filter(Boolean),
        nonce: query.get('nonce') ?? undefined,
        clientId: client.id,
        redirectUri,
        challenge,
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      return answer({ code });
    },

    holder,
    revoke,

    /**
     * A token endpoint taking the client's credentials in the form or as HTTP Basic, for the authorization_code
     * and refresh_token grants, answering as `answer` words tokens and `refuse` words refusals.
     */
    tokenEndpoint(
      answer: (tokens: IssuedTokens) => unknown,
      refuse: (refusal: Refusal, form: URLSearchParams) => FakeResponse = standardRefusal,
    ): Handler {
      return async (request: FakeRequest) => {
        const form = formOf(request);
        const given = clientOf(request, form);
        if (given.id !== client.id || given.secret !== client.secret) {
          return refuse(refusal('invalid_client', 'Client authentication failed.'), form);
        }
        const grantType = form.get('grant_type');
        const result =
          grantType === 'authorization_code'
            ? redeem(form, client.id)
            : grantType === 'refresh_token'
              ? refresh(form.get('refresh_token') ?? '')
              : refusal('unsupported_grant_type', `${grantType} is not supported.`);
        return isRefusal(result) ? refuse(result, form) : json(await answer(result));
      };
    },

    /** RFC 7009 §2: the client's id (and secret, when sent) and the token in a form; 200 whether it was known. */
    revocationEndpoint(): Handler {
      return (request) => {
        const form = formOf(request);
        const given = clientOf(request, form);
        if (given.id !== client.id || (given.secret !== undefined && given.secret !== client.secret)) {
          return standardRefusal(refusal('invalid_client', 'Client authentication failed.'));
        }
        revoke(form.get('token') ?? '');
        return { status: 200 };
      };
    },

    /** A resource read with an access token: `serve` for a live one, `unauthorized` otherwise. */
    resource(
      scheme: 'Bearer' | 'OAuth',
      unauthorized: FakeResponse,
      serve: (held: HeldGrant, request: FakeRequest) => FakeResponse | Promise<FakeResponse>,
    ): Handler {
      return (request) => {
        const held = holder(tokenOf(request, scheme));
        return held ? serve(held, request) : unauthorized;
      };
    },
  };
}

export const standardRefusal = (r: Refusal): FakeResponse =>
  json(r, r.error === 'invalid_client' ? 401 : 400);

/** RFC 6749 §5.1, as most providers word it. */
export const standardAnswer = ({ accessToken, refreshToken, expiresIn, grant }: IssuedTokens) => ({
  access_token: accessToken,
  token_type: 'Bearer',
  expires_in: expiresIn,
  ...(refreshToken && { refresh_token: refreshToken }),
  scope: grant.scopes.join(' '),
});

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
