import type { Knex } from 'knex';
import { PLATFORMS } from '../../schemas/platforms.js';
import { PERMISSIONS, WILDCARD_PERMISSION, permissionId } from '../../schemas/permissions.js';
import { SYSTEM_ROLES } from '../../schemas/roles.js';

/**
 * Idempotent seeds: platforms, permissions, system roles and their permission sets.
 * Every item has a key in `heimdall_seed_applied`; an item is inserted only if it was never applied before.
 * So a second run changes nothing, a new release adds only its new items, and what an admin changed or removed
 * (a description, a permission taken from a system role) stays as the admin left it.
 */
export interface SeedResult {
  platforms: number;
  permissions: number;
  roles: number;
  rolePermissions: number;
}

interface SeedItem {
  key: string;
  table: string;
  row: Record<string, unknown>;
  conflict: string[];
}

function seedItems(): SeedItem[] {
  const items: SeedItem[] = [];
  PLATFORMS.forEach((platform, index) =>
    items.push({
      key: `platform:${platform.id}`,
      table: 'Platform',
      row: { id: platform.id, name: platform.name, enabled: platform.enabled, display_order: index },
      conflict: ['id'],
    }),
  );
  const order = new Map<string, number>();
  for (const permission of [WILDCARD_PERMISSION, ...PERMISSIONS]) {
    const displayOrder = order.get(permission.resource) ?? 0;
    order.set(permission.resource, displayOrder + 1);
    const id = permissionId(permission.resource, permission.action);
    items.push({
      key: `permission:${id}`,
      table: 'Permission',
      row: {
        id,
        resource: permission.resource,
        action: permission.action,
        description: permission.description,
        admin_only: permission.adminOnly ?? false,
        display_order: displayOrder,
      },
      conflict: ['resource', 'action'],
    });
  }
  for (const role of SYSTEM_ROLES) {
    items.push({
      key: `role:${role.id}`,
      table: 'Role',
      row: {
        id: role.id,
        name: role.name,
        description: role.description,
        is_system: true,
        requires_two_factor: role.requiresTwoFactor,
      },
      conflict: ['id'],
    });
  }
  for (const role of SYSTEM_ROLES) {
    for (const permission of role.permissions) {
      items.push({
        key: `role_permission:${role.id}:${permission}`,
        table: 'RolePermission',
        row: { role_id: role.id, permission_id: permission },
        conflict: ['role_id', 'permission_id'],
      });
    }
  }
  return items;
}

const RESULT_FIELD: Record<string, keyof SeedResult> = {
  Platform: 'platforms',
  Permission: 'permissions',
  Role: 'roles',
  RolePermission: 'rolePermissions',
};

export async function runSeeds(knex: Knex): Promise<SeedResult> {
  return knex.transaction(async (trx) => {
    // Several nodes may start at once; one seeds, the others then find everything applied.
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('heimdall_seed'))`);
    const applied = new Set(
      (await trx('heimdall_seed_applied').select<{ key: string }[]>('key')).map((r) => r.key),
    );
    const result: SeedResult = { platforms: 0, permissions: 0, roles: 0, rolePermissions: 0 };
    const pending = seedItems().filter((item) => !applied.has(item.key));
    // Tables in dependency order: RolePermission rows need their Role and Permission rows first.
    for (const table of ['Platform', 'Permission', 'Role', 'RolePermission']) {
      const batch = pending.filter((item) => item.table === table);
      if (batch.length === 0) continue;
      const conflict = batch[0]!.conflict;
      const inserted = await trx(table)
        .insert(batch.map((item) => item.row))
        .onConflict(conflict)
        .ignore()
        .returning(conflict[0]!);
      result[RESULT_FIELD[table]!] += inserted.length;
    }
    if (pending.length > 0) {
      await trx('heimdall_seed_applied').insert(pending.map((item) => ({ key: item.key })));
    }
    return result;
  });
}
