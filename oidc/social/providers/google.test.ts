import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeProvider, type FakeProvider } from '../../../test/support/fake-providers/index.js';
import { authorizeAt, failureOf, providerFor, signIn } from '../../../test/support/fake-providers/sign-in.js';
import type { UpstreamProvider } from '../types.js';

describe('google', () => {
  let fake: FakeProvider;
  let provider: UpstreamProvider;

  beforeAll(async () => {
    fake = await startFakeProvider('google');
    provider = providerFor(fake);
  });
  afterAll(() => fake.close());

  it('asks for a refresh token (access_type=offline, prompt=consent) only when offline', async () => {
    const online = await signIn(fake, provider, { offline: false });
    expect(fake.lastAuthorize?.has('access_type')).toBe(false);
    expect(fake.lastAuthorize?.has('prompt')).toBe(false);
    expect(online.tokens?.refreshToken).toBeUndefined();

    const offline = await signIn(fake, provider, { offline: true });
    expect(fake.lastAuthorize?.get('access_type')).toBe('offline');
    expect(fake.lastAuthorize?.get('prompt')).toBe('consent');
    expect(offline.tokens?.refreshToken).toEqual(expect.any(String));
  });

  it('sends the nonce, and refuses an ID token made for another one', async () => {
    const { secrets, callback } = await authorizeAt(fake, provider);
    expect(fake.lastAuthorize?.get('nonce')).toBe(secrets.nonce);
    const err = await failureOf(provider.complete(callback, { ...secrets, nonce: 'another-nonce' }));
    expect(err.reason).toBe('invalid_response');
  });

  it('reads the endpoints from discovery', async () => {
    const url = await provider.authorizationUrl({
      ...(await authorizeAt(fake, provider)).secrets,
      scopes: ['openid'],
      offline: false,
    });
    expect(url.href.startsWith(`${fake.url}/o/oauth2/v2/auth?`)).toBe(true);
    expect(fake.requests).toContain('GET /.well-known/openid-configuration');
    expect(fake.requests).toContain('GET /oauth2/v3/certs');
  });

  describe('the YouTube channel', () => {
    const youtube = { scopes: ['openid', 'https://www.googleapis.com/auth/youtube.force-ssl'] };
    const channelCalls = () => fake.requests.filter((r) => r === 'GET /youtube/v3/channels').length;

    it('is read when a YouTube scope was granted, and only then', async () => {
      fake.signInAs({ id: '1170001', username: 'tuber', youtubeChannelId: 'UCfake0000000000000000001' });
      const before = channelCalls();
      expect((await signIn(fake, provider, youtube)).profile.youtubeChannelId).toBe(
        'UCfake0000000000000000001',
      );
      expect(channelCalls()).toBe(before + 1);
      expect((await signIn(fake, provider)).profile.youtubeChannelId).toBeUndefined();
      expect(channelCalls()).toBe(before + 1);
    });

    it('is null for an account without a channel', async () => {
      fake.signInAs({ id: '1170002', username: 'viewer' });
      expect((await signIn(fake, provider, youtube)).profile.youtubeChannelId).toBeNull();
    });

    it('does not fail the sign-in when YouTube cannot be read: it is told, and stays unknown', async () => {
      fake.signInAs({ id: '1170003', username: 'tuber3', youtubeChannelId: 'UCfake0000000000000000003' });
      const told: string[] = [];
      const failing = providerFor(fake, {
        fetch: (url, init) =>
          String(url).includes('/youtube/')
            ? Promise.resolve(new Response('{}', { status: 503 }))
            : fetch(url, init),
        onError: (_err, context) => told.push(context),
      });
      const { profile } = await signIn(fake, failing, youtube);
      expect(profile).toMatchObject({ id: '1170003' });
      expect(profile.youtubeChannelId).toBeUndefined();
      expect(told).toEqual(['could not read the YouTube channel of a Google account']);
    });
  });
});
