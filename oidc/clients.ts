import type { Knex } from 'knex';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Clients come from the OAuthClient table, not from oidc-provider's storage. The secret column holds
 * a SHA-256 hash; provider.ts makes oidc-provider compare presented secrets against it. Inactive clients do not
 * exist as far as the provider is concerned. Lookups are cached per node for a short TTL (every token request
 * authenticates its client) and dropped at once when a client changes (`forget`).
 */
interface ClientRow {
  client_id: string;
  client_secret: string | null;
  name: string;
  logo_url: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  grant_types: string[];
  scopes: string[];
  token_endpoint_auth_method: string;
  is_first_party: boolean;
}

/** Every scope the provider itself knows: OpenID Connect's plus `roles`. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'roles'];

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Heimdall's client columns → OpenID Connect Dynamic Client Registration metadata. */
export function clientMetadata(row: ClientRow): AdapterPayload {
  const code = row.grant_types.includes('authorization_code');
  return {
    client_id: row.client_id,
    ...(row.client_secret ? { client_secret: row.client_secret } : {}),
    client_name: row.name,
    ...(row.logo_url ? { logo_uri: row.logo_url } : {}),
    redirect_uris: code ? row.redirect_uris : [],
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    ...(row.backchannel_logout_uri
      ? { backchannel_logout_uri: row.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    grant_types: row.grant_types,
    response_types: code ? ['code'] : [],
    // The provider's own scopes here; the API's (`api`, `resource:action`) are offered by the resource server.
    // (A client with API scopes only, e.g. a machine client, registers just `openid`: metadata must not be empty.)
    scope: row.scopes.filter((s) => OIDC_SCOPES.includes(s)).join(' ') || 'openid',
    heimdall_api_scopes: row.scopes.filter((s) => !OIDC_SCOPES.includes(s)),
    token_endpoint_auth_method:
      row.token_endpoint_auth_method as AdapterPayload['token_endpoint_auth_method'],
    // Read by the consent policy (grants.ts) and the resource server (provider.ts), ignored by the provider.
    heimdall_first_party: row.is_first_party,
  };
}

export function createClientAdapter(db: Knex, ttlMs: number) {
  const cache = new Map<string, { value: AdapterPayload | undefined; expiresAt: number }>();
  const adapter: Adapter & { forget(): void; stable: boolean } = {
    /** `find` answers the same object for a client until it changes (or the cache entry expires). */
    stable: ttlMs > 0,
    async find(clientId) {
      const hit = cache.get(clientId);
      if (hit && hit.expiresAt > Date.now()) return hit.value;
      const row = await db<ClientRow & { is_active: boolean }>('OAuthClient')
        .where({ client_id: clientId, is_active: true })
        .first();
      const value = row ? clientMetadata(row) : undefined;
      if (ttlMs > 0) {
        if (cache.size >= 10_000) cache.clear();
        cache.set(clientId, { value, expiresAt: Date.now() + ttlMs });
      }
      return value;
    },
    forget: () => cache.clear(),
    upsert: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
  return adapter;
}

function readOnly(): never {
  throw new Error('OAuth clients are managed through /v1/oauth-clients, not by the provider.');
}
