import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  startFakeProvider,
  type FakeProvider,
  type FakeUser,
} from '../../../test/support/fake-providers/index.js';
import {
  authorizeAt,
  failureOf,
  memoryFirstUse,
  providerFor,
  signIn,
} from '../../../test/support/fake-providers/sign-in.js';
import type { UpstreamProvider } from '../types.js';

const GABEN: FakeUser = {
  id: '76561197960287930',
  username: 'gabelogannewell',
  displayName: 'Rabscuttle',
  avatarUrl: 'https://avatars.steamstatic.com/c5d56249ee5d28a07db4ac9f7f60af961fab5426_full.jpg',
};

describe('steam', () => {
  let fake: FakeProvider;
  let provider: UpstreamProvider;

  beforeAll(async () => {
    fake = await startFakeProvider('steam', { user: GABEN });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.signInAs(GABEN);
    provider = providerFor(fake);
  });

  /** A positive assertion for this sign-in, with `change` applied to its parameters. */
  async function assertion(change: (callback: URLSearchParams) => void = () => undefined) {
    const { secrets, callback } = await authorizeAt(fake, provider);
    change(callback);
    return { secrets, callback };
  }

  it('sends the person to Steam with checkid_setup, the state bound into return_to', async () => {
    const { secrets } = await assertion();
    const sent = fake.lastAuthorize!;
    expect(Object.fromEntries(sent)).toEqual({
      'openid.ns': 'http://specs.openid.net/auth/2.0',
      'openid.mode': 'checkid_setup',
      'openid.return_to': `${secrets.redirectUri}?state=${secrets.state}`,
      'openid.realm': 'https://heimdall.test',
      'openid.identity': 'http://specs.openid.net/auth/2.0/identifier_select',
      'openid.claimed_id': 'http://specs.openid.net/auth/2.0/identifier_select',
    });
  });

  it('signs in with a valid assertion: the SteamID and the profile, and no tokens', async () => {
    const result = await signIn(fake, provider);
    expect(result).toEqual({
      profile: {
        id: GABEN.id,
        username: GABEN.displayName,
        displayName: GABEN.displayName,
        avatarUrl: GABEN.avatarUrl,
        emailVerified: false,
      },
    });
    expect(provider.pkce).toBe(false);
    expect(provider.refresh).toBeUndefined();
    expect(provider.revoke).toBeUndefined();
    expect(fake.requests).toContain('POST /openid/login');
  });

  it('refuses a tampered claimed_id: Steam does not confirm the signature', async () => {
    const { secrets, callback } = await assertion((params) => {
      const other = `${fake.url}/openid/id/76561198000000000`;
      params.set('openid.claimed_id', other);
      params.set('openid.identity', other);
    });
    const err = await failureOf(provider.complete(callback, secrets));
    expect(err.reason).toBe('forged_assertion');
    expect(err.message).toMatch(/not confirmed by Steam/);
  });

  it('refuses a tampered signature', async () => {
    const { secrets, callback } = await assertion((params) => {
      const sig = Buffer.from(params.get('openid.sig')!, 'base64');
      sig[0]! ^= 1;
      params.set('openid.sig', sig.toString('base64'));
    });
    expect((await failureOf(provider.complete(callback, secrets))).reason).toBe('forged_assertion');
  });

  it('refuses a replayed response_nonce, before Steam is asked again', async () => {
    const { secrets, callback } = await assertion();
    await provider.complete(callback, secrets);
    const asked = fake.requests.length;
    const err = await failureOf(provider.complete(callback, secrets));
    expect(err).toMatchObject({ reason: 'forged_assertion', message: expect.stringMatching(/used before/) });
    expect(fake.requests.length).toBe(asked);
  });

  it('is refused by Steam too when an instance that did not see the nonce replays it', async () => {
    const { secrets, callback } = await assertion();
    await provider.complete(callback, secrets);
    const other = providerFor(fake, { firstUse: memoryFirstUse() });
    const err = await failureOf(other.complete(callback, secrets));
    expect(err).toMatchObject({
      reason: 'forged_assertion',
      message: expect.stringMatching(/not confirmed/),
    });
  });

  it('refuses a stale response_nonce', async () => {
    const { secrets, callback } = await assertion((params) => {
      params.set(
        'openid.response_nonce',
        `2001-02-03T04:05:06Z${params.get('openid.response_nonce')!.slice(20)}`,
      );
    });
    const err = await failureOf(provider.complete(callback, secrets));
    expect(err).toMatchObject({ reason: 'forged_assertion', message: expect.stringMatching(/stale/) });
  });

  it('refuses an answer to another sign-in: state_mismatch, or forged when only the state was changed', async () => {
    const first = await assertion();
    const second = await assertion();
    const asked = fake.requests.length;
    expect((await failureOf(provider.complete(first.callback, second.secrets))).reason).toBe(
      'state_mismatch',
    );

    first.callback.set('state', second.secrets.state);
    const err = await failureOf(provider.complete(first.callback, second.secrets));
    expect(err).toMatchObject({
      reason: 'forged_assertion',
      message: expect.stringMatching(/another sign-in/),
    });
    expect(fake.requests.length).toBe(asked);
  });

  it('refuses a return_to other than the one sent, even with the same state', async () => {
    const { secrets, callback } = await assertion((params) => {
      params.set('openid.return_to', `${params.get('openid.return_to')}&next=/elsewhere`);
    });
    expect((await failureOf(provider.complete(callback, secrets))).reason).toBe('forged_assertion');
  });

  it('refuses a claimed id of another host, and an assertion of another OpenID provider', async () => {
    const { secrets, callback } = await assertion((params) => {
      const foreign = `https://evil.example/openid/id/${GABEN.id}`;
      params.set('openid.claimed_id', foreign);
      params.set('openid.identity', foreign);
    });
    const err = await failureOf(provider.complete(callback, secrets));
    expect(err).toMatchObject({ reason: 'forged_assertion', message: expect.stringMatching(/no account/) });

    const elsewhere = await startFakeProvider('steam', {
      user: GABEN,
      clientSecret: fake.config.client_secret,
    });
    try {
      const { secrets: mine } = await assertion();
      const url = await provider.authorizationUrl({ ...mine, scopes: [], offline: false });
      const theirs = await elsewhere.authorize(url.href.replace(fake.url, elsewhere.url));
      const foreign = await failureOf(provider.complete(theirs.searchParams, mine));
      expect(foreign).toMatchObject({
        reason: 'forged_assertion',
        message: expect.stringMatching(/another OpenID/),
      });
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses an assertion that leaves the claimed id unsigned', async () => {
    const { secrets, callback } = await assertion((params) => {
      params.set('openid.signed', 'signed,op_endpoint,identity,return_to,response_nonce,assoc_handle');
    });
    const err = await failureOf(provider.complete(callback, secrets));
    expect(err).toMatchObject({ reason: 'forged_assertion', message: expect.stringMatching(/unsigned/) });
  });

  it('refuses an openid field given twice', async () => {
    const { secrets, callback } = await assertion((params) => {
      params.append('openid.claimed_id', `${fake.url}/openid/id/76561198000000000`);
    });
    expect((await failureOf(provider.complete(callback, secrets))).reason).toBe('forged_assertion');
  });

  it('reports a cancelled sign-in as access_denied', async () => {
    fake.signInAs('deny');
    const { secrets, callback } = await assertion();
    expect(callback.get('openid.mode')).toBe('cancel');
    expect((await failureOf(provider.complete(callback, secrets))).reason).toBe('access_denied');
  });
});
