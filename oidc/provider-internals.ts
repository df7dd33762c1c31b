import type Provider from 'oidc-provider';

/**
 * The one module that replaces part of oidc-provider's own code: the client model's
 * `Client.prototype.compareClientSecret(actual)` (oidc-provider/lib/models/client.js), which client
 * authentication (lib/shared/client_auth.js, client_secret_basic and client_secret_post) awaits with the secret
 * the client presented. oidc-provider has no setting for how secrets are stored; it compares them as plain text.
 * Checked against oidc-provider >=9.13.3 <10.0.0 (installed: 9.13.3); provider-internals.test.ts fails when the
 * installed version leaves that range, or a client is no longer authenticated through the replacement.
 */
export const OIDC_PROVIDER_CHECKED_FROM = '9.13.3';
export const OIDC_PROVIDER_CHECKED_BELOW = '10.0.0';

/** Decides whether `presented` matches the client's stored `client_secret` (undefined for public clients). */
export type ClientSecretCheck = (stored: string | undefined, presented: unknown) => boolean;

type ClientPrototype = { compareClientSecret(this: { clientSecret?: string }, actual: unknown): boolean };

/** Makes every client of `provider` authenticate its secret with `check`. */
export function checkClientSecretsWith(provider: Provider, check: ClientSecretCheck): void {
  (provider.Client.prototype as unknown as ClientPrototype).compareClientSecret = function (actual) {
    return check(this.clientSecret, actual);
  };
}
