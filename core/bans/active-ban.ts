/**
 * The one definition of "a ban applies now" (UserBan aliased `b`): open (not lifted) and not run out. Used by the
 * user lists, credential resolution and the last-super-admin count, which must agree on who is banned.
 *
 * It lives below users, auth and rbac (it imports nothing) so that each of them can use it without depending on
 * another: users already depends on auth and rbac, so the predicate inside users made both relations cycles.
 */
export const ACTIVE_BAN = `b.lifted_at IS NULL AND (b.expires_at IS NULL OR b.expires_at > now())`;
