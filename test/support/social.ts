import { afterAll, beforeAll } from '@jest/globals';
import { SOCIAL_PLATFORM_IDS, type SocialPlatformId } from '../../schemas/social.js';
import type { ProcessRole } from '../../server/roles.js';
import { startFakeProvider, type FakeProvider } from './fake-providers/index.js';
import { useOidcPlatform } from './oidc.js';
import type { TestPlatform } from './platform.js';

/**
 * Heimdall ID with every upstream provider configured against its local fake, and every platform enabled in the
 * Platform table (some ship disabled): what a test of social sign-in drives through HTTP or a browser.
 */
export function useSocialPlatform(
  roles: ProcessRole[] = ['api'],
  platforms: readonly SocialPlatformId[] = SOCIAL_PLATFORM_IDS,
  vars: Record<string, string> = {},
): TestPlatform & { fake(platform: SocialPlatformId): FakeProvider } {
  const fakes = new Map<SocialPlatformId, FakeProvider>();
  beforeAll(async () => {
    for (const platform of platforms) fakes.set(platform, await startFakeProvider(platform));
  });
  afterAll(async () => {
    await Promise.all([...fakes.values()].map((fake) => fake.close()));
  });
  const t = useOidcPlatform(
    () => ({
      ...vars,
      ...Object.fromEntries(
        [...fakes].flatMap(([platform, fake]) =>
          Object.entries({
            enabled: 'true',
            client_id: fake.config.client_id,
            client_secret: fake.config.client_secret,
            auth_url: fake.config.auth_url,
            api_url: fake.config.api_url,
          }).map(([key, value]) => [
            `HEIMDALL__SOCIAL__${platform.toUpperCase()}__${key.toUpperCase()}`,
            value,
          ]),
        ),
      ),
    }),
    roles,
  );
  beforeAll(async () => {
    await t.db('Platform').update({ enabled: true });
  });
  return Object.assign(Object.create(t) as TestPlatform, {
    fake: (platform: SocialPlatformId) => {
      const fake = fakes.get(platform);
      if (!fake) throw new Error(`No fake ${platform} in this suite.`);
      return fake;
    },
  });
}
