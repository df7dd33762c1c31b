import type { Knex } from 'knex';
import { ROLE_IDS } from '../../schemas/roles.js';
import { paginateCapped } from '../shared/pagination.js';
import { MAX_COUNTED_USERS } from '../../schemas/rbac.js';
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
  two_factor_enabled: boolean;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  deleted_at: Date | null;
  ban: { reason: string; banned_by: string; banned_at: string; expires_at: string | null } | null;
}

const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface UserListFilter {
  /** Username or email contains (1–2 characters: starts with), or the exact id. */
  q?: string | undefined;
  roleId?: string | undefined;
  includeDeleted?: boolean | undefined;
  banned?: boolean | undefined;
  twoFactor?: boolean | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The shortest text searched for anywhere in a name: trigram indexes need three characters to narrow. */
const MIN_CONTAINS = 3;

/**
 * The list's filters on `"User" u`. A search for a user id finds that user; any other is a union of two
 * trigram index lookups (usernames, and the email of every account), so its cost follows the matches, not the
 * number of users.
 */
function applyUserFilter(query: Knex.QueryBuilder, f: UserListFilter): Knex.QueryBuilder {
  if (!f.includeDeleted) query.whereNull('u.deleted_at');
  const q = f.q?.trim();
  if (q && UUID.test(q)) query.where('u.id', q.toLowerCase());
  else if (q) {
    const escaped = q.replace(/[\\%_]/g, '\\$&');
    const pattern = q.length >= MIN_CONTAINS ? `%${escaped}%` : `${escaped}%`;
    query.whereIn('u.id', (matches) =>
      matches
        .select('id')
        .from('User')
        .whereILike('username', pattern)
        .unionAll((emails) => emails.select('user_id').from('PlatformAccount').whereILike('email', pattern)),
    );
  }
  if (f.roleId) {
    query.whereExists((sub) =>
      sub
        .select(sub.client.raw('1'))
        .from('UserRole')
        .whereRaw('user_id = u.id')
        .andWhere('role_id', f.roleId!),
    );
  }
  if (f.banned !== undefined) {
    const banned = `EXISTS (SELECT 1 FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN})`;
    query.whereRaw(f.banned ? banned : `NOT ${banned}`);
  }
  if (f.twoFactor !== undefined) {
    const enrolled = `EXISTS (SELECT 1 FROM "UserTwoFactor" t WHERE t.user_id = u.id AND t.enabled)`;
    query.whereRaw(f.twoFactor ? enrolled : `NOT ${enrolled}`);
  }
  if (f.createdAfter) query.where('u.created_at', '>=', f.createdAfter);
  if (f.createdBefore) query.where('u.created_at', '<', f.createdBefore);
  return query;
}

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
        trx.raw(
          `EXISTS (SELECT 1 FROM "UserTwoFactor" t WHERE t.user_id = u.id AND t.enabled) AS two_factor_enabled`,
        ),
      );
  return {
    findUser: (id: string, trx: Knex = db): Promise<UserRow | undefined> =>
      users(trx).where('u.id', id).first(),
    listUsers(filter: UserListFilter, page: { page: number; per_page: number }, sort: string) {
      return paginateCapped<UserRow>({
        db,
        filtered: applyUserFilter(db('User as u'), filter),
        key: 'u.id',
        rowsOf: (ids) => users(db).whereIn('u.id', ids),
        page,
        sort: sort.replace(/^(-?)/, '$1u.'),
        cap: MAX_COUNTED_USERS,
      });
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
