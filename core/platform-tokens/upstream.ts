import type { PlatformTokenSet, SocialPlatformId } from '../../schemas/social.js';

/**
 * What the token store needs from the upstream providers (implemented in oidc/social, composed by server/): a new
 * token for a refresh token, and revoking a grant. Kept here so core depends on no provider code.
 */
export interface PlatformTokenClient {
  /** Throws TokenRefused when the provider refuses the refresh token for good. */
  refresh(platform: SocialPlatformId, refreshToken: string): Promise<PlatformTokenSet>;
  /** Whether the provider offers revocation (best effort: a failure is logged, never fatal). */
  canRevoke(platform: SocialPlatformId): boolean;
  revoke(
    platform: SocialPlatformId,
    tokens: { accessToken: string; refreshToken?: string | undefined },
  ): Promise<void>;
}

/** The provider refused a refresh token (invalid_grant): the person must link the platform again. */
export class TokenRefused extends Error {
  constructor(readonly reason: string) {
    super(`The provider refused the refresh token (${reason}).`);
    this.name = 'TokenRefused';
  }
}
