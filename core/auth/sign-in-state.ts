import { ACTIVE_BAN } from '../bans/active-ban.js';

/**
 * What the next step of a sign-in depends on, for the PlatformAccount `pa` someone signs in with: whether its
 * user is deleted or banned, has 2FA on (a code is asked for), or holds a role that requires it (it is set up
 * first). One definition for every way in (a password, an upstream provider), so they refuse and ask alike.
 */
export const SIGN_IN_STATE_COLUMNS = `u.deleted_at, b.id AS ban_id, b.expires_at AS banned_until,
          coalesce(tf.enabled, false) AS two_factor_enabled,
          exists(SELECT 1 FROM "UserRole" ur JOIN "Role" r ON r.id = ur.role_id
                  WHERE ur.user_id = u.id AND r.requires_two_factor) AS two_factor_required`;

export const SIGN_IN_STATE_JOINS = `JOIN "User" u ON u.id = pa.user_id
     LEFT JOIN "UserBan" b ON b.user_id = u.id AND ${ACTIVE_BAN}
     LEFT JOIN "UserTwoFactor" tf ON tf.user_id = u.id`;

/** The columns SIGN_IN_STATE_COLUMNS reads. */
export interface SignInState {
  deleted_at: Date | null;
  ban_id: string | null;
  banned_until: Date | null;
  two_factor_enabled: boolean;
  two_factor_required: boolean;
}
