import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import {
  setRolePermissionsInput,
  type createRoleBody,
  type listRolesQuery,
  type RoleRecord,
  type updateRoleBody,
} from '../../schemas/rbac.js';
import { LEGACY_SUPER_ADMIN_ROLE_NAME, ROLE_IDS } from '../../schemas/roles.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import type { AuthContext } from '../auth/context.js';
import { assertHoldsPermissions, requirePermission } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { isoDates } from '../shared/serialize.js';
import { validateInput } from '../shared/validation.js';
import { createRbacQueries, type RoleRow } from './queries.js';
import { keepingASuperAdmin } from './super-admins.js';
import { conflictOnDuplicate } from '../db/unique-violation.js';

/**
 * Roles and their permissions. System roles can be changed only by a super admin;
 * nobody adds a permission they do not hold; the Super Admin role cannot be deleted; every change flushes the
 * auth caches of all nodes (a role change can affect any credential).
 */
const NOT_FOUND = () => notFound('role.not_found', 'No role with this id.');

const slug = (name: string) =>
  `role_${
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 50) || 'custom'
  }`;

/**
 * The version of a role's permission set: a hash of its sorted ids, the same for the same set whatever the order
 * or who reads it (the Role table has no updated_at to compare instead).
 */
export const permissionSetVersion = (permissionIds: readonly string[]): string =>
  createHash('sha256')
    .update([...new Set(permissionIds)].sort().join('\n'))
    .digest('base64url')
    .slice(0, 22);

export interface PermissionSet {
  permission_ids: string[];
  version: string;
}

