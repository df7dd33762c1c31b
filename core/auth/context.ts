import {
  decideBy,
  evaluate,
  evaluatePermission,
  prepareRules,
  scopeGrant,
  superAdminRule,
  type Decision,
} from './decision.js';
import { implies } from './permission-match.js';

/**
 * The AuthContext: who the caller is and what they may do. Every entry point (REST, GraphQL,
 * AdminJS, realtime, account pages) builds one from its credential and asks `can(resource, action)`.
 * `AuthContextData` is the plain, cacheable part; `createAuthContext` adds the checks.
 */
export interface AuthUser {
  id: string;
  username: string;
}

export interface AuthApiKey {
  id: string;
  name: string;
  prefix: string;
  userId: string | null;
  isSystem: boolean;
  expiresAt: string | null;
}

export interface AuthContextData {
  user: AuthUser | null;
  apiKey: AuthApiKey | null;
  sessionId: string | null;
  /** Role names, for display. */
  roles: string[];
  /** Role ids, for programmatic checks (names are for display and may change). */
  roleIds: string[];
  /** Permissions granted by the roles of the credential (an API key's own roles for a key). */
  permissions: string[];
  /** API key scopes; `*` covers all. Credentials without scopes carry `['*']`. */
  scopes: string[];
  /**
   * For a user-owned API key: what its owner currently holds. A key never exceeds its owner, so a check must
   * pass both the key's permissions and these. Null when there is no cap (user credentials, system keys).
   */
  ownerCap: { permissions: string[]; isSuperAdmin: boolean } | null;
  /** A role of the user requires 2FA (the role's `requires_two_factor`). */
  twoFactorRequired: boolean;
  /** The user completed 2FA for this credential. */
  twoFactorVerified: boolean;
  /** The OAuth client a Heimdall ID access token was issued to. */
  oauthClientId?: string | null;
  /** When the session (for session credentials) ends, ISO 8601. */
  sessionExpiresAt?: string | null;
}

export interface AuthContext extends Readonly<AuthContextData> {
  readonly isSuperAdmin: boolean;
  readonly isAnonymous: boolean;
  /** The 2FA rule: a user whose role requires 2FA may do nothing until they completed it. */
  readonly blockedByTwoFactor: boolean;
  /** Permission check only (roles, wildcards, owner cap); super admins pass. */
  hasPermission(resource: string, action: string): boolean;
  /** Scope check only. */
  hasScope(scope: string): boolean;
  /** The full decision: not blocked by 2FA, scope AND permission. */
  can(resource: string, action: string): boolean;
  /** `can()` with its reasons: every check, the grant or rule that passed it, the first that failed. */
  decide(resource: string, action: string): Decision;
  /** Every permission the caller effectively holds (for escalation guards). */
  readonly effectivePermissions: ReadonlySet<string>;
  toJSON(): AuthContextData & { isSuperAdmin: boolean };
}

/**
 * The three super-admin rules: the role `role_super_admin`, a role named `super_admin` (legacy), or any role
 * holding `*:*`.
 */
export function isSuperAdminBy(
  roleIds: readonly string[],
  roles: readonly string[],
  permissions: readonly string[],
): boolean {
  return superAdminRule(roleIds, roles, permissions) !== undefined;
}

/** The checks are those of `core/auth/decision.ts`, on rules prepared once per credential. */
export function createAuthContext(data: AuthContextData): AuthContext {
  const rules = prepareRules(data);
  const { isSuperAdmin, blockedByTwoFactor } = rules;

  let effective: Set<string> | undefined;
  return {
    ...data,
    isSuperAdmin,
    isAnonymous: data.user === null && data.apiKey === null,
    blockedByTwoFactor,
    hasPermission: (resource, action) => evaluatePermission(rules, resource, action),
    hasScope: (scope) => scopeGrant(rules.scopes, scope) !== undefined,
    can: (resource, action) => evaluate(rules, resource, action),
    decide: (resource, action) => decideBy(rules, resource, action),
    get effectivePermissions() {
      if (!effective) {
        const { permissions, capPermissions } = rules;
        if (isSuperAdmin) effective = new Set(['*:*']);
        else if (rules.ownSuperAdmin) effective = new Set(capPermissions);
        else if (rules.cap !== 'owner_grants') effective = new Set(permissions);
        // Intersection with wildcards: a grant survives when the other side implies it.
        else
          effective = new Set([
            ...[...permissions].filter((p) => implies(capPermissions, p)),
            ...[...capPermissions].filter((p) => implies(permissions, p)),
          ]);
      }
      return effective;
    },
    toJSON: () => ({ ...data, isSuperAdmin }),
  };
}

export const ANONYMOUS: AuthContextData = {
  user: null,
  apiKey: null,
  sessionId: null,
  roles: [],
  roleIds: [],
  permissions: [],
  scopes: [],
  ownerCap: null,
  twoFactorRequired: false,
  twoFactorVerified: false,
};
