import type { Knex } from 'knex';
import { ACTIVE_BAN } from '../bans/active-ban.js';

/** SQL for resolving credentials into grants; no rules here: the authenticator decides. */
export interface ApiKeyRow {
  id: string;
  name: string;
  key_prefix: string;
  user_id: string | null;
  scopes: string[];
  is_active: boolean;
  is_system: boolean;
  expires_at: Date | null;
  last_used_at: Date | null;
}

export interface RoleGrant {
  id: string;
  name: string;
  requires_two_factor: boolean;
  permissions: string[];
}

export interface UserRow {
  id: string;
  username: string;
  deleted_at: Date | null;
  /** Set when a ban applies now. */
  ban_id: string | null;
  /** When the ban that applies now ends; null for a permanent ban. */
  banned_until: Date | null;
}

const API_KEY_COLUMNS = [
  'id',
  'name',
  'key_prefix',
  'user_id',
  'scopes',
  'is_active',
  'is_system',
  'expires_at',
  'last_used_at',
] as const;

export function createAuthQueries(db: Knex) {
  const rolesWithPermissions = (
    junction: 'UserRole' | 'ApiKeyRole',
    column: 'user_id' | 'api_key_id',
    id: string,
  ) =>
    db(`${junction} as j`)
      .join('Role as r', 'r.id', 'j.role_id')
      .leftJoin('RolePermission as rp', 'rp.role_id', 'r.id')
      .where(`j.${column}`, id)
      .groupBy('r.id')
      .orderBy('r.id')
      .select<RoleGrant[]>(
        'r.id',
        'r.name',
        'r.requires_two_factor',
        db.raw(
          `coalesce(array_agg(rp.permission_id ORDER BY rp.permission_id) FILTER (WHERE rp.permission_id IS NOT NULL), '{}') AS permissions`,
        ),
      );

  return {
    findApiKeyByHash(hash: string) {
      return db('ApiKey')
        .where({ key_hash: hash })
        .first<ApiKeyRow | undefined>(...API_KEY_COLUMNS);
    },
    findApiKeyById(id: string) {
      return db('ApiKey')
        .where({ id })
        .first<ApiKeyRow | undefined>(...API_KEY_COLUMNS);
    },
    findUser(id: string) {
      return db('User as u')
        .joinRaw(`LEFT JOIN "UserBan" b ON b.user_id = u.id AND ${ACTIVE_BAN}`)
        .where('u.id', id)
        .first<UserRow | undefined>(
          'u.id',
          'u.username',
          'u.deleted_at',
          'b.id as ban_id',
          'b.expires_at as banned_until',
        );
    },
    findSessionByHash(hash: string) {
      return db('Session')
        .where({ session_token: hash })
        .andWhere('expires', '>', db.fn.now())
        .first<
          { id: string; user_id: string; expires: Date; two_factor_verified_at: Date | null } | undefined
        >('id', 'user_id', 'expires', 'two_factor_verified_at');
    },
    touchSession(id: string) {
      return db('Session').where({ id }).update({ last_activity_at: db.fn.now() });
    },
    findOAuthClient(clientId: string) {
      return db('OAuthClient')
        .where({ client_id: clientId })
        .first<{ id: string; user_id: string | null; is_active: boolean } | undefined>(
          'id',
          'user_id',
          'is_active',
        );
    },
    userRoles: (userId: string) => rolesWithPermissions('UserRole', 'user_id', userId),
    apiKeyRoles: (keyId: string) => rolesWithPermissions('ApiKeyRole', 'api_key_id', keyId),
    async userHasTwoFactor(userId: string): Promise<boolean> {
      const row = await db('UserTwoFactor').where({ user_id: userId, enabled: true }).first('user_id');
      return row !== undefined;
    },
    /** Writes last_used_at unless another node did so within the last minute. */
    touchApiKey(id: string) {
      return db('ApiKey')
        .where({ id })
        .andWhere((q) =>
          q.whereNull('last_used_at').orWhere('last_used_at', '<', db.raw(`now() - interval '1 minute'`)),
        )
        .update({ last_used_at: db.fn.now() });
    },
  };
}

export type AuthQueries = ReturnType<typeof createAuthQueries>;