export function createRoleService(deps: { db: Knex; audit: AuditLogger; authCache: AuthCache }) {
  const queries = createRbacQueries(deps.db);
  const toRecord = (row: RoleRow): RoleRecord => isoDates(row);

  async function load(id: string): Promise<RoleRow> {
    const role = await queries.findRole(id);
    if (!role) throw NOT_FOUND();
    return role;
  }

  function assertMayChange(auth: AuthContext, role: RoleRow): void {
    if (role.is_system && !auth.isSuperAdmin) {
      throw new AppError(
        'role.system_role',
        403,
        `${role.name} is a system role: only a super admin can change it.`,
      );
    }
  }

  async function assertNameFree(name: string, exceptId?: string): Promise<void> {
    const existing = await queries.findRoleByName(name);
    if (existing && existing.id !== exceptId)
      throw new AppError('role.name_taken', 409, `A role named "${name}" already exists.`);
  }

  async function assertPermissionsExist(ids: readonly string[]): Promise<void> {
    const found = new Set((await queries.findPermissions(ids)).map((p) => p.id));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length)
      throw new AppError('permission.not_found', 422, `Unknown permission: ${unknown.join(', ')}.`, {
        unknown,
      });
  }

  const audit = auditRecorder<'permission_changed'>(deps.audit, { resource_type: 'role' });
  /** Every role change drops the cached permissions of everyone, then is recorded. */
  const changed = async (
    actor: Actor,
    roleId: string,
    action: string,
    metadata: Record<string, unknown> = {},
  ) => {
    await deps.authCache.invalidate({ type: 'all' });
    await audit.record('permission_changed', actor, {
      resource_id: roleId,
      metadata: { action, ...metadata },
    });
  };

  return {
    async list(input: z.output<typeof listRolesQuery>) {
      const page = await queries.listRoles({ q: input.q, isSystem: input.is_system }, input, input.sort);
      return { data: page.data.map(toRecord), pagination: page.pagination };
    },
    get: async (id: string) => toRecord(await load(id)),

    async create(actor: Actor, input: z.output<typeof createRoleBody>): Promise<RoleRecord> {
      requirePermission(actor.auth, 'roles', 'write');
      const id = input.id ?? slug(input.name);
      if (await queries.findRole(id))
        throw new AppError('role.exists', 409, `A role with the id ${id} already exists.`);
      await assertNameFree(input.name);
      await assertPermissionsExist(input.permission_ids);
      assertHoldsPermissions(actor.auth, input.permission_ids, 'these permissions');
      if (input.name === LEGACY_SUPER_ADMIN_ROLE_NAME && !actor.auth.isSuperAdmin) {
        throw new AppError(
          'auth.escalation_denied',
          403,
          `Only a super admin may create a role named ${input.name}.`,
        );
      }
      const taken = (constraint: string) =>
        constraint.endsWith('_pkey')
          ? new AppError('role.exists', 409, `A role with the id ${id} already exists.`)
          : new AppError('role.name_taken', 409, `A role named "${input.name}" already exists.`);
      await conflictOnDuplicate(
        () =>
          deps.db.transaction(async (trx) => {
            await queries.insertRole(
              {
                id,
                name: input.name,
                description: input.description ?? null,
                requires_two_factor: input.requires_two_factor,
              },
              trx,
            );
            for (const permissionId of input.permission_ids)
              await queries.addRolePermission(id, permissionId, trx);
          }),
        taken,
      );
      await changed(actor, id, 'role_created', { permission_ids: input.permission_ids });
      return toRecord(await load(id));
    },

    async update(actor: Actor, id: string, input: z.output<typeof updateRoleBody>): Promise<RoleRecord> {
      requirePermission(actor.auth, 'roles', 'write');
      const role = await load(id);
      assertMayChange(actor.auth, role);
      if (input.name !== undefined) {
        await assertNameFree(input.name, id);
        if (input.name === LEGACY_SUPER_ADMIN_ROLE_NAME && !actor.auth.isSuperAdmin) {
          throw new AppError(
            'auth.escalation_denied',
            403,
            `Only a super admin may name a role ${input.name}.`,
          );
        }
      }
      // Renaming away from `super_admin` can demote users: same guard as every other demotion.
      await conflictOnDuplicate(
        () => keepingASuperAdmin(deps.db, (trx) => queries.updateRole(id, input, trx)),
        () => new AppError('role.name_taken', 409, `A role named "${input.name}" already exists.`),
      );
      await changed(actor, id, 'role_updated', { changed: Object.keys(input) });
      return toRecord(await load(id));
    },

    async remove(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.auth, 'roles', 'delete');
      const role = await load(id);
      if (id === ROLE_IDS.superAdmin)
        throw new AppError('role.protected', 409, 'The Super Admin role cannot be deleted.');
      assertMayChange(actor.auth, role);
      await keepingASuperAdmin(deps.db, (trx) => queries.deleteRole(id, trx));
      await changed(actor, id, 'role_deleted', { name: role.name });
    },

    async permissions(id: string) {
      await load(id);
      return (await queries.permissionsOfRole(id)).map(isoDates);
    },

    async addPermission(actor: Actor, id: string, permissionId: string) {
      requirePermission(actor.auth, 'roles', 'write');
      const role = await load(id);
      assertMayChange(actor.auth, role);
      await assertPermissionsExist([permissionId]);
      assertHoldsPermissions(actor.auth, [permissionId], `the permission ${permissionId}`);
      await queries.addRolePermission(id, permissionId, deps.db);
      await changed(actor, id, 'permission_added', { permission_id: permissionId });
      return (await queries.permissionsOfRole(id)).map(isoDates);
    },

    async removePermission(actor: Actor, id: string, permissionId: string): Promise<void> {
      requirePermission(actor.auth, 'roles', 'write');
      const role = await load(id);
      assertMayChange(actor.auth, role);
      if (!role.permission_ids.includes(permissionId)) {
        throw notFound('role.permission_not_assigned', `${role.name} does not have ${permissionId}.`);
      }
      await keepingASuperAdmin(deps.db, async (trx) => {
        await queries.lockRole(id, trx);
        await queries.removeRolePermission(id, permissionId, trx);
      });
      await changed(actor, id, 'permission_removed', { permission_id: permissionId });
    },

    /** The role's permission ids and their version, for an editor that will call setPermissions. */
    async permissionSet(id: string): Promise<PermissionSet> {
      const { permission_ids } = await load(id);
      return { permission_ids, version: permissionSetVersion(permission_ids) };
    },

    /**
     * Replaces the role's whole permission set in one transaction, if it is still the one the caller read
     * (`expectedVersion`, from permissionSet or an earlier call): otherwise 409 `role.conflict` and nothing
     * changes. The guards of adding and removing one permission apply to the difference: system roles only for
     * super admins, only permissions that exist (422) and that the caller holds (403 auth.escalation_denied),
     * and the last super admin stays (409 user.last_super_admin). Records one `permission_changed` with what
     * was added and removed (nothing when the set is unchanged); answers the new set and its version.
     */
    async setPermissions(
      actor: Actor,
      id: string,
      permissionIds: readonly string[],
      expectedVersion: string,
    ): Promise<PermissionSet> {
      requirePermission(actor.auth, 'roles', 'write');
      const input = validateInput(
        setRolePermissionsInput,
        { permission_ids: permissionIds, expected_version: expectedVersion },
        'body',
      );
      const wanted = [...new Set(input.permission_ids)].sort();
      const role = await load(id);
      assertMayChange(actor.auth, role);
      await assertPermissionsExist(wanted);
      const outcome = await keepingASuperAdmin(deps.db, async (trx) => {
        if (!(await queries.lockRole(id, trx))) throw NOT_FOUND();
        const current = await queries.permissionIdsOfRole(id, trx);
        const version = permissionSetVersion(current);
        if (version !== input.expected_version) {
          throw new AppError(
            'role.conflict',
            409,
            `The permissions of ${role.name} were changed since you read them; read them again and redo your change.`,
            { version },
          );
        }
        const added = wanted.filter((p) => !current.includes(p));
        const removed = current.filter((p) => !wanted.includes(p));
        assertHoldsPermissions(actor.auth, added, 'these permissions');
        if (removed.length) await queries.removeRolePermissions(id, removed, trx);
        for (const permissionId of added) await queries.addRolePermission(id, permissionId, trx);
        return { added, removed, now: await queries.permissionIdsOfRole(id, trx) };
      });
      if (outcome.added.length || outcome.removed.length) {
        await changed(actor, id, 'permissions_set', { added: outcome.added, removed: outcome.removed });
      }
      return { permission_ids: outcome.now, version: permissionSetVersion(outcome.now) };
    },
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
