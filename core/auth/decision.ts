import type { DecisionCheck, DecisionReason, GrantKind, SuperAdminRule } from '../../schemas/rbac.js';
import { LEGACY_SUPER_ADMIN_ROLE_NAME, ROLE_IDS } from '../../schemas/roles.js';
import { grantKind, matchingGrant, parsePermission } from './permission-match.js';

/**
 * THE access decision. Every AuthContext's `can()`, `hasPermission()` and `hasScope()` and the permission
 * explainer run `evaluate` below: a check asks it for a boolean, an explanation asks it to record its steps as
 * well. Without a trace it stops at the first check that fails and allocates nothing of its own.
 *
 * The rule: not blocked by a required 2FA, AND the credential's scopes cover `resource:action`, AND its roles
 * grant it (or it is a super admin), AND, for a user-owned API key, its owner holds it too.
 */

/** What a decision reads of an AuthContext's data. */
export interface DecisionInput {
  roles: readonly string[];
  roleIds: readonly string[];
  permissions: readonly string[];
  scopes: readonly string[];
  ownerCap: { permissions: readonly string[]; isSuperAdmin: boolean } | null;
  twoFactorRequired: boolean;
  twoFactorVerified: boolean;
}

/** The input prepared once per credential: sets to look grants up in. */
export interface DecisionRules {
  readonly permissions: ReadonlySet<string>;
  readonly scopes: ReadonlySet<string>;
  /** No owner (nothing caps the credential), an owner who is a super admin (nothing either), or the owner's grants. */
  readonly cap: 'none' | 'owner_is_super_admin' | 'owner_grants';
  /** The owner's permissions when `cap` is `owner_grants`, else empty. */
  readonly capPermissions: ReadonlySet<string>;
  /** The super-admin rule the credential's own roles meet, if any. */
  readonly ownSuperAdmin: SuperAdminRule | undefined;
  /** A super admin by its own roles and not capped by an owner who is not one. */
  readonly isSuperAdmin: boolean;
  readonly blockedByTwoFactor: boolean;
}

export interface DecisionStep {
  check: DecisionCheck;
  passed: boolean;
  /** The grant that covered `resource:action`: a permission, or for `scope` a scope (`*` included). */
  grant: string | null;
  grantKind: GrantKind | null;
  /** Passed by super-admin power: the credential's own (`permission`) or its owner's (`owner_cap`). */
  superAdmin: boolean;
  /** The super-admin rule met, for `permission` (the owner's roles are not part of the input). */
  superAdminRule: SuperAdminRule | null;
}

export interface Decision {
  allowed: boolean;
  /** How it was allowed (`super_admin`, `granted`), or the first check that refused it. */
  reason: DecisionReason;
  /** Every check, in the order they are made (`owner_cap` only for a user-owned key). */
  steps: DecisionStep[];
}

/** Which of the three super-admin rules the roles meet, in this order; undefined when none. */
export function superAdminRule(
  roleIds: readonly string[],
  roles: readonly string[],
  permissions: readonly string[],
): SuperAdminRule | undefined {
  if (roleIds.includes(ROLE_IDS.superAdmin)) return 'role_id';
  if (roles.includes(LEGACY_SUPER_ADMIN_ROLE_NAME)) return 'legacy_role_name';
  if (permissions.includes('*:*')) return 'wildcard_permission';
  return undefined;
}

const NO_GRANTS: ReadonlySet<string> = new Set();

export function prepareRules(input: DecisionInput): DecisionRules {
  const ownSuperAdmin = superAdminRule(input.roleIds, input.roles, input.permissions);
  const cap =
    input.ownerCap === null ? 'none' : input.ownerCap.isSuperAdmin ? 'owner_is_super_admin' : 'owner_grants';
  return {
    permissions: new Set(input.permissions),
    scopes: new Set(input.scopes),
    cap,
    capPermissions: cap === 'owner_grants' ? new Set(input.ownerCap!.permissions) : NO_GRANTS,
    ownSuperAdmin,
    isSuperAdmin: ownSuperAdmin !== undefined && cap !== 'owner_grants',
    blockedByTwoFactor: input.twoFactorRequired && !input.twoFactorVerified,
  };
}

