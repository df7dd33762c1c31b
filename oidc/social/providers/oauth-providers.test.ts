import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SocialPlatformId } from '../../../schemas/social.js';
import {
  startFakeProvider,
  type FakeProvider,
  type FakeUser,
} from '../../../test/support/fake-providers/index.js';
import { authorizeAt, failureOf, providerFor, signIn } from '../../../test/support/fake-providers/sign-in.js';
import type { UpstreamProvider } from '../types.js';

/**
 * Every OAuth 2.0 provider against its fake, through the same steps a person and the refresh job take. What
 * differs between providers is stated in the table, not hidden in branches.
 */

interface Expected {
  pkce: boolean;
  /** Whether the provider vouches for the address of a user whose address is verified. */
  vouchesForEmail: boolean;
  /** Whether a refresh hands out a new refresh token (Google keeps the one it gave). */
  rotates: boolean;
  /** The token the fake sees revoked. */
  revokes: 'access' | 'refresh';
  /** Where the profile comes from: read with the access token, or the ID token's claims. */
  profile: 'api' | 'id_token';
}

const EXPECTED: Record<Exclude<SocialPlatformId, 'steam'>, Expected> = {
  twitch: { profile: 'api', pkce: false, vouchesForEmail: true, rotates: true, revokes: 'access' },
  discord: { profile: 'api', pkce: true, vouchesForEmail: true, rotates: true, revokes: 'refresh' },
  github: { profile: 'api', pkce: true, vouchesForEmail: true, rotates: true, revokes: 'access' },
  google: { profile: 'id_token', pkce: true, vouchesForEmail: true, rotates: false, revokes: 'refresh' },
  kick: { profile: 'api', pkce: true, vouchesForEmail: false, rotates: true, revokes: 'refresh' },
  trovo: { profile: 'api', pkce: false, vouchesForEmail: false, rotates: true, revokes: 'access' },
};

const USER: FakeUser = {
  id: '4815162342',
  username: 'ada',
  displayName: 'Ada L.',
  email: 'ada@example.com',
  emailVerified: true,
  avatarUrl: 'https://cdn.discordapp.com/avatars/4815162342/a1b2c3.png',
};

