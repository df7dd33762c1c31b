import type { Knex } from 'knex';
import { AppError } from '../errors/index.js';
import type { AuthContext } from './context.js';
import { implies } from './permission-match.js';

/**
 * Escalation guards (Immich's "a key can never get more than its creator"): nobody grants a role or a
 * permission they do not hold themselves; super admins excepted. Shared by REST and GraphQL through the services.
 */
export function assertHoldsPermissions(auth: AuthContext, wanted: readonly string[], what: string): void {
  if (auth.isSuperAdmin) return;
  const held = auth.effectivePermissions;
  const missing = wanted.filter((p) => !implies(held, p));
  if (missing.length > 0) {
    throw new AppError(
      'auth.escalation_denied',
      403,
      `You cannot grant ${what}: it includes permissions you do not hold.`,
      {
        missing,
      },
    );
  }
}

/**
 * Scopes bound an API key even where no permission is needed (self-service on the owner's own keys and
 * account): a key scoped to `users:read` must not revoke its owner's other keys. Other credentials carry `*`.
 */
export function assertScope(auth: AuthContext, resource: string, action: string): void {
  if (auth.hasScope(`${resource}:${action}`)) return;
  throw new AppError('auth.insufficient_scope', 403, `This API key lacks the scope ${resource}:${action}.`, {
    required: `${resource}:${action}`,
  });
}

/** The scope an API key needs to manage its owner's two-factor authentication; `*` alone is not enough. */
export const TWO_FACTOR_SCOPE = 'two_factor:manage';

/**
 * Managing one's own 2FA (set up, enable, verify, disable, new backup codes) is for the person: a session or a
 * Heimdall ID token within its scopes. An API key needs TWO_FACTOR_SCOPE named in its scopes (or `two_factor:*`),
 * because a leaked key that could set up 2FA or spend codes would lock its owner out of their account.
 */
export function assertMayManageOwnTwoFactor(auth: AuthContext): void {
  const allowed = auth.apiKey
    ? auth.scopes.includes(TWO_FACTOR_SCOPE) || auth.scopes.includes('two_factor:*')
    : auth.hasScope(TWO_FACTOR_SCOPE);
  if (allowed) return;
  throw new AppError(
    'auth.insufficient_scope',
    403,
    `Managing two-factor authentication needs your own session, or an API key with the scope ${TWO_FACTOR_SCOPE} ("*" is not enough).`,
    { required: TWO_FACTOR_SCOPE },
  );
}

/** Throws the right 403 when the caller may not do `resource:action` (scope first, then permission). */
export function requirePermission(auth: AuthContext, resource: string, action: string): void {
  assertScope(auth, resource, action);
  if (!auth.hasPermission(resource, action)) {
    throw new AppError('auth.forbidden', 403, `You need the permission ${resource}:${action}.`, {
      required: `${resource}:${action}`,
    });
  }
}

/** Every entry point's first rule: a credential is needed, and a pending required 2FA blocks it. */
export function requireSignedIn(
  auth: AuthContext | undefined,
  options: { allowPendingTwoFactor?: boolean } = {},
): asserts auth is AuthContext {
  if (!auth || auth.isAnonymous) {
    throw new AppError(
      'auth.required',
      401,
      'Authentication is required: send an API key as a Bearer token.',
    );
  }
  if (auth.blockedByTwoFactor && !options.allowPendingTwoFactor) {
    throw new AppError(
      'auth.two_factor_required',
      403,
      'One of your roles requires two-factor authentication; set it up first.',
    );
  }
}

/** For routes about "your" data (/v1/user/…): the credential must belong to a user, not a system key. */
export function requireUserId(auth: AuthContext): string {
  if (!auth.user) {
    throw new AppError(
      'auth.user_required',
      403,
      'This is about your own account: use a credential that belongs to a user, not a system key.',
    );
  }
  return auth.user.id;
}

export interface RolePermissions {
  id: string;
  permissions: string[];
}

/** Loads the permissions of the given roles; throws 422 naming roles that do not exist. */
export async function loadRolePermissions(db: Knex, roleIds: readonly string[]): Promise<RolePermissions[]> {
  if (roleIds.length === 0) return [];
  const rows = await db('Role as r')
    .leftJoin('RolePermission as rp', 'rp.role_id', 'r.id')
    .whereIn('r.id', roleIds)
    .groupBy('r.id')
    .select<RolePermissions[]>(
      'r.id',
      db.raw(
        `coalesce(array_agg(rp.permission_id) FILTER (WHERE rp.permission_id IS NOT NULL), '{}') AS permissions`,
      ),
    );
  const unknown = roleIds.filter((id) => !rows.some((r) => r.id === id));
  if (unknown.length > 0) {
    throw new AppError(
      'role.not_found',
      422,
      `Unknown role${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`,
      { unknown },
    );
  }
  return rows;
}

/** Guards assigning roles (to a user or an API key): the caller must hold every permission of each role. */
export async function assertCanGrantRoles(
  db: Knex,
  auth: AuthContext,
  roleIds: readonly string[],
): Promise<void> {
  const roles = await loadRolePermissions(db, roleIds);
  for (const role of roles) assertHoldsPermissions(auth, role.permissions, `the role ${role.id}`);
  if (roleIds.includes('role_super_admin') && !auth.isSuperAdmin) {
    throw new AppError('auth.escalation_denied', 403, 'Only a super admin can grant the Super Admin role.');
  }
}
