import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AuthContext } from '../../core/auth/context.js';
import { parsePermission } from '../../core/auth/permission-match.js';
import { createPermissionExplainer, type ExplainSubject } from '../../core/rbac/explain.js';
import { PERMISSIONS, WILDCARD_PERMISSION, permissionId } from '../../schemas/permissions.js';
import type { PermissionExplanation } from '../../schemas/rbac.js';
import { SYSTEM_ROLES } from '../../schemas/roles.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * The explainer agrees with enforcement: for every seeded role × every seeded permission, what the explainer
 * answers for a user (with and without 2FA) and their API keys is what the AuthContext the real authenticator
 * builds for their credential decides, and for a few permissions what an actual request gets.
 */
const CATALOGUE = [WILDCARD_PERMISSION, ...PERMISSIONS].map((p) => permissionId(p.resource, p.action));

/** Routes whose whole access rule is one permission, to check answers against actual requests. */
const ROUTES: Record<string, string> = {
  'roles:read': '/v1/roles',
  'permissions:read': '/v1/permissions',
  'audit:read': '/v1/audit?event_type=login',
  'users:read': '/v1/users',
};

interface Subject {
  label: string;
  subject: ExplainSubject;
  /** The Bearer credential the subject acts with: a 2FA-checked session for a user (if 2FA is on), else a key. */
  credential: string;
  authenticate(): Promise<AuthContext>;
  /** For a user with 2FA: a session whose second factor was not checked. */
  unverified?: () => Promise<AuthContext>;
}

describe('the explainer agrees with enforcement, for every seeded role × every seeded permission', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  const subjects: Subject[] = [];

  beforeAll(async () => {
    const { db } = t;
    const { authenticator, sessions } = t.platform.services;
    const session = async (userId: string, twoFactorVerified: boolean) =>
      (await sessions.create({ userId, provider: 'email', twoFactorVerified })).token;
    const keySubject = async (label: string, options: Parameters<typeof createKey>[1]) => {
      const key = await createKey(t.db, options);
      subjects.push({
        label,
        subject: { apiKeyId: key.id },
        credential: key.key,
        authenticate: () => authenticator.authenticateApiKey(key.key),
      });
    };
    const userSubjects = async (label: string, roleIds: string[], twoFactor: boolean) => {
      const userId = await createUser(db, { roleIds, twoFactor });
      const token = await session(userId, twoFactor);
      const unverified = twoFactor ? await session(userId, false) : undefined;
      subjects.push({
        label: `user ${label}`,
        subject: { userId },
        credential: token,
        authenticate: () => authenticator.authenticateSession(token),
        ...(unverified ? { unverified: () => authenticator.authenticateSession(unverified) } : {}),
      });
      const full = { userId, roleIds: ['role_api_full_access'], scopes: ['*'] };
      await keySubject(`${label}'s full-access key`, full);
      const scopes = ['users:*', 'discord:guild.*', 'gps:read', '*:read'];
      await keySubject(`${label}'s scoped key with its role`, { userId, roleIds, scopes });
      return userId;
    };
    for (const role of SYSTEM_ROLES) {
      await userSubjects(`${role.id} with 2FA`, [role.id], true);
      await userSubjects(`${role.id} without 2FA`, [role.id], false);
      await keySubject(`system key ${role.id}`, { roleIds: [role.id], isSystem: true });
    }
    const admin = (await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    const banned = await userSubjects('banned moderator', ['role_moderator'], true);
    const deleted = await userSubjects('deleted user', ['role_developer'], true);
    const ban = await call(t.url, 'POST', `/v1/users/${banned}/ban`, {
      key: admin,
      body: { reason: 'agreement' },
    });
    expect(ban.status).toBe(200);
    expect((await call(t.url, 'DELETE', `/v1/users/${deleted}`, { key: admin })).status).toBe(204);
    await keySubject('inactive key', { roleIds: ['role_api_full_access'], isActive: false });
    await keySubject('expired key', {
      roleIds: ['role_api_full_access'],
      expiresAt: new Date(Date.now() - 60_000),
    });
  });

  /** What enforcement decides: the authenticator's AuthContext asked can(), or nothing when it refuses. */
  const enforced = async (authenticate: () => Promise<AuthContext>, permission: string) => {
    const { resource, action } = parsePermission(permission)!;
    try {
      return (await authenticate()).can(resource, action);
    } catch {
      return false;
    }
  };

  it('answers allowed exactly when the authenticated credential can()', async () => {
    const explainer = createPermissionExplainer({ db: t.db });
    const disagreements: string[] = [];
    const reasons = new Map<string, number>();
    const explained: { subject: Subject; answer: PermissionExplanation }[] = [];
    for (const subject of subjects) {
      const answers = await Promise.all(CATALOGUE.map((p) => explainer.explain(subject.subject, p)));
      for (const answer of answers) {
        explained.push({ subject, answer });
        reasons.set(answer.reason, (reasons.get(answer.reason) ?? 0) + 1);
        const actual = await enforced(subject.authenticate, answer.permission);
        if (actual !== answer.allowed)
          disagreements.push(
            `${subject.label} ${answer.permission}: explained ${answer.reason}, can() ${actual}`,
          );
        if (answer.two_factor_session_required && (await enforced(subject.unverified!, answer.permission)))
          disagreements.push(`${subject.label} ${answer.permission}: allowed without its second factor`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(explained).toHaveLength(subjects.length * CATALOGUE.length);
    // Every rule decided some of them.
    expect([...reasons.keys()].sort()).toEqual([
      'account_banned',
      'account_deleted',
      'api_key_expired',
      'api_key_inactive',
      'granted',
      'owner_lacks_permission',
      'permission_missing',
      'scope_missing',
      'super_admin',
      'two_factor_missing',
    ]);
  });

  it('answers allowed exactly when an actual request is allowed', async () => {
    const explainer = createPermissionExplainer({ db: t.db });
    const disagreements: string[] = [];
    for (const subject of subjects) {
      for (const [permission, path] of Object.entries(ROUTES)) {
        const { allowed, reason } = await explainer.explain(subject.subject, permission);
        const res = await call(t.url, 'GET', path, { key: subject.credential });
        const served = res.status >= 200 && res.status < 300;
        if (served !== allowed || (!served && ![401, 403].includes(res.status)))
          disagreements.push(`${subject.label} GET ${path}: explained ${reason}, answered ${res.status}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
