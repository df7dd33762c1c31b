import type { SocialPlatformId } from '../../schemas/social.js';

/**
 * What Heimdall needs of an upstream sign-in provider (Twitch, Discord, GitHub, Google, Kick, Trovo over OAuth 2.0 /
 * OpenID Connect; Steam over OpenID 2.0), whatever protocol it speaks. The sign-in flow (./flow.ts) keeps state,
 * PKCE verifier and nonce in its own cookie and hands them back here to check the answer.
 */

/** Who the person is at the provider, and the tokens it gave: shapes core stores, so defined with them. */
export type {
  PlatformProfile as UpstreamProfile,
  PlatformTokenSet as UpstreamTokens,
} from '../../schemas/social.js';
import type {
  PlatformProfile as UpstreamProfile,
  PlatformTokenSet as UpstreamTokens,
} from '../../schemas/social.js';

/** What the flow remembers between sending the person away and their return. */
export interface FlowSecrets {
  state: string;
  /** PKCE (RFC 7636) code verifier; sent as an S256 challenge where the provider supports it. */
  codeVerifier: string;
  /** OpenID Connect nonce (Google). */
  nonce: string;
  /** The callback URL registered at the provider: `<public_url>/account/social/<id>/callback`. */
  redirectUri: string;
}

export interface AuthorizationRequest extends FlowSecrets {
  /** The sign-in scopes, plus the integration scopes when the person connects the platform for bots. */
  scopes: string[];
  /** Ask for a refresh token (Google: access_type=offline and prompt=consent). */
  offline: boolean;
}

/** Why an answer from upstream was not accepted; the flow turns each into a message for the person. */
export type UpstreamFailure =
  | 'access_denied'
  | 'state_mismatch'
  | 'invalid_grant'
  | 'invalid_response'
  | 'forged_assertion'
  | 'unavailable';

export class UpstreamError extends Error {
  constructor(
    readonly reason: UpstreamFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamProvider {
  readonly id: SocialPlatformId;
  /** Whether a PKCE challenge is sent (the provider supports it). */
  readonly pkce: boolean;
  readonly scopes: readonly string[];
  readonly integrationScopes: readonly string[];
  /** Where to send the person. */
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  /**
   * Checks the callback's parameters (query string) against what the flow remembered, redeems the code, and reads
   * the profile. Throws UpstreamError: `access_denied` when the person said no, `state_mismatch` when the answer is
   * not to this request, `invalid_grant` when the code (or PKCE verifier) is refused, `forged_assertion` when a
   * Steam assertion does not check out.
   */
  complete(
    callback: URLSearchParams,
    expected: FlowSecrets,
  ): Promise<{
    profile: UpstreamProfile;
    tokens?: UpstreamTokens | undefined;
  }>;
  /** A new access token for a refresh token; `invalid_grant` when the provider refuses it for good. */
  refresh?(refreshToken: string): Promise<UpstreamTokens>;
  /** Revokes the grant upstream where the provider allows it (best effort by the caller). */
  revoke?(tokens: { accessToken: string; refreshToken?: string | undefined }): Promise<void>;
}

/** What a provider needs from Heimdall besides its config. */
export interface ProviderDeps {
  /**
   * Marks a one-time value (Steam's `openid.response_nonce`) as used; false when it was used before within ttl.
   */
  firstUse(key: string, ttlSeconds: number): Promise<boolean>;
  /** The fetch to call providers with (default: global fetch). */
  fetch?: typeof fetch;
  /** Failures a sign-in goes on without (Google's YouTube channel); default: none are told. */
  onError?: (err: unknown, context: string) => void;
}
