import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SocialPlatformId } from '../../../schemas/social.js';
import { startFakeProvider, type FakeProvider } from '../../../test/support/fake-providers/index.js';
import { authorizeAt, providerFor } from '../../../test/support/fake-providers/sign-in.js';
import { UpstreamError, type UpstreamProvider } from '../types.js';

/**
 * Whatever arrives at the callback URL (it is the person's browser, or anyone, talking), a provider answers with
 * a sign-in or an UpstreamError, never another failure. Values are drawn from a real answer too, so that many
 * runs get past the state check and reach the fake's token endpoint or Steam's check_authentication.
 */
describe.each<SocialPlatformId>(['twitch', 'github', 'google', 'trovo', 'steam'])(
  '%s callback',
  (platform) => {
    let fake: FakeProvider;
    let provider: UpstreamProvider;

    beforeAll(async () => {
      fake = await startFakeProvider(platform);
      provider = providerFor(fake);
    });
    afterAll(() => fake.close());

    it('answers any query string with a sign-in or an UpstreamError', async () => {
      const { secrets, callback } = await authorizeAt(fake, provider);
      const known = ['state', 'code', 'error', 'error_description', 'iss', 'openid.mode', 'openid.signed'];
      const name = fc.oneof(
        fc.constantFrom(...new Set([...callback.keys(), ...known])),
        fc.string({ unit: 'binary' }),
      );
      const value = fc.oneof(
        fc.constantFrom(
          ...callback.values(),
          secrets.state,
          'access_denied',
          'server_error',
          'id_res',
          'cancel',
        ),
        fc.string({ unit: 'binary' }),
      );
      const query = fc.oneof(
        fc.array(fc.tuple(name, value), { maxLength: 16 }).map((entries) => new URLSearchParams(entries)),
        fc.string({ unit: 'binary' }).map((raw) => new URLSearchParams(raw)),
        fc
          .tuple(fc.subarray([...callback]), fc.array(fc.tuple(name, value), { maxLength: 4 }))
          .map(([kept, added]) => new URLSearchParams([...kept, ...added])),
      );

      await fc.assert(
        fc.asyncProperty(query, async (params) => {
          const outcome = await provider.complete(params, secrets).then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(outcome === undefined || outcome instanceof UpstreamError).toBe(true);
        }),
        { numRuns: 200 },
      );
    });
  },
);
