import { TokenRefused, type PlatformTokenClient } from '../../core/platform-tokens/upstream.js';
import type { SocialPlatformId } from '../../schemas/social.js';
import { UpstreamError, type UpstreamProvider } from './types.js';

/**
 * The token store's view of the upstream providers: refresh and revoke by platform. A refresh the provider refuses
 * for good (`invalid_grant`) becomes TokenRefused, which marks the token invalid; anything else (the provider is
 * down) stays an error, and the scheduler tries again later. A platform no longer configured cannot refresh.
 */
export function createPlatformTokenClient(
  providers: ReadonlyMap<SocialPlatformId, UpstreamProvider>,
): PlatformTokenClient {
  const provider = (platform: SocialPlatformId) => providers.get(platform);
  return {
    async refresh(platform, refreshToken) {
      const refresh = provider(platform)?.refresh;
      if (!refresh) throw new Error(`${platform} is not configured: its tokens cannot be refreshed.`);
      try {
        return await refresh.call(provider(platform), refreshToken);
      } catch (err) {
        if (err instanceof UpstreamError && err.reason === 'invalid_grant')
          throw new TokenRefused('invalid_grant');
        throw err;
      }
    },
    canRevoke: (platform) => Boolean(provider(platform)?.revoke),
    async revoke(platform, tokens) {
      await provider(platform)?.revoke?.(tokens);
    },
  };
}
