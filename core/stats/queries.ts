import type { Knex } from 'knex';

export interface PrimaryCounts {
  users: number;
  new_users: number;
  active_sessions: number;
  required_2fa_users: number;
  required_2fa_enabled: number;
  enabled_2fa_users: number;
  active_api_keys: number;
  active_oauth_clients: number;
}

/**
 * The dashboard's counts of the primary database, in one statement. Each is an index or small-table count:
 * new users walk (created_at, id), active sessions Session(expires), 2FA the UserTwoFactor primary key.
 */
export function createStatsQueries(db: Knex) {
  return {
    async counts(since: Date): Promise<PrimaryCounts> {
      const { rows } = await db.raw<{ rows: Record<keyof PrimaryCounts, string>[] }>(
        `WITH required AS (
           SELECT u.id FROM "User" u
            WHERE u.deleted_at IS NULL
              AND EXISTS (SELECT 1 FROM "UserRole" ur JOIN "Role" r ON r.id = ur.role_id
                           WHERE ur.user_id = u.id AND r.requires_two_factor))
         SELECT
           (SELECT count(*) FROM "User" WHERE deleted_at IS NULL) AS users,
           (SELECT count(*) FROM "User" WHERE deleted_at IS NULL AND created_at >= ?) AS new_users,
           (SELECT count(*) FROM "Session" WHERE expires > now()) AS active_sessions,
           (SELECT count(*) FROM required) AS required_2fa_users,
           (SELECT count(*) FROM required JOIN "UserTwoFactor" t ON t.user_id = required.id AND t.enabled)
             AS required_2fa_enabled,
           (SELECT count(*) FROM "UserTwoFactor" t JOIN "User" u ON u.id = t.user_id
             WHERE t.enabled AND u.deleted_at IS NULL) AS enabled_2fa_users,
           (SELECT count(*) FROM "ApiKey" WHERE is_active AND (expires_at IS NULL OR expires_at > now()))
             AS active_api_keys,
           (SELECT count(*) FROM "OAuthClient" WHERE is_active) AS active_oauth_clients`,
        [since],
      );
      const row = rows[0]!;
      return Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, Number(v)]),
      ) as unknown as PrimaryCounts;
    },
  };
}
