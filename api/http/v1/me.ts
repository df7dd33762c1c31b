import type { AuthContext } from '../../../core/auth/context.js';
import { meResponseSchema, type MeResponse } from '../../../schemas/auth.js';
import { defineRoute } from '../route.js';

/** The AuthContext as clients see it, names for display and ids for code (GET /v1/me, POST /v1/auth/session). */
export function describeAuth(auth: AuthContext): MeResponse {
  return {
    user: auth.user,
    api_key: auth.apiKey && {
      id: auth.apiKey.id,
      name: auth.apiKey.name,
      prefix: auth.apiKey.prefix,
      user_id: auth.apiKey.userId,
      is_system: auth.apiKey.isSystem,
      expires_at: auth.apiKey.expiresAt,
    },
    session_id: auth.sessionId,
    oauth_client_id: auth.oauthClientId ?? null,
    roles: [...auth.roles],
    role_ids: [...auth.roleIds],
    permissions: [...auth.effectivePermissions].sort(),
    scopes: [...auth.scopes],
    is_super_admin: auth.isSuperAdmin,
    two_factor_required: auth.twoFactorRequired,
    two_factor_verified: auth.twoFactorVerified,
  };
}

/** `GET /v1/me`: who am I and what may I do. Allowed while 2FA is pending, so clients can tell why. */
export const meRoute = defineRoute({
  method: 'get',
  path: '/v1/me',
  summary: "The caller's AuthContext: user, API key, roles and role ids, effective permissions, scopes",
  tag: 'auth',
  access: 'authenticated',
  allowWithoutTwoFactor: true,
  response: meResponseSchema,
  handler: async ({ auth }) => describeAuth(auth),
});
