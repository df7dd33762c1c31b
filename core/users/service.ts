import type { Knex } from 'knex';
import type { z } from 'zod';
import type { listUsersQuery } from '../../schemas/rbac.js';
import type { banUserBody, UserRecord, updateUserBody } from '../../schemas/users.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import type { AuthContext } from '../auth/context.js';
import {
  assertCanGrantRoles,
  assertHoldsPermissions,
  assertScope,
  requireUserId,
  loadRolePermissions,
  requirePermission,
} from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import { createRbacQueries } from '../rbac/queries.js';
import { keepingASuperAdmin } from '../rbac/super-admins.js';
import { conflictOnDuplicate } from '../db/unique-violation.js';
import { actorId, type Actor } from '../shared/actor.js';
import { isoDates } from '../shared/serialize.js';
import { createUserListQueries, createUserQueries, type UserRow } from './queries.js';
import { viewerOf, visibleProfile } from './visibility.js';

/**
 * Users and their roles. Users read their own record and roles; `users:*` opens
 * everyone else's. Nobody grants, removes or deletes beyond their own permissions, the last super admin
 * stays, and deleting is a soft delete whose credentials stop working at once on every node.
 */
const NOT_FOUND = () => notFound('user.not_found', 'No user with this id.');
const usernameTaken = (username: string) =>
  new AppError('user.username_taken', 409, `The username ${username} is already taken.`);

