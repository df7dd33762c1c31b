import { isSocialPlatform, platformPermission, type SocialPlatformId } from '../../schemas/social.js';
import type { AuthContext } from '../auth/context.js';
import { requirePermission } from '../auth/guards.js';
import { notFound } from '../errors/index.js';

/**
 * The platform a bot names in `/v1/integrations/{platform}/…` (`youtube` is Google), once the caller is known to
 * hold that platform's permission; 404 `integration.unknown_platform` for a name Heimdall does not know, or, with
 * `tokens`, for a platform that issues none (Steam).
 */
export function platformForBot(
  auth: AuthContext,
  name: string,
  options: { tokens: boolean },
): SocialPlatformId {
  const platform = name === 'youtube' ? 'google' : name;
  if (!isSocialPlatform(platform) || (options.tokens && platform === 'steam')) {
    const what = options.tokens ? 'platform with tokens' : 'platform';
    throw notFound('integration.unknown_platform', `No ${what} is called ${name}.`);
  }
  const [resource, action] = platformPermission(platform).split(':') as [string, string];
  requirePermission(auth, resource, action);
  return platform;
}
