import { afterEach, describe, expect, it } from '@jest/globals';
import type { SocialPlatformId } from '../../../schemas/social.js';
import {
  startFakeProvider,
  type FakeProvider,
  type FakeUser,
} from '../../../test/support/fake-providers/index.js';
import { providerFor, signIn } from '../../../test/support/fake-providers/sign-in.js';
import type { UpstreamProfile } from '../types.js';

/** How each provider's own words about a person become a profile: above all, whether the address is verified. */

const BARE: FakeUser = { id: '1234567', username: 'bare' };
const UNVERIFIED: FakeUser = { ...BARE, email: 'bare@example.com', emailVerified: false };

const started: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

async function profileAt(platform: SocialPlatformId, user: FakeUser): Promise<UpstreamProfile> {
  const fake = await startFakeProvider(platform, { user });
  started.push(fake);
  return (await signIn(fake, providerFor(fake))).profile;
}

describe('an unverified address', () => {
  it.each<SocialPlatformId>(['discord', 'github', 'google', 'kick', 'trovo'])(
    'is kept but not vouched for (%s)',
    async (platform) => {
      expect(await profileAt(platform, UNVERIFIED)).toMatchObject({
        email: UNVERIFIED.email,
        emailVerified: false,
      });
    },
  );
});

describe('a person without an address, display name or avatar', () => {
  it.each<SocialPlatformId>(['twitch', 'discord', 'github', 'google', 'kick', 'trovo'])(
    'has none of them, and no verified address (%s)',
    async (platform) => {
      const profile = await profileAt(platform, BARE);
      expect(profile.email).toBeUndefined();
      expect(profile.emailVerified).toBe(false);
      expect(profile.id).toBe(BARE.id);
      if (platform !== 'github') expect(profile.avatarUrl).toBeUndefined();
    },
  );
});

describe('discord', () => {
  it('names the avatar on its CDN by the hash it gives', async () => {
    const avatarUrl = `https://cdn.discordapp.com/avatars/${BARE.id}/0123abcd.png`;
    expect((await profileAt('discord', { ...BARE, avatarUrl })).avatarUrl).toBe(avatarUrl);
  });
});

describe('github', () => {
  it('takes the primary address, not another verified one', async () => {
    // The fake lists a verified noreply address besides the primary one, as GitHub does.
    expect(await profileAt('github', UNVERIFIED)).toMatchObject({
      email: UNVERIFIED.email,
      emailVerified: false,
    });
    expect(await profileAt('github', { ...UNVERIFIED, emailVerified: true })).toMatchObject({
      email: UNVERIFIED.email,
      emailVerified: true,
    });
  });
});
