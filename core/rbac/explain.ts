import type { Knex } from 'knex';
import {
  permissionName,
  type ExplanationReason,
  type ExplanationStep,
  type PermissionExplanation,
  type SuperAdminRule,
} from '../../schemas/rbac.js';
import type { AuthContext, AuthContextData, AuthUser } from '../auth/context.js';
import { decide, superAdminRule, type DecisionStep } from '../auth/decision.js';
import { requirePermission } from '../auth/guards.js';
import { parsePermission } from '../auth/permission-match.js';
import { createAuthQueries, type ApiKeyRow, type RoleGrant } from '../auth/queries.js';
import {
  createSubjectLoader,
  refused,
  userCredentialData,
  type Refusal,
  type UserGrants,
} from '../auth/subjects.js';
import { AppError, notFound } from '../errors/index.js';
import { createRbacQueries } from './queries.js';

/**
 * The permission explainer: "may this user or API key do resource:action, and why?". It loads the subject with
 * the authenticator's own loader (`core/auth/subjects.ts`) and decides with the AuthContext's own decision
 * (`core/auth/decision.ts`), so its `allowed` is what enforcement does; what it adds is attribution (the roles a
 * grant or rule comes from) and words.
 *
 * A user is explained as they would be signed in properly: in a session whose second factor was checked, when
 * they have 2FA enabled. A role that requires 2FA of a user who has not enabled it refuses everything
 * (`two_factor_missing`), for the user and for their keys.
 */
export type ExplainSubject = { userId: string } | { apiKeyId: string };

/** The subject a validated request names (explainPermissionQuery lets exactly one of the two through). */
export const explainSubjectOf = (query: { user_id?: string; api_key_id?: string }): ExplainSubject =>
  query.user_id !== undefined ? { userId: query.user_id } : { apiKeyId: query.api_key_id! };

/**
 * Who may ask: `permissions:read`, and besides `users:read` to explain a user or `api_keys:read` to explain an
 * API key (an explanation shows the subject's roles, 2FA state and scopes).
 */
export function requireExplainAccess(auth: AuthContext, subject: ExplainSubject): void {
  requirePermission(auth, 'permissions', 'read');
  if ('userId' in subject) requirePermission(auth, 'users', 'read');
  else requirePermission(auth, 'api_keys', 'read');
}

type Role = { id: string; name: string };
const roleList = (roles: readonly RoleGrant[]): Role[] => roles.map(({ id, name }) => ({ id, name }));
const named = (roles: readonly Role[]) => roles.map((r) => `${r.name} (${r.id})`).join(', ');
const verb = (roles: readonly Role[], singular: string) => (roles.length === 1 ? `${singular}s` : singular);
const holding = (roles: readonly RoleGrant[], grant: string) =>
  roleList(roles.filter((r) => r.permissions.includes(grant)));
/** The roles that meet a super-admin rule by themselves. */
const meeting = (roles: readonly RoleGrant[], rule: SuperAdminRule | null) =>
  roleList(roles.filter((r) => superAdminRule([r.id], [r.name], r.permissions) === rule));
const ruleOf = (grants: UserGrants) =>
  superAdminRule(
    grants.roles.map((r) => r.id),
    grants.roles.map((r) => r.name),
    grants.permissions,
  ) ?? null;

const RULE_TEXT: Record<SuperAdminRule, string> = {
  role_id: 'is the Super Admin role',
  legacy_role_name: 'is named super_admin (the legacy rule)',
  wildcard_permission: 'holds *:*',
};

/** A credential that passed the account and key checks, as the decision sees it and as the words name it. */
interface Loaded {
  data: AuthContextData;
  /** The credential's own roles (the user's, or the key's). */
  roles: RoleGrant[];
  /** Whose grants cap the key; undefined for a user and a system key. */
  owner: UserGrants | undefined;
  /** The user behind the credential (the user, or the key's owner). */
  person: UserGrants | undefined;
  key: ApiKeyRow | undefined;
}

const step = (
  check: ExplanationStep['check'],
  passed: boolean,
  detail: string,
  more: Partial<ExplanationStep> = {},
): ExplanationStep => ({
  check,
  passed,
  grant: null,
  grant_kind: null,
  super_admin_rule: null,
  roles: [],
  detail,
  ...more,
});

