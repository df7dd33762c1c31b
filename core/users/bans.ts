/**
 * The one definition of "a ban applies now" (UserBan aliased `b`): open (not lifted) and not run out. Used by the
 * user lists, credential resolution and the last-super-admin count, which must agree on who is banned.
 */
export const ACTIVE_BAN = `b.lifted_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > now())`;
