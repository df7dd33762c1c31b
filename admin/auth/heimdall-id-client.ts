import * as oidc from 'openid-client';

/**
 * The panel as a relying party of its own Heimdall ID: authorization code with PKCE (S256), state and nonce,
 * the answer posted back to /admin/login (`response_mode=form_post`, which AdminJS's login route receives and
 * hands to the auth provider). The access token is for Heimdall's API (resource indicator), carrying only the
 * scopes the panel's client holds, so the browser can be given it for the live feed.
 */
export interface PanelClientSettings {
  /** Heimdall ID's issuer (public_url + /oidc). */
  issuer: string;
  clientId: string;
  /** The server's public URL, without a trailing slash. */
  publicUrl: string;
  /** The API's resource indicator (access tokens for /v1 and /ws). */
  apiResource: string;
  scopes: readonly string[];
  /**
   * Where this process reaches Heimdall ID itself, when it serves it (http://127.0.0.1:port): the token
   * exchange then stays on the machine, whatever proxy stands in front. Undefined: the public URL.
   */
  internalOrigin: () => string | undefined;
}

/** What a started sign-in keeps in the panel session until Heimdall ID answers. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  startedAt: number;
}

export interface FinishedSignIn {
  subject: string;
  claims: oidc.IDToken;
  idToken: string;
  accessToken: string;
  refreshToken: string | undefined;
}

export function createPanelClient(settings: PanelClientSettings) {
  const redirectUri = `${settings.publicUrl}/admin/login`;
  const publicOrigin = new URL(settings.publicUrl).origin;
  /**
   * Calls to Heimdall ID go over loopback when this process serves it. The provider names its endpoints after
   * the address it was asked at, so the discovery document it answers there is given back its public origin:
   * the browser must be sent to the public authorization endpoint, and an https issuer's endpoints must be https.
   */
  const viaInternal: oidc.CustomFetch = async (url, options) => {
    const internal = settings.internalOrigin();
    if (!internal || !url.startsWith(publicOrigin)) return fetch(url, options as RequestInit);
    const response = await fetch(internal + url.slice(publicOrigin.length), options as RequestInit);
    if (!url.includes('/.well-known/') || !response.ok) return response;
    const text = (await response.text()).replaceAll(JSON.stringify(internal).slice(1, -1), publicOrigin);
    return new Response(text, { status: response.status, headers: response.headers });
  };
  let configuration: Promise<oidc.Configuration> | undefined;
  const config = () =>
    (configuration ??= oidc
      .discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.None(), {
        execute: settings.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
        [oidc.customFetch]: viaInternal,
      })
      .catch((err: unknown) => {
        configuration = undefined;
        throw err;
      }));

  return {
    redirectUri,

    async start(): Promise<{ url: string; pending: PendingSignIn }> {
      const pending: PendingSignIn = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        startedAt: Date.now(),
      };
      const url = oidc.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        scope: settings.scopes.join(' '),
        response_mode: 'form_post',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        resource: settings.apiResource,
      });
      return { url: url.href, pending };
    },

    /** Redeems the posted answer; throws when state, code, PKCE, nonce or the ID token do not check out. */
    async finish(pending: PendingSignIn, answer: Record<string, string>): Promise<FinishedSignIn> {
      const callback = new URL(redirectUri);
      for (const key of ['code', 'state', 'iss', 'error', 'error_description']) {
        if (answer[key] !== undefined) callback.searchParams.set(key, answer[key]);
      }
      const tokens = await oidc.authorizationCodeGrant(
        await config(),
        callback,
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
        { resource: settings.apiResource },
      );
      const claims = tokens.claims();
      if (!claims || !tokens.id_token) throw new Error('Heimdall ID answered without an ID token.');
      return {
        subject: claims.sub,
        claims,
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
      };
    },

    /** A fresh access token for the API from the refresh token (which rotates: the new one is returned). */
    async refresh(refreshToken: string) {
      const tokens = await oidc.refreshTokenGrant(await config(), refreshToken, {
        resource: settings.apiResource,
      });
      return {
        accessToken: tokens.access_token,
        expiresIn: tokens.expiresIn() ?? 0,
        refreshToken: tokens.refresh_token ?? refreshToken,
      };
    },

    /** RP-initiated logout: Heimdall ID asks whether to end the Heimdall session too, then comes back. */
    async endSessionUrl(idToken: string | undefined): Promise<string> {
      return oidc.buildEndSessionUrl(await config(), {
        post_logout_redirect_uri: redirectUri,
        ...(idToken ? { id_token_hint: idToken } : {}),
      }).href;
    },
  };
}

export type PanelClient = ReturnType<typeof createPanelClient>;
