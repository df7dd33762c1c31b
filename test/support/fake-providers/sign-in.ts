import { randomBytes } from 'node:crypto';
import { socialSchema } from '../../../schemas/social.js';
import { createUpstreamProviders } from '../../../oidc/social/providers/index.js';
import {
  UpstreamError,
  type AuthorizationRequest,
  type FlowSecrets,
  type ProviderDeps,
  type UpstreamProvider,
} from '../../../oidc/social/types.js';
import type { FakeProvider } from './harness.js';

/** What tests of the providers against the fakes share: the flow's secrets, a provider wired to a fake, a sign-in. */

const random = () => randomBytes(24).toString('base64url');

export const flowSecrets = (redirectUri = 'https://heimdall.test/account/social/callback'): FlowSecrets => ({
  state: random(),
  codeVerifier: random() + random(),
  nonce: random(),
  redirectUri,
});

/** ProviderDeps.firstUse kept in memory, as Redis keeps it in production. */
export function memoryFirstUse(): ProviderDeps['firstUse'] {
  const used = new Set<string>();
  return async (key) => !used.has(key) && Boolean(used.add(key));
}

/** The provider Heimdall makes of the fake's config (through the config schema, as `heimdall start` would). */
export function providerFor(fake: FakeProvider, deps: Partial<ProviderDeps> = {}): UpstreamProvider {
  const config = socialSchema.parse({ [fake.platform]: fake.config });
  const provider = createUpstreamProviders(config, { firstUse: memoryFirstUse(), ...deps }).get(
    fake.platform,
  );
  if (!provider) throw new Error(`no ${fake.platform} provider was made of the fake's config`);
  return provider;
}

/** Sends the person to the fake and back: the secrets, the request and the callback's parameters. */
export async function authorizeAt(
  fake: FakeProvider,
  provider: UpstreamProvider,
  request: Partial<AuthorizationRequest> = {},
): Promise<{ secrets: FlowSecrets; callback: URLSearchParams }> {
  const secrets = { ...flowSecrets(), ...request };
  const url = await provider.authorizationUrl({
    scopes: [...provider.scopes],
    offline: true,
    ...secrets,
  });
  return { secrets, callback: (await fake.authorize(url)).searchParams };
}

/** A whole sign-in. */
export async function signIn(
  fake: FakeProvider,
  provider: UpstreamProvider,
  request: Partial<AuthorizationRequest> = {},
) {
  const { secrets, callback } = await authorizeAt(fake, provider, request);
  return provider.complete(callback, secrets);
}

/** The UpstreamError a call failed with; anything else (success included) fails the test. */
export async function failureOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const outcome = await promise.then(
    () => new Error('expected an UpstreamError, the call succeeded'),
    (err: unknown) => err,
  );
  if (outcome instanceof UpstreamError) return outcome;
  throw outcome;
}
