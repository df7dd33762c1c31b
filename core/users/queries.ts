import type { Knex } from 'knex';
import { ROLE_IDS } from '../../schemas/roles.js';
import { paginate } from '../shared/pagination.js';
import { ACTIVE_BAN } from '../bans/active-ban.js';

/** SQL for users and their email accounts; no business rules here (the services hold them). */
export function createUserQueries(db: Knex) {
  return {
    findEmailAccount(email: string, trx: Knex = db) {
      return trx('PlatformAccount')
        .where({ platform_id: 'email' })
        .whereRaw('lower(platform_user_id) = lower(?)', [email])
        .first<{ id: string; user_id: string } | undefined>('id', 'user_id');
    },
    findUserByUsername(username: string, trx: Knex = db) {
      return trx('User')
        .whereRaw('lower(username) = lower(?)', [username])
        .first<{ id: string } | undefined>('id');
    },
    async insertUser(row: { username: string }, trx: Knex = db): Promise<string> {
      const [user] = await trx('User').insert(row).returning<{ id: string }[]>('id');
      return user!.id;
    },
    async insertEmailAccount(
      row: {
        user_id: string;
        email: string;
        username: string;
        password_hash: string;
        email_verified_at?: Date;
      },
      trx: Knex = db,
    ): Promise<string> {
      const [account] = await trx('PlatformAccount')
        .insert({ platform_id: 'email', platform_user_id: row.email, ...row })
        .returning<{ id: string }[]>('id');
      return account!.id;
    },
    setPrimaryAccount(userId: string, accountId: string, trx: Knex = db) {
      return trx('User').where({ id: userId }).update({ primary_platform_account_id: accountId });
    },
    insertUserRole(userId: string, roleId: string, trx: Knex = db) {
      return trx('UserRole')
        .insert({ user_id: userId, role_id: roleId })
        .onConflict(['user_id', 'role_id'])
        .ignore();
    },
    async countActiveSuperAdmins(trx: Knex = db): Promise<number> {
      const row = await trx('UserRole')
        .join('User', 'User.id', 'UserRole.user_id')
        .where({ 'UserRole.role_id': ROLE_IDS.superAdmin })
        .whereNull('User.deleted_at')
        .countDistinct<{ count: number }[]>({ count: 'User.id' })
        .first();
      return Number(row?.count ?? 0);
    },
  };
}

export type UserQueries = ReturnType<typeof createUserQueries>;

export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  privacy_mode: boolean;
  preferred_locale: string | null;
  role_ids: string[];
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  deleted_at: Date | null;
  ban: { reason: string; banned_by: string; banned_at: string; expires_at: string | null } | null;
}

const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Users as the admin API shows them, with their primary email and role ids. */
export function createUserListQueries(db: Knex) {
  const users = (trx: Knex) =>
    trx('User as u')
      .leftJoin('PlatformAccount as pa', 'pa.id', 'u.primary_platform_account_id')
      .select(
        'u.id',
        'u.username',
        'pa.email',
        'u.privacy_mode',
        'u.preferred_locale',
        'u.created_at',
        'u.updated_at',
        'u.last_login_at',
        'u.deleted_at',
        trx.raw(
          `coalesce((SELECT array_agg(role_id ORDER BY role_id) FROM "UserRole" WHERE user_id = u.id), '{}') AS role_ids`,
        ),
        trx.raw(
          `(SELECT json_build_object('reason', b.reason, 'banned_by', b.banned_by,
                   'banned_at', ${isoUtc('b.created_at')}, 'expires_at', ${isoUtc('b.expires_at')})
              FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN}) AS ban`,
        ),
      );
  return {
    findUser: (id: string, trx: Knex = db): Promise<UserRow | undefined> =>
      users(trx).where('u.id', id).first(),
    listUsers(
      filter: {
        q?: string | undefined;
        roleId?: string | undefined;
        includeDeleted?: boolean | undefined;
        banned?: boolean | undefined;
      },
      page: { page: number; per_page: number },
      sort: string,
    ) {
      const query = users(db);
      if (!filter.includeDeleted) query.whereNull('u.deleted_at');
      if (filter.q) query.whereILike('u.username', `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`);
      if (filter.roleId) {
        query.whereExists((q) =>
          q
            .select(db.raw('1'))
            .from('UserRole')
            .whereRaw('user_id = u.id')
            .andWhere('role_id', filter.roleId!),
        );
      }
      if (filter.banned !== undefined) {
        const banned = `EXISTS (SELECT 1 FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN})`;
        query.whereRaw(filter.banned ? banned : `NOT ${banned}`);
      }
      return paginate<UserRow>(query, page, sort.replace(/^(-?)/, '$1u.'), 'u.id');
    },
    updateUser: (id: string, changes: Record<string, unknown>, trx: Knex = db) =>
      trx('User').where({ id }).update(changes),
    softDeleteUser: (id: string, trx: Knex) =>
      trx('User').where({ id }).whereNull('deleted_at').update({ deleted_at: trx.fn.now() }),
    removeUserRole: (userId: string, roleId: string, trx: Knex) =>
      trx('UserRole').where({ user_id: userId, role_id: roleId }).delete(),
    /** Closes the user's open ban, if any; answers whether one still applied (had not run out). */
    async liftBan(userId: string, liftedBy: string, trx: Knex = db): Promise<boolean> {
      const rows = await trx('UserBan as b')
        .where('b.user_id', userId)
        .whereNull('b.lifted_at')
        .update({ lifted_at: trx.fn.now(), lifted_by: liftedBy })
        .returning<{ active: boolean }[]>(
          trx.raw('(b.expires_at IS NULL OR b.expires_at > now()) AS active'),
        );
      return rows.some((r) => r.active);
    },
    async insertBan(
      row: { user_id: string; reason: string; banned_by: string; expires_at: Date | null },
      trx: Knex,
    ): Promise<string> {
      const [ban] = await trx('UserBan').insert(row).returning<{ id: string }[]>('id');
      return ban!.id;
    },
  };
}