export function createUserService(deps: { db: Knex; audit: AuditLogger; authCache: AuthCache }) {
  const queries = createUserListQueries(deps.db);
  const userQueries = createUserQueries(deps.db);
  const rbac = createRbacQueries(deps.db);
  const toRecord = (row: UserRow): UserRecord => isoDates(row);

  /** Writes profile changes; a username someone else holds is 409, whether seen first or raced for. */
  async function updateProfile(id: string, input: z.output<typeof updateUserBody>): Promise<void> {
    const taken = () => usernameTaken(input.username ?? '');
    if (input.username) {
      const other = await userQueries.findUserByUsername(input.username);
      if (other && other.id !== id) throw taken();
    }
    await conflictOnDuplicate(() => queries.updateUser(id, input), taken);
  }

  /** Visible: yourself, or anyone (not deleted, unless you may read) with users:read. */
  async function load(auth: AuthContext, id: string, action?: 'write' | 'delete' | 'ban'): Promise<UserRow> {
    const row = await queries.findUser(id);
    const self = auth.user?.id === id;
    if (!row || (!self && !auth.can('users', 'read'))) throw NOT_FOUND();
    if (self) assertScope(auth, 'users', 'read');
    if (action && !auth.can('users', action)) {
      throw new AppError('auth.forbidden', 403, `You need the permission users:${action}.`, {
        required: `users:${action}`,
      });
    }
    return row;
  }

  /** Acting on someone means holding at least what they hold (no demoting or deleting your betters). */
  async function assertOutranks(auth: AuthContext, target: UserRow): Promise<void> {
    const roles = await loadRolePermissions(deps.db, target.role_ids);
    assertHoldsPermissions(
      auth,
      roles.flatMap((r) => r.permissions),
      `changes to ${target.username}`,
    );
  }

  const audit = auditRecorder(deps.audit, { resource_type: 'user' });
  /** An event about the user `id` itself. */
  const aboutUser = (id: string, metadata: Record<string, unknown> = {}) => ({
    user_id: id,
    resource_id: id,
    metadata,
  });

  /** A change to the caller's own profile: it needs the scope users:write, not the permission. */
  async function updateOwn(
    actor: Actor,
    input: z.output<typeof updateUserBody>,
    metadata: Record<string, unknown> = {},
  ): Promise<UserRecord> {
    const id = requireUserId(actor.auth);
    assertScope(actor.auth, 'users', 'write');
    await updateProfile(id, input);
    await deps.authCache.invalidate({ type: 'user', userId: id });
    await audit.record('user_updated', actor, aboutUser(id, { changed: Object.keys(input), ...metadata }));
    return toRecord((await queries.findUser(id))!);
  }

  return {
    async list(input: z.output<typeof listUsersQuery>) {
      const page = await queries.listUsers(
        {
          q: input.q,
          roleId: input.role_id,
          includeDeleted: input.include_deleted,
          banned: input.banned,
          twoFactor: input.two_factor,
          createdAfter: input.created_after,
          createdBefore: input.created_before,
        },
        input,
        input.sort,
      );
      return { data: page.data.map(toRecord), pagination: page.pagination };
    },
    /** Yourself, or anyone with users:read; privacy mode decides the private fields (visibility.ts). */
    get: async (auth: AuthContext, id: string) =>
      visibleProfile(viewerOf(auth), toRecord(await load(auth, id))),

    async update(actor: Actor, id: string, input: z.output<typeof updateUserBody>): Promise<UserRecord> {
      const target = await load(actor.auth, id, 'write');
      if (target.deleted_at) throw new AppError('user.deleted', 409, 'This user has been deleted.');
      await updateProfile(id, input);
      await audit.record('user_updated', actor, aboutUser(id, { changed: Object.keys(input) }));
      return toRecord((await queries.findUser(id))!);
    },

    /** Your own profile (the account pages): username, language, privacy mode; no users:write needed. */
    updateOwnProfile: (actor: Actor, input: z.output<typeof updateUserBody>) =>
      updateOwn(actor, input, { via: 'account' }),

    /** Your own switch for privacy mode (REST, GraphQL); what it hides is core/users/visibility.ts. */
    setPrivacyMode: (actor: Actor, enabled: boolean) => updateOwn(actor, { privacy_mode: enabled }),

    async remove(actor: Actor, id: string): Promise<void> {
      const target = await load(actor.auth, id, 'delete');
      if (target.deleted_at) throw NOT_FOUND();
      await assertOutranks(actor.auth, target);
      await keepingASuperAdmin(deps.db, (trx) => queries.softDeleteUser(id, trx));
      await deps.authCache.invalidate({ type: 'user', userId: id });
      await audit.record('user_deleted', actor, aboutUser(id, { username: target.username }));
    },

    /**
     * Bans a user (users:ban): their credentials stop working at once on every node, until `expires_at` or
     * until lifted. Banning someone already banned replaces the ban (new reason and expiry, history kept).
     */
    async ban(actor: Actor, id: string, input: z.output<typeof banUserBody>): Promise<UserRecord> {
      requirePermission(actor.auth, 'users', 'ban');
      const target = await load(actor.auth, id, 'ban');
      if (target.deleted_at) throw new AppError('user.deleted', 409, 'This user has been deleted.');
      if (actor.auth.user?.id === id)
        throw new AppError('user.cannot_ban_self', 409, 'You cannot ban yourself.');
      await assertOutranks(actor.auth, target);
      const by = actorId(actor) ?? 'system';
      const banId = await keepingASuperAdmin(deps.db, async (trx) => {
        await queries.liftBan(id, by, trx);
        return queries.insertBan(
          { user_id: id, reason: input.reason, banned_by: by, expires_at: input.expires_at ?? null },
          trx,
        );
      });
      await deps.authCache.invalidate({ type: 'user', userId: id });
      await audit.record(
        'user_banned',
        actor,
        aboutUser(id, {
          ban_id: banId,
          reason: input.reason,
          expires_at: input.expires_at?.toISOString() ?? null,
          replaced: target.ban !== null,
        }),
      );
      return toRecord((await queries.findUser(id))!);
    },

    /** Lifts the user's ban; lifting a user who is not banned changes nothing (idempotent DELETE). */
    async unban(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.auth, 'users', 'ban');
      await load(actor.auth, id, 'ban');
      const lifted = await queries.liftBan(id, actorId(actor) ?? 'system');
      if (!lifted) return;
      await deps.authCache.invalidate({ type: 'user', userId: id });
      await audit.record('user_unbanned', actor, aboutUser(id));
    },

    async roles(auth: AuthContext, id: string) {
      await load(auth, id);
      return (await rbac.rolesOfUser(id)).map(isoDates);
    },

    async addRole(actor: Actor, id: string, roleId: string) {
      const target = await load(actor.auth, id, 'write');
      if (target.deleted_at) throw new AppError('user.deleted', 409, 'This user has been deleted.');
      await assertCanGrantRoles(deps.db, actor.auth, [roleId]);
      await userQueries.insertUserRole(id, roleId);
      await deps.authCache.invalidate({ type: 'user', userId: id });
      await audit.record('role_assigned', actor, { user_id: id, resource_type: 'role', resource_id: roleId });
      return (await rbac.rolesOfUser(id)).map(isoDates);
    },

    async removeRole(actor: Actor, id: string, roleId: string): Promise<void> {
      const target = await load(actor.auth, id, 'write');
      if (!target.role_ids.includes(roleId))
        throw notFound('user.role_not_assigned', `The user does not have the role ${roleId}.`);
      // Taking a role away is as powerful as granting it.
      await assertCanGrantRoles(deps.db, actor.auth, [roleId]);
      await keepingASuperAdmin(deps.db, (trx) => queries.removeUserRole(id, roleId, trx));
      await deps.authCache.invalidate({ type: 'user', userId: id });
      await audit.record('role_removed', actor, { user_id: id, resource_type: 'role', resource_id: roleId });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
