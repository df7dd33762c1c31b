import type { Knex } from 'knex';
import type { Account, Client, FindAccount } from 'oidc-provider';
import { prepared } from '../core/db/prepared.js';
import { ACTIVE_BAN } from '../core/bans/active-ban.js';
import { selfViewer, visibleProfileTo, type Viewer } from '../core/users/visibility.js';

/**
 * Claims about a user: `sub` is the User id; profile and email come from the primary
 * PlatformAccount, except the picture the person uploaded (UserAvatar), which wins over the account's; the `roles` scope adds role names and ids. Deleted and banned users have no account as far
 * as the provider is concerned, so their sessions and refresh tokens stop producing tokens.
 */
export const CLAIMS = {
  openid: ['sub'],
  profile: ['preferred_username', 'name', 'picture', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  roles: ['roles', 'role_ids'],
};

interface AccountRow {
  id: string;
  username: string;
  preferred_locale: string | null;
  privacy_mode: boolean;
  updated_at: Date;
  display_name: string | null;
  email: string | null;
  avatar_url: string | null;
  email_verified_at: Date | null;
  platform_id: string | null;
}

/** Prepared statements: every sign-in, token and userinfo request reads the account. */
const FIND_USER = prepared<AccountRow>(
  `SELECT u.id, u.username, u.preferred_locale, u.privacy_mode, u.updated_at, coalesce(pa.display_name, pa.username) AS display_name, pa.email,
          coalesce(ua.url, pa.avatar_url) AS avatar_url, pa.email_verified_at, pa.platform_id
     FROM "User" u LEFT JOIN "PlatformAccount" pa ON pa.id = u.primary_platform_account_id
     LEFT JOIN "UserAvatar" ua ON ua.user_id = u.id
    WHERE u.id = $1 AND u.deleted_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM "UserBan" b WHERE b.user_id = u.id AND ${ACTIVE_BAN})
    LIMIT 1`,
);
const ROLES = prepared<{ id: string; name: string }>(
  `SELECT r.id, r.name FROM "UserRole" ur JOIN "Role" r ON r.id = ur.role_id WHERE ur.user_id = $1 ORDER BY r.id`,
);

/** The app a claim goes to, as a viewer of the person (provider.ts knows first-party clients and API scopes). */
export type AppViewer = (client: Client) => Promise<Viewer>;

export function createFindAccount(db: Knex, appViewer?: AppViewer): FindAccount {
  return async (ctx, sub) => {
    if (!/^[0-9a-f-]{36}$/i.test(sub)) return undefined;
    const [row] = (await FIND_USER(db, [sub])).rows;
    if (!row) return undefined;
    const account: Account = {
      accountId: row.id,
      async claims(_use, scope) {
        const scopes = new Set(scope.split(' '));
        const client = ctx?.oidc?.client;
        const shown = await visibleProfileTo(
          async () => (client && appViewer ? appViewer(client) : selfViewer(row.id)),
          row,
        );
        const claims: Record<string, unknown> = { sub: row.id };
        if (scopes.has('profile')) {
          Object.assign(claims, {
            preferred_username: row.username,
            name: row.display_name ?? row.username,
            ...(shown.avatar_url ? { picture: shown.avatar_url } : {}),
            locale: row.preferred_locale ?? 'en',
            updated_at: Math.floor(row.updated_at.getTime() / 1000),
          });
        }
        if (scopes.has('email') && shown.email) {
          // Verified: the person confirmed the address with us, or the provider said it checked it.
          Object.assign(claims, { email: shown.email, email_verified: row.email_verified_at !== null });
        }
        if (scopes.has('roles')) {
          const { rows: roles } = await ROLES(db, [row.id]);
          Object.assign(claims, { roles: roles.map((r) => r.name), role_ids: roles.map((r) => r.id) });
        }
        return claims as { sub: string };
      },
    };
    return account;
  };
}