describe.each(Object.entries(EXPECTED))('%s', (platform, expected) => {
  let fake: FakeProvider;
  let provider: UpstreamProvider;

  beforeAll(async () => {
    fake = await startFakeProvider(platform as SocialPlatformId, { user: USER });
    provider = providerFor(fake);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.signInAs(USER);
    fake.refuseRefresh(false);
    fake.accessTokenLifetime = 3600;
  });

  it('signs in: the profile, and tokens with the granted scopes and their expiry', async () => {
    fake.accessTokenLifetime = 1234;
    const scopes = [...provider.scopes, ...provider.integrationScopes];
    const { profile, tokens } = await signIn(fake, provider, { scopes });

    expect(profile).toMatchObject({
      id: USER.id,
      email: USER.email,
      emailVerified: expected.vouchesForEmail,
    });
    expect(profile.username).toBe(platform === 'google' ? USER.displayName : USER.username);
    expect(profile.avatarUrl).toBe(USER.avatarUrl);
    expect(profile.displayName).toBe(platform === 'kick' ? undefined : USER.displayName);
    expect(tokens?.accessToken).toEqual(expect.any(String));
    expect(tokens?.refreshToken).toEqual(expect.any(String));
    expect(tokens?.tokenType.toLowerCase()).toBe(platform === 'trovo' ? 'oauth' : 'bearer');
    expect(new Set(tokens?.scopes)).toEqual(new Set(scopes));
    const expiresIn = ((tokens?.expiresAt?.getTime() ?? 0) - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(1200);
    expect(expiresIn).toBeLessThanOrEqual(1234);
    expect(fake.lastAuthorize?.get('scope')?.split(' ')).toEqual(scopes);
  });

  it(`sends a PKCE challenge ${expected.pkce ? 'with S256' : 'never'}`, async () => {
    expect(provider.pkce).toBe(expected.pkce);
    await signIn(fake, provider);
    expect(fake.lastAuthorize?.has('code_challenge')).toBe(expected.pkce);
    expect(fake.lastAuthorize?.get('code_challenge_method') ?? undefined).toBe(
      expected.pkce ? 'S256' : undefined,
    );
  });

  it('refreshes, and keeps a refresh token that works', async () => {
    const { tokens } = await signIn(fake, provider);
    const before = fake.refreshCount;
    const refreshed = await provider.refresh!(tokens!.refreshToken!);

    expect(fake.refreshCount).toBe(before + 1);
    expect(refreshed.accessToken).not.toBe(tokens!.accessToken);
    expect(refreshed.refreshToken === tokens!.refreshToken).toBe(!expected.rotates);
    expect(refreshed.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    const again = await provider.refresh!(refreshed.refreshToken!);
    expect(again.accessToken).not.toBe(refreshed.accessToken);
  });

  it('reports a refused refresh token as invalid_grant', async () => {
    const { tokens } = await signIn(fake, provider);
    fake.refuseRefresh();
    expect((await failureOf(provider.refresh!(tokens!.refreshToken!))).reason).toBe('invalid_grant');
    expect((await failureOf(provider.refresh!('never-issued'))).reason).toBe('invalid_grant');
  });

  it('reports a refused client (a wrong secret) as unavailable: the tokens are not to blame', async () => {
    const { tokens } = await signIn(fake, provider);
    const misconfigured = providerFor({
      ...fake,
      config: { ...fake.config, client_secret: 'rotated-badly' },
    });
    // Kick answers every refusal with 400 "Invalid request": a refused client cannot be told from a refused grant.
    expect((await failureOf(misconfigured.refresh!(tokens!.refreshToken!))).reason).toBe(
      platform === 'kick' ? 'invalid_grant' : 'unavailable',
    );
  });

  it('revokes upstream', async () => {
    const { tokens } = await signIn(fake, provider);
    await provider.revoke!(tokens!);
    expect(fake.revoked).toContain(
      expected.revokes === 'access' ? tokens!.accessToken : tokens!.refreshToken,
    );
  });

  it('reports the person saying no as access_denied, with no token requested', async () => {
    fake.signInAs('deny');
    const { secrets, callback } = await authorizeAt(fake, provider);
    expect(callback.get('error')).toBe('access_denied');
    const requests = fake.requests.length;

    const err = await failureOf(provider.complete(callback, secrets));
    expect(err.reason).toBe('access_denied');
    expect(err.message).toContain('access_denied');
    expect(fake.requests.length).toBe(requests);
  });

  it('reports an answer to another request as state_mismatch, before redeeming its code', async () => {
    const { secrets, callback } = await authorizeAt(fake, provider);
    const requests = fake.requests.length;
    const missing = new URLSearchParams(callback);
    missing.delete('state');
    const twice = new URLSearchParams(callback);
    twice.append('state', secrets.state);

    for (const state of [`${secrets.state}x`, secrets.state.slice(1)]) {
      const err = await failureOf(provider.complete(callback, { ...secrets, state }));
      expect(err.reason).toBe('state_mismatch');
    }
    expect((await failureOf(provider.complete(missing, secrets))).reason).toBe('state_mismatch');
    expect((await failureOf(provider.complete(twice, secrets))).reason).toBe('state_mismatch');
    expect(fake.requests.length).toBe(requests);
    // The code was never spent.
    await expect(provider.complete(callback, secrets)).resolves.toBeDefined();
  });

  it('reports a code used twice, or for another redirect_uri, as invalid_grant', async () => {
    const { secrets, callback } = await authorizeAt(fake, provider);
    await provider.complete(callback, secrets);
    expect((await failureOf(provider.complete(callback, secrets))).reason).toBe('invalid_grant');

    const other = await authorizeAt(fake, provider);
    const redirectUri = 'https://heimdall.test/elsewhere';
    expect(
      (await failureOf(provider.complete(other.callback, { ...other.secrets, redirectUri }))).reason,
    ).toBe('invalid_grant');
  });

  if (expected.pkce) {
    it('reports a wrong PKCE verifier as invalid_grant', async () => {
      const { secrets, callback } = await authorizeAt(fake, provider);
      const err = await failureOf(
        provider.complete(callback, { ...secrets, codeVerifier: `${secrets.codeVerifier}x` }),
      );
      expect(err.reason).toBe('invalid_grant');
    });
  }

  if (expected.profile === 'api') {
    it('reports a refused profile (expired token) as invalid_response', async () => {
      fake.accessTokenLifetime = -1;
      expect((await failureOf(signIn(fake, provider))).reason).toBe('invalid_response');
    });
  }

  it('reports a provider that cannot be reached as unavailable', async () => {
    const gone = await startFakeProvider(platform as SocialPlatformId);
    const unreachable = providerFor(gone);
    const { secrets, callback } = await authorizeAt(gone, unreachable);
    await gone.close();
    expect((await failureOf(unreachable.complete(callback, secrets))).reason).toBe('unavailable');
    expect((await failureOf(unreachable.refresh!('any'))).reason).toBe('unavailable');
  });

  it('never puts tokens or the client secret into its errors', async () => {
    const { tokens } = await signIn(fake, provider);
    fake.refuseRefresh();
    const err = await failureOf(provider.refresh!(tokens!.refreshToken!));
    const said = JSON.stringify({ message: err.message, cause: String(err.cause) });
    for (const secret of [tokens!.refreshToken!, tokens!.accessToken, fake.config.client_secret]) {
      expect(said).not.toContain(secret);
    }
  });
});
