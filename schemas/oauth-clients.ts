import { z } from 'zod';

/**
 * A redirect URI (issue 6, "Clients"): absolute, no fragment, https — except plain http on a loopback host, which
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

export interface OAuthClientRow {
  id: string;
  client_id: string;
  name: string;
  user_id: string | null;
  token_endpoint_auth_method: string;
}