/** The scope among `scopes` that covers `scope` (`*` covers all), if any. */
export function scopeGrant(scopes: ReadonlySet<string>, scope: string): string | undefined {
  if (scopes.has('*')) return '*';
  if (scopes.has(scope)) return scope;
  const parsed = parsePermission(scope);
  return parsed ? matchingGrant(scopes, parsed.resource, parsed.action) : undefined;
}

/** A step of the trace: which grant covered `resource:action`, if one did. */
const step = (
  check: DecisionCheck,
  passed: boolean,
  covered: { grant: string | undefined; resource: string; action: string } | null,
  superAdmin: { rule: SuperAdminRule | null; passed: boolean } = { rule: null, passed: false },
): DecisionStep => ({
  check,
  passed,
  grant: covered?.grant ?? null,
  grantKind: covered?.grant === undefined ? null : grantKind(covered.grant, covered.resource, covered.action),
  superAdmin: superAdmin.passed,
  superAdminRule: superAdmin.rule,
});

/** The permission part of the rule (roles or super admin, within the owner's grants). */
export function evaluatePermission(
  rules: DecisionRules,
  resource: string,
  action: string,
  trace?: DecisionStep[],
): boolean {
  if (rules.isSuperAdmin && !trace) return true;
  const own =
    rules.ownSuperAdmin === undefined ? matchingGrant(rules.permissions, resource, action) : undefined;
  const ownPassed = rules.ownSuperAdmin !== undefined || own !== undefined;
  if (!ownPassed && !trace) return false;
  const capGrant =
    rules.cap === 'owner_grants' ? matchingGrant(rules.capPermissions, resource, action) : undefined;
  const capPassed = rules.cap !== 'owner_grants' || capGrant !== undefined;
  if (trace) {
    const rule = rules.ownSuperAdmin ?? null;
    trace.push(
      step('permission', ownPassed, { grant: own, resource, action }, { rule, passed: rule !== null }),
    );
    if (rules.cap !== 'none') {
      const ownerIsSuperAdmin = rules.cap === 'owner_is_super_admin';
      trace.push(
        step(
          'owner_cap',
          capPassed,
          { grant: capGrant, resource, action },
          { rule: null, passed: ownerIsSuperAdmin },
        ),
      );
    }
  }
  return ownPassed && capPassed;
}

/** The whole rule; with `trace`, every check is made and recorded in order. */
export function evaluate(
  rules: DecisionRules,
  resource: string,
  action: string,
  trace?: DecisionStep[],
): boolean {
  const twoFactorPassed = !rules.blockedByTwoFactor;
  if (!twoFactorPassed && !trace) return false;
  const wanted = `${resource}:${action}`;
  const scope = scopeGrant(rules.scopes, wanted);
  if (scope === undefined && !trace) return false;
  if (trace) {
    // A scope is matched as the text `resource:action`, split at its first colon.
    const parsed = parsePermission(wanted) ?? { resource, action };
    trace.push(
      step('two_factor', twoFactorPassed, null),
      step('scope', scope !== undefined, { grant: scope, ...parsed }),
    );
  }
  return evaluatePermission(rules, resource, action, trace) && twoFactorPassed && scope !== undefined;
}

const REFUSALS: Record<DecisionCheck, DecisionReason> = {
  two_factor: 'two_factor_missing',
  scope: 'scope_missing',
  permission: 'permission_missing',
  owner_cap: 'owner_lacks_permission',
};

/** The decision with its steps, from prepared rules (an AuthContext's). */
export function decideBy(rules: DecisionRules, resource: string, action: string): Decision {
  const steps: DecisionStep[] = [];
  const allowed = evaluate(rules, resource, action, steps);
  const refused = steps.find((s) => !s.passed);
  const reason = refused ? REFUSALS[refused.check] : rules.isSuperAdmin ? 'super_admin' : 'granted';
  return { allowed, reason, steps };
}

/** Whether the credential `input` describes may do `resource:action`, and why. */
export const decide = (input: DecisionInput, resource: string, action: string): Decision =>
  decideBy(prepareRules(input), resource, action);
