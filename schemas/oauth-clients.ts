import { isIP } from 'node:net';
import { z } from 'zod';
import { booleanQuery, listOf, paginationQuery, sortParam, timestamp } from './common.js';

/**
 * A redirect URI ("Clients"): absolute, no fragment, https — except plain http on a loopback host, which
 * native and development apps need (RFC 8252 §7.3). Compared by exact match when used.
 */
export const redirectUri = z
  .string()
  .max(2000)
  .refine((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return false;
    }
    if (url.hash) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  }, 'An absolute https URI without a fragment (plain http only for 127.0.0.1, [::1] or localhost).');

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

const clientFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).nullable(),
  logo_url: z
    .url({ protocol: /^https$/ })
    .max(2000)
    .nullable(),
  redirect_uris: z.array(redirectUri).max(20),
  post_logout_redirect_uris: z.array(redirectUri).max(20),
  /** OpenID Back-Channel Logout: where Heimdall POSTs a logout token when the user's session ends. */
  backchannel_logout_uri: redirectUri.nullable(),
  grant_types: z.array(z.enum(GRANT_TYPES)).min(1).max(GRANT_TYPES.length),
  scopes: z
    .array(z.string().regex(/^[a-z0-9_:.-]{1,64}$/, 'A scope name.'))
    .min(1)
    .max(50),
  is_active: z.boolean(),
  /**
   * A first-party client skips the consent screen (docs/database.md), so marking one is an escalation: only super
   * admins may set it to true or change it (core/oauth-clients/service.ts); everyone else sees it read-only.
   */
  is_first_party: z.boolean().describe('Skips the consent screen. Only super admins may set or change it.'),
};

export const createOAuthClientBody = z
  .strictObject({
    ...clientFields,
    description: clientFields.description.optional(),
    logo_url: clientFields.logo_url.optional(),
    post_logout_redirect_uris: clientFields.post_logout_redirect_uris.default([]),
    backchannel_logout_uri: clientFields.backchannel_logout_uri.optional(),
    grant_types: clientFields.grant_types.default(['authorization_code', 'refresh_token']),
    scopes: clientFields.scopes.default(['openid', 'profile', 'email']),
    is_active: clientFields.is_active.default(true),
    is_first_party: clientFields.is_first_party.default(false),
    token_endpoint_auth_method: z.enum(AUTH_METHODS).default('client_secret_basic'),
    user_id: z
      .uuid()
      .nullable()
      .optional()
      .describe('Owner; defaults to the caller. Another owner: administrators only.'),
  })
  .refine((c) => !c.grant_types.includes('authorization_code') || c.redirect_uris.length > 0, {
    message: 'The authorization code grant needs at least one redirect URI.',
    path: ['redirect_uris'],
  })
  .refine((c) => c.token_endpoint_auth_method !== 'none' || !c.grant_types.includes('client_credentials'), {
    message: 'A public client (no secret) cannot use the client credentials grant.',
    path: ['grant_types'],
  });

export const updateOAuthClientBody = z
  .strictObject(clientFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

/** A client as the API shows it: never its secret (not even the hash). */
export const oauthClientSchema = z.object({
  id: z.uuid(),
  client_id: z.string().describe('The public OAuth client_id'),
  name: z.string(),
  description: z.string().nullable(),
  logo_url: z.string().nullable(),
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  backchannel_logout_uri: z.string().nullable(),
  grant_types: z.array(z.string()),
  scopes: z.array(z.string()),
  token_endpoint_auth_method: z.enum(AUTH_METHODS),
  is_first_party: z.boolean(),
  is_active: z.boolean(),
  user_id: z.uuid().nullable().describe('The owner'),
  created_at: timestamp,
  updated_at: timestamp,
});
export type OAuthClientRecord = z.infer<typeof oauthClientSchema>;
/** A row as the database returns it (dates as Date), without client_secret. */
export type OAuthClientRow = Omit<OAuthClientRecord, 'created_at' | 'updated_at'> & {
  created_at: Date;
  updated_at: Date;
};

/** The create and regenerate-secret answers: the only places a secret ever appears. */
export const oauthClientWithSecretSchema = oauthClientSchema.extend({
  client_secret: z
    .string()
    .nullable()
    .describe('The client secret. Shown only in this response: store it now. Null for public clients.'),
});

export const listOAuthClientsQuery = z.strictObject({
  ...paginationQuery,
  user_id: z.uuid().optional().describe('Clients of this owner (another owner needs oauth_clients:read)'),
  all: booleanQuery.optional().describe('All clients of all owners (needs oauth_clients:read)'),
  is_active: booleanQuery.optional(),
  q: z.string().max(100).optional().describe('Name contains'),
  sort: sortParam(['created_at', 'name'] as const, '-created_at'),
});

export const oauthClientListSchema = listOf(oauthClientSchema);

/** An entry of `allowed_private`: an address, a CIDR range, or a host name. */
export function parseAllowedEntry(
  entry: string,
): { subnet: [string, number] } | { host: string } | undefined {
  const [address, prefix, extra] = entry.trim().split('/');
  if (extra === undefined && address && isIP(address)) {
    const max = isIP(address) === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    return Number.isInteger(bits) &&
      bits >= 0 &&
      bits <= max &&
      (prefix === undefined || /^\d+$/.test(prefix))
      ? { subnet: [address, bits] }
      : undefined;
  }
  const host = entry.trim().toLowerCase();
  return prefix === undefined &&
    /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)
    ? { host }
    : undefined;
}
