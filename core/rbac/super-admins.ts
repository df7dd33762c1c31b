import type { Knex } from 'knex';
import { LEGACY_SUPER_ADMIN_ROLE_NAME, ROLE_IDS } from '../../schemas/roles.js';
import { AppError } from '../errors/index.js';
import { ACTIVE_BAN } from '../bans/active-ban.js';

/**
 * "Nobody can remove the last super admin". Every change that could take super-admin power away
 * (deleting a user, removing a role, removing `*:*` from a role, deleting or renaming a role) runs in a
 * transaction that first takes this lock, makes the change, then checks that an active super admin remains;
 * if not, the transaction rolls back. Checking after the change covers every path with one rule.
 */
export async function lockSuperAdmins(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('heimdall_super_admins'))`);
}

/** Active (not deleted, not banned) users who are super admins by any of the three rules (`isSuperAdminBy`). */
export async function countSuperAdmins(trx: Knex): Promise<number> {
  const { rows } = await trx.raw<{ rows: { n: number }[] }>(
    `SELECT count(DISTINCT u.id)::int AS n
       FROM "User" u
       JOIN "UserRole" ur ON ur.user_id = u.id
       JOIN "Role" r ON r.id = ur.role_id
      WHERE u.deleted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN})
        AND (r.id = ? OR r.name = ? OR EXISTS (
              SELECT 1 FROM "RolePermission" rp WHERE rp.role_id = r.id AND rp.permission_id = '*:*'))`,
    [ROLE_IDS.superAdmin, LEGACY_SUPER_ADMIN_ROLE_NAME],
  );
  return rows[0]?.n ?? 0;
}

export async function assertSuperAdminRemains(trx: Knex, hadAny: boolean): Promise<void> {
  if (hadAny && (await countSuperAdmins(trx)) === 0) {
    throw new AppError(
      'user.last_super_admin',
      409,
      'This would remove the last super admin; make someone else super admin first.',
    );
  }
}

/** Runs `change` under the lock and refuses it if it leaves no super admin behind. */
export async function keepingASuperAdmin<T>(
  db: Knex,
  change: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return db.transaction(async (trx) => {
    await lockSuperAdmins(trx);
    const before = await countSuperAdmins(trx);
    const result = await change(trx);
    await assertSuperAdminRemains(trx, before > 0);
    return result;
  });
}
