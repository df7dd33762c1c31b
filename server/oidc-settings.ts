import type { Knex } from 'knex';
import { decodeKey, resolveEncryptionKey } from '../core/crypto/encryption-key.js';
import { createSecretBox } from '../core/crypto/secret-box.js';
import { createSigningKeyStore } from '../core/tokens/signing-keys.js';
import type { ProviderSettings } from '../oidc/heimdall-id.js';
import type { Config } from '../schemas/config.js';

/** Heimdall ID's settings derived from the config: issuer at public_url + /oidc, the API as a resource. */
export function oidcSettings(config: Config, encryptionKey: Buffer) {
  const publicUrl = config.server.public_url.replace(/\/+$/, '');
  const o = config.oidc;
  const provider: ProviderSettings = {
    issuer: `${publicUrl}/oidc`,
    apiResource: o.api_resource || `${publicUrl}/v1`,
    cookieSecure: publicUrl.startsWith('https:'),
    trustProxy: config.server.trust_proxy === 0 ? false : config.server.trust_proxy,
    encryptionKey,
    firstPartyClients: o.first_party_clients,
    ttl: {
      accessToken: o.access_token_ttl,
      refreshToken: o.refresh_token_ttl,
      idToken: o.id_token_ttl,
      session: config.sessions.ttl,
      grant: o.grant_ttl,
      deviceCode: o.device_code_ttl,
      clientCredentials: o.client_credentials_ttl,
    },
    clientCacheTtlMs: config.auth.cache_ttl_ms,
    deviceCodeLimit: {
      maxWrongPerIp: o.device_user_code.max_wrong_per_ip,
      windowSeconds: o.device_user_code.window_seconds,
    },
    basePath: '/oidc',
    sessionCookie: config.sessions.cookie_names.id,
  };
  return {
    provider,
    keyCheckIntervalMs: o.key_check_interval_ms,
    /** A retired signing key stays published while anything it signed may still be presented, plus skew. */
    retiredKeyLifetimeSeconds:
      Math.max(o.access_token_ttl, o.client_credentials_ttl, o.id_token_ttl, o.device_code_ttl) + 300,
  };
}

/** The encryption key and the signing-key store, as the platform and the CLI both build them. */
export function openSigningKeys(config: Config, db: Knex) {
  const encryption = resolveEncryptionKey({
    configured: config.secrets.encryption_key,
    dataDir: config.data_dir,
  });
  const previous = config.secrets.previous_encryption_keys.map(decodeKey);
  const settings = oidcSettings(config, encryption.key);
  const store = createSigningKeyStore({
    db,
    box: createSecretBox(encryption.key, previous),
    retiredKeyLifetimeSeconds: settings.retiredKeyLifetimeSeconds,
  });
  return { encryption, previous, settings, store };
}
