import type { AuthContextData, AuthUser } from './context.js';
import { isSuperAdminBy } from './context.js';
import type { ApiKeyRow, AuthQueries, RoleGrant } from './queries.js';

/**
 * From rows to AuthContextData: what a user or an API key holds now, and whether it is refused before any check
 * (a deleted or banned account, an inactive or expired key). The authenticator builds every credential's context
 * with these functions, and the permission explainer builds the context it explains with them, so an
 * explanation is about the very data a request is checked against.
 */
export interface UserGrants {
  user: AuthUser;
  /** The user's roles with their permissions. */
  roles: RoleGrant[];
  /** The union of the roles' permissions, sorted. */
  permissions: string[];
  isSuperAdmin: boolean;
  /** A role of the user requires 2FA. */
  twoFactorRequired: boolean;
  /** The user has 2FA enabled. */
  twoFactorEnabled: boolean;
}

export interface ApiKeyGrants {
  data: AuthContextData;
  /** The key's own roles with their permissions. */
  roles: RoleGrant[];
  /** What the key's owner holds, for a user-owned key. */
  owner: UserGrants | undefined;
}

/** Why a credential is refused before any permission is checked. */
export type Refusal =
  /** No user row at all (the authenticator treats it as deleted; the explainer answers 404). */
  | { reason: 'user_not_found' }
  /** `user` is null when a key's owner row is gone. */
  | { reason: 'account_deleted'; user: AuthUser | null; ownerOfKey: boolean }
  | { reason: 'account_banned'; user: AuthUser; ownerOfKey: boolean; until: string | null }
  | { reason: 'api_key_inactive' }
  | { reason: 'api_key_expired' };

export const refused = <T extends object>(loaded: T | Refusal): loaded is Refusal => 'reason' in loaded;

function union(roles: RoleGrant[]): string[] {
  return [...new Set(roles.flatMap((r) => r.permissions))].sort();
}

export function createSubjectLoader(queries: AuthQueries) {
  /** A user's current grants, or why their credentials are refused. */
  const user = async (userId: string, ownerOfKey = false): Promise<UserGrants | Refusal> => {
    const row = await queries.findUser(userId);
    if (!row) return { reason: 'user_not_found' };
    const found = { id: row.id, username: row.username };
    if (row.deleted_at) return { reason: 'account_deleted', user: found, ownerOfKey };
    if (row.ban_id) {
      const until = row.banned_until?.toISOString() ?? null;
      return { reason: 'account_banned', user: found, ownerOfKey, until };
    }
    const [roles, twoFactorEnabled] = await Promise.all([
      queries.userRoles(row.id),
      queries.userHasTwoFactor(row.id),
    ]);
    const permissions = union(roles);
    return {
      user: found,
      roles,
      permissions,
      isSuperAdmin: isSuperAdminBy(
        roles.map((r) => r.id),
        roles.map((r) => r.name),
        permissions,
      ),
      twoFactorRequired: roles.some((r) => r.requires_two_factor),
      twoFactorEnabled,
    };
  };

  /** An API key's grants, capped by its owner's (a key never exceeds its owner), or why it is refused. */
  const apiKey = async (key: ApiKeyRow, now = Date.now()): Promise<ApiKeyGrants | Refusal> => {
    if (!key.is_active) return { reason: 'api_key_inactive' };
    if (key.expires_at && key.expires_at.getTime() <= now) return { reason: 'api_key_expired' };
    const [roles, owner] = await Promise.all([
      queries.apiKeyRoles(key.id),
      key.user_id ? user(key.user_id, true) : Promise.resolve(undefined),
    ]);
    if (owner && refused(owner)) {
      // An owner row that is gone counts as a deleted owner.
      return owner.reason === 'user_not_found'
        ? { reason: 'account_deleted', user: null, ownerOfKey: true }
        : owner;
    }
    const data: AuthContextData = {
      user: owner?.user ?? null,
      apiKey: {
        id: key.id,
        name: key.name,
        prefix: key.key_prefix,
        userId: key.user_id,
        isSystem: key.is_system,
        expiresAt: key.expires_at?.toISOString() ?? null,
      },
      sessionId: null,
      roles: roles.map((r) => r.name),
      roleIds: roles.map((r) => r.id),
      permissions: union(roles),
      scopes: key.scopes,
      ownerCap: owner ? { permissions: owner.permissions, isSuperAdmin: owner.isSuperAdmin } : null,
      twoFactorRequired: owner?.twoFactorRequired ?? false,
      twoFactorVerified: owner?.twoFactorEnabled ?? false,
    };
    return { data, roles, owner };
  };

  return { user, apiKey };
}

export type SubjectLoader = ReturnType<typeof createSubjectLoader>;

/**
 * What a user's own credential (a session, a Heimdall ID access token) acts with: the user's roles and no scope
 * limit. `subject` is undefined for a client's own token whose client has no owner: it holds nothing.
 * `twoFactorVerified` is the credential's (a session's checked second factor, a token's `amr`).
 */
export function userCredentialData(
  subject: UserGrants | undefined,
  twoFactorVerified: boolean,
): AuthContextData {
  return {
    user: subject?.user ?? null,
    apiKey: null,
    sessionId: null,
    roles: subject?.roles.map((r) => r.name) ?? [],
    roleIds: subject?.roles.map((r) => r.id) ?? [],
    permissions: subject?.permissions ?? [],
    scopes: ['*'],
    ownerCap: null,
    twoFactorRequired: subject?.twoFactorRequired ?? false,
    twoFactorVerified,
  };
}