/** A decision's step, with the roles it rests on and words. */
function describe(s: DecisionStep, loaded: Loaded, permission: { name: string; resource: string }) {
  const { data, roles, owner, person, key } = loaded;
  const holder = key ? `the key "${key.name}"` : person!.user.username;
  const matched = { grant: s.grant, grant_kind: s.grantKind };
  /** "users:*, which covers users:read (every action on users)". */
  const grantText = () => {
    const how = {
      exact: '',
      prefix: ' (a dotted prefix)',
      resource_wildcard: ` (every action on ${permission.resource})`,
      action_wildcard: ' (that action on every resource)',
      all: ' (everything)',
    }[s.grantKind!];
    return s.grant === permission.name ? `${s.grant}` : `${s.grant}, which covers ${permission.name}${how}`;
  };
  switch (s.check) {
    case 'two_factor': {
      if (!person)
        return step(s.check, s.passed, 'No user stands behind this key: no second factor applies.');
      const name = person.user.username;
      if (!data.twoFactorRequired) {
        return step(s.check, s.passed, `No role of ${name} requires two-factor authentication.`);
      }
      const by = roleList(person.roles.filter((r) => r.requires_two_factor));
      const required = `${named(by)} ${verb(by, 'require')} two-factor authentication`;
      const detail = s.passed
        ? `${required}, and ${name} has it enabled${key ? '' : ': allowed in a session whose second factor was checked'}.`
        : `${required}, and ${name} has not enabled it: every request is refused until it is set up.`;
      return step(s.check, s.passed, detail, { roles: by });
    }
    case 'scope': {
      if (!key) {
        return step(
          s.check,
          s.passed,
          "A user's session carries every scope (a Heimdall ID access token, the token's own).",
          {
            ...matched,
          },
        );
      }
      const detail = s.passed
        ? `The key has the scope ${grantText()}.`
        : `None of the key's scopes (${data.scopes.join(', ') || 'none'}) covers ${permission.name}.`;
      return step(s.check, s.passed, detail, matched);
    }
    case 'permission': {
      if (s.superAdmin) {
        const by = meeting(roles, s.superAdminRule);
        // A key whose owner is no super admin is none either: it holds what its owner holds.
        const what =
          owner && !owner.isSuperAdmin
            ? `${holder} holds every permission its owner holds`
            : `${holder} is a super admin, who passes every permission check`;
        const detail = `${named(by)} ${RULE_TEXT[s.superAdminRule!]}: ${what}.`;
        return step(s.check, s.passed, detail, { super_admin_rule: s.superAdminRule, roles: by });
      }
      if (s.passed) {
        const by = holding(roles, s.grant!);
        return step(s.check, s.passed, `${named(by)} ${verb(by, 'grant')} ${grantText()}.`, {
          ...matched,
          roles: by,
        });
      }
      const detail = roles.length
        ? `No role of ${holder} grants ${permission.name} (its roles: ${named(roleList(roles))}).`
        : `${holder} has no roles.`;
      return step(s.check, s.passed, detail);
    }
    case 'owner_cap': {
      const name = `its owner ${owner!.user.username}`;
      if (s.superAdmin) {
        const rule = ruleOf(owner!);
        const by = meeting(owner!.roles, rule);
        const detail = `${name} is a super admin (${named(by)} ${rule ? RULE_TEXT[rule] : ''}): nothing caps the key.`;
        return step(s.check, s.passed, detail, { super_admin_rule: rule, roles: by });
      }
      if (s.passed) {
        const by = holding(owner!.roles, s.grant!);
        const detail = `A key never exceeds its owner, and ${name} holds it too: ${named(by)} ${verb(by, 'grant')} ${grantText()}.`;
        return step(s.check, s.passed, detail, { ...matched, roles: by });
      }
      return step(
        s.check,
        s.passed,
        `A key never exceeds its owner, and ${name} does not hold ${permission.name}.`,
      );
    }
  }
}

/** The step that refuses a credential before any decision. */
function refusalStep(why: Exclude<Refusal, { reason: 'user_not_found' }>, key: ApiKeyRow | undefined) {
  switch (why.reason) {
    case 'api_key_inactive':
      return step('api_key', false, 'The key has been deactivated.');
    case 'api_key_expired':
      return step('api_key', false, `The key expired at ${key!.expires_at!.toISOString()}.`);
    case 'account_deleted':
    case 'account_banned': {
      const whose = why.ownerOfKey ? "The key's owner" : 'The account';
      const who = why.user ? `${whose} ${why.user.username}` : whose;
      return step(
        'account',
        false,
        why.reason === 'account_deleted'
          ? `${who} has been deleted.`
          : `${who} is banned${why.until ? ` until ${why.until}` : ''}.`,
      );
    }
  }
}

