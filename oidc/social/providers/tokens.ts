import type { UpstreamTokens } from '../types.js';

/** A token endpoint's answer as RFC 6749 §5.1 words it, once each provider's own wording is set right. */
export interface TokenAnswer {
  access_token: string;
  token_type: string;
  refresh_token?: string | undefined;
  expires_in?: number | undefined;
  scope?: string | undefined;
}

/**
 * A refresh answer may leave the refresh token out when it stays the same (Google's do): the one just used is
 * kept then, so a caller always holds the refresh token that works. GitHub separates scopes with commas.
 */
export function toUpstreamTokens(answer: TokenAnswer, usedRefreshToken?: string): UpstreamTokens {
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? usedRefreshToken,
    expiresAt: answer.expires_in === undefined ? undefined : new Date(Date.now() + answer.expires_in * 1000),
    scopes: (answer.scope ?? '').split(/[\s,]+/).filter(Boolean),
    tokenType: answer.token_type,
  };
}
