import type { Knex } from 'knex';
import type { Page } from '../../schemas/common.js';
import { paginate } from '../shared/pagination.js';

/** SQL for roles, permissions and their junctions (no rules here: the services hold them). */
export interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  is_system: boolean;
  requires_two_factor: boolean;
  permission_ids: string[];
  created_at: Date;
}

export interface PermissionRow {
  id: string;
  resource: string;
  action: string;
  description: string | null;
  admin_only: boolean;
  display_order: number;
  created_at: Date;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

export function createRbacQueries(db: Knex) {
  const roles = (trx: Knex) =>
    trx('Role as r').select(
      'r.id',
      'r.name',
      'r.description',
      'r.is_system',
      'r.requires_two_factor',
      'r.created_at',
      trx.raw(
        `coalesce((SELECT array_agg(permission_id ORDER BY permission_id) FROM "RolePermission" WHERE role_id = r.id), '{}') AS permission_ids`,
      ),
    );
  const permissions = (trx: Knex) =>
    trx('Permission as p').select(
      'p.id',
      'p.resource',
      'p.action',
      'p.description',
      'p.admin_only',
      'p.display_order',
      'p.created_at',
    );

  return {
    findRole: (id: string, trx: Knex = db): Promise<RoleRow | undefined> =>
      roles(trx).where('r.id', id).first(),
    findRoleByName: (name: string, trx: Knex = db): Promise<RoleRow | undefined> =>
      roles(trx).where('r.name', name).first(),
    listRoles(filter: { q?: string | undefined; isSystem?: boolean | undefined }, page: Page, sort: string) {
      const query = roles(db);
      if (filter.q) query.whereILike('r.name', likePattern(filter.q));
      if (filter.isSystem !== undefined) query.where('r.is_system', filter.isSystem);
      return paginate<RoleRow>(query, page, sort.replace(/^(-?)/, '$1r.'), 'r.id');
    },
    rolesOfUser: (userId: string): Promise<RoleRow[]> =>
      roles(db).join('UserRole as ur', 'ur.role_id', 'r.id').where('ur.user_id', userId).orderBy('r.id'),
    insertRole: (row: Omit<RoleRow, 'permission_ids' | 'created_at' | 'is_system'>, trx: Knex) =>
      trx('Role').insert(row),
    updateRole: (id: string, changes: Record<string, unknown>, trx: Knex) =>
      trx('Role').where({ id }).update(changes),
    deleteRole: (id: string, trx: Knex) => trx('Role').where({ id }).delete(),
    addRolePermission: (roleId: string, permissionId: string, trx: Knex) =>
      trx('RolePermission')
        .insert({ role_id: roleId, permission_id: permissionId })
        .onConflict(['role_id', 'permission_id'])
        .ignore(),
    removeRolePermission: (roleId: string, permissionId: string, trx: Knex) =>
      trx('RolePermission').where({ role_id: roleId, permission_id: permissionId }).delete(),
    /**
     * Locks the role's row until the transaction ends. Changes of its permission set take it first (an insert
     * into RolePermission waits for it anyway, through its foreign key), so they happen one after another.
     */
    async lockRole(id: string, trx: Knex.Transaction): Promise<boolean> {
      return (await trx('Role').where({ id }).forUpdate().first('id')) !== undefined;
    },
    async permissionIdsOfRole(roleId: string, trx: Knex = db): Promise<string[]> {
      const rows = await trx('RolePermission').where({ role_id: roleId }).orderBy('permission_id');
      return rows.map((r: { permission_id: string }) => r.permission_id);
    },
    removeRolePermissions: (roleId: string, permissionIds: readonly string[], trx: Knex) =>
      trx('RolePermission')
        .where({ role_id: roleId })
        .whereIn('permission_id', [...permissionIds])
        .delete(),

    findPermission: (id: string, trx: Knex = db): Promise<PermissionRow | undefined> =>
      permissions(trx).where('p.id', id).first(),
    findPermissions: (ids: readonly string[]): Promise<PermissionRow[]> =>
      permissions(db).whereIn('p.id', ids),
    listPermissions(
      filter: { resource?: string | undefined; q?: string | undefined },
      page: Page,
      sort: string,
    ) {
      const query = permissions(db);
      if (filter.resource) query.where('p.resource', filter.resource);
      if (filter.q) {
        const pattern = likePattern(filter.q);
        query.where((w) => w.whereILike('p.id', pattern).orWhereILike('p.description', pattern));
      }
      return paginate<PermissionRow>(query, page, sort.replace(/^(-?)/, '$1p.'), 'p.id');
    },
    permissionsOfRole: (roleId: string): Promise<PermissionRow[]> =>
      permissions(db)
        .join('RolePermission as rp', 'rp.permission_id', 'p.id')
        .where('rp.role_id', roleId)
        .orderBy(['p.resource', 'p.display_order']),
    insertPermission: (row: Omit<PermissionRow, 'created_at'>, trx: Knex = db) =>
      trx('Permission').insert(row),
    deletePermission: (id: string, trx: Knex) => trx('Permission').where({ id }).delete(),
  };
}

export type RbacQueries = ReturnType<typeof createRbacQueries>;