function subjectOf(
  subject: ExplainSubject,
  key: ApiKeyRow | undefined,
  user: AuthUser | null,
): PermissionExplanation['subject'] {
  return {
    type: 'userId' in subject ? 'user' : 'api_key',
    user_id: user?.id ?? key?.user_id ?? null,
    username: user?.username ?? null,
    api_key_id: key?.id ?? null,
    api_key_name: key?.name ?? null,
  };
}

export function createPermissionExplainer(deps: { db: Knex }) {
  const queries = createAuthQueries(deps.db);
  const subjects = createSubjectLoader(queries);
  const rbac = createRbacQueries(deps.db);

  /** The subject as the authenticator would load it, or why it is refused; unknown ids are 404s. */
  async function load(subject: ExplainSubject): Promise<Loaded | { refusal: Refusal; key?: ApiKeyRow }> {
    if ('userId' in subject) {
      const user = await subjects.user(subject.userId);
      if (refused(user)) return { refusal: user };
      const data = userCredentialData(user, user.twoFactorEnabled);
      return { data, roles: user.roles, owner: undefined, person: user, key: undefined };
    }
    const key = await queries.findApiKeyById(subject.apiKeyId);
    if (!key) throw notFound('api_key.not_found', 'No API key with this id.');
    const loaded = await subjects.apiKey(key);
    if (refused(loaded)) return { refusal: loaded, key };
    return { ...loaded, person: loaded.owner, key };
  }

  return {
    /**
     * Whether `subject` may do `permission` (`resource:action`), and why. Unknown ids are 404s
     * (`user.not_found`, `api_key.not_found`); a deleted or banned account and an inactive or expired key are
     * answers (denied, with that reason). It checks no access: its callers apply `requireExplainAccess`.
     */
    async explain(subject: ExplainSubject, permission: string): Promise<PermissionExplanation> {
      const parsed = permissionName.safeParse(permission).success ? parsePermission(permission) : undefined;
      if (!parsed) throw new AppError('permission.invalid', 400, 'A permission is "resource:action".');
      const [loaded, exists] = await Promise.all([
        load(subject),
        rbac.findPermission(permission).then((row) => row !== undefined),
      ]);
      const steps: ExplanationStep[] = [];
      const key = loaded.key;
      const keyStep = () => {
        const expiry = key!.expires_at ? `expires at ${key!.expires_at.toISOString()}` : 'does not expire';
        steps.push(step('api_key', true, `The key is active and ${expiry}.`));
      };
      const answer = (
        user: AuthUser | null,
        outcome: { allowed: boolean; reason: ExplanationReason; twoFactorSession: boolean },
      ): PermissionExplanation => {
        // Allowed: the permission step, and the owner's grants when they capped it. Denied: the first refusal.
        const deciding = outcome.allowed
          ? steps.filter((s) => s.check === 'permission' || (s.check === 'owner_cap' && !s.super_admin_rule))
          : [steps.find((s) => !s.passed)!];
        const session = outcome.twoFactorSession ? ' Only in a session whose second factor was checked.' : '';
        return {
          permission,
          allowed: outcome.allowed,
          reason: outcome.reason,
          summary: `${outcome.allowed ? 'Allowed' : 'Denied'}: ${deciding.map((s) => s.detail).join(' ')}${session}`,
          subject: subjectOf(subject, key, user),
          permission_exists: exists,
          two_factor_session_required: outcome.twoFactorSession,
          steps,
        };
      };

      if ('refusal' in loaded) {
        const { refusal } = loaded;
        if (refusal.reason === 'user_not_found') throw notFound('user.not_found', 'No user with this id.');
        if (key && refusal.reason !== 'api_key_inactive' && refusal.reason !== 'api_key_expired') keyStep();
        steps.push(refusalStep(refusal, key));
        const user = 'user' in refusal ? refusal.user : null;
        return answer(user, { allowed: false, reason: refusal.reason, twoFactorSession: false });
      }

      if (key) keyStep();
      if (loaded.person) {
        const name = loaded.person.user.username;
        const whose = key ? `The key's owner ${name}` : `The account ${name}`;
        steps.push(step('account', true, `${whose} is neither deleted nor banned.`));
      }
      const decision = decide(loaded.data, parsed.resource, parsed.action);
      for (const s of decision.steps) steps.push(describe(s, loaded, { name: permission, ...parsed }));
      return answer(loaded.data.user, {
        allowed: decision.allowed,
        reason: decision.reason,
        twoFactorSession: !key && decision.allowed && loaded.data.twoFactorRequired,
      });
    },
  };
}

export type PermissionExplainer = ReturnType<typeof createPermissionExplainer>;
