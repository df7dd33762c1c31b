import { z } from 'zod';

/** `GET /v1/me`: the caller's AuthContext (names for display, ids for code). */
export const meResponseSchema = z.object({
  user: z.object({ id: z.uuid(), username: z.string() }).nullable(),
  api_key: z
    .object({
      id: z.uuid(),
      name: z.string(),
      prefix: z.string(),
      user_id: z.uuid().nullable(),
      is_system: z.boolean(),
      expires_at: z.string().nullable(),
    })
    .nullable(),
  session_id: z.string().nullable(),
  oauth_client_id: z
    .string()
    .nullable()
    .describe('The app a Heimdall ID access token was issued to; null for API keys'),
  roles: z.array(z.string()),
  role_ids: z.array(z.string()),
  permissions: z.array(z.string()).describe('Effective permissions (an API key is capped by its owner).'),
  scopes: z.array(z.string()),
  is_super_admin: z.boolean(),
  two_factor_required: z.boolean(),
  two_factor_verified: z.boolean(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;
