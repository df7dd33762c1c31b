import { requirePermission } from '../auth/guards.js';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { PERMISSIONS, WILDCARD_PERMISSION, permissionId } from '../../schemas/permissions.js';
import type { createPermissionBody, listPermissionsQuery, PermissionRecord } from '../../schemas/rbac.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthCache } from '../auth/auth-cache.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { isoDates } from '../shared/serialize.js';
import { createRbacQueries } from './queries.js';
import { keepingASuperAdmin } from './super-admins.js';
import { conflictOnDuplicate } from '../db/unique-violation.js';

/**
 * Permissions. Apps may add their own `resource:action` permissions; the built-in
 * catalogue cannot be deleted through the API, because code and seeds rely on those names.
 */
const BUILT_IN = new Set(
  [WILDCARD_PERMISSION, ...PERMISSIONS].map((p) => permissionId(p.resource, p.action)),
);

export function createPermissionService(deps: { db: Knex; audit: AuditLogger; authCache: AuthCache }) {
  const queries = createRbacQueries(deps.db);

  const audit = auditRecorder<'permission_changed'>(deps.audit, { resource_type: 'permission' });

  return {
    async list(input: z.output<typeof listPermissionsQuery>) {
      const page = await queries.listPermissions({ resource: input.resource, q: input.q }, input, input.sort);
      return { data: page.data.map(isoDates), pagination: page.pagination };
    },
    async get(id: string): Promise<PermissionRecord> {
      const row = await queries.findPermission(id);
      if (!row) throw notFound('permission.not_found', 'No permission with this id.');
      return isoDates(row);
    },
    async create(actor: Actor, input: z.output<typeof createPermissionBody>): Promise<PermissionRecord> {
      requirePermission(actor.auth, 'permissions', 'write');
      const id = permissionId(input.resource, input.action);
      const exists = () => new AppError('permission.exists', 409, `The permission ${id} already exists.`);
      if (await queries.findPermission(id)) throw exists();
      await conflictOnDuplicate(
        () => queries.insertPermission({ id, description: input.description ?? null, ...input }),
        exists,
      );
      await audit.record('permission_changed', actor, {
        resource_id: id,
        metadata: { action: 'permission_created' },
      });
      return isoDates((await queries.findPermission(id))!);
    },
    async remove(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.auth, 'permissions', 'delete');
      if (!(await queries.findPermission(id)))
        throw notFound('permission.not_found', 'No permission with this id.');
      if (BUILT_IN.has(id)) {
        throw new AppError(
          'permission.built_in',
          409,
          `${id} is a built-in permission and cannot be deleted.`,
        );
      }
      await keepingASuperAdmin(deps.db, (trx) => queries.deletePermission(id, trx));
      await deps.authCache.invalidate({ type: 'all' });
      await audit.record('permission_changed', actor, {
        resource_id: id,
        metadata: { action: 'permission_deleted' },
      });
    },
  };
}

export type PermissionService = ReturnType<typeof createPermissionService>;
