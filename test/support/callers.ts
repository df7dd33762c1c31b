import type { Knex } from 'knex';
import { createKey, createUser } from './fixtures.js';

/**
 * The kinds of caller both authorization matrices (REST and GraphQL) run every operation as: anonymous; a user
 * with each seeded role (2FA done) calling with a user-owned key of role API Full Access and scope * (so the key
 * is capped by its owner); a moderator who has not completed 2FA; system keys with API Full Access / API Read
 * Only; read-only with only the users:read scope; full access with only gps:read; expired, inactive and revoked.
 */
export const CALLERS = [
  'anon',
  'super',
  'admin',
  'mod',
  'user',
  'dev',
  'mod-2fa',
  'full',
  'ro',
  'ro-users',
  'full-gps',
  'expired',
  'inactive',
  'revoked',
] as const;
export type Caller = (typeof CALLERS)[number];

/** One key per caller (undefined for anon), and the user id behind each user caller. */
export async function createCallers(db: Knex): Promise<{
  keys: Record<Caller, string | undefined>;
  userIds: Partial<Record<Caller, string>>;
}> {
  const keys = { anon: undefined } as Record<Caller, string | undefined>;
  const userIds: Partial<Record<Caller, string>> = {};
  const userKey = async (caller: Caller, roleId: string, twoFactor = true) => {
    const userId = await createUser(db, { roleIds: [roleId], twoFactor });
    userIds[caller] = userId;
    keys[caller] = (await createKey(db, { userId, roleIds: ['role_api_full_access'], scopes: ['*'] })).key;
  };
  await userKey('super', 'role_super_admin');
  await userKey('admin', 'role_admin');
  await userKey('mod', 'role_moderator');
  await userKey('user', 'role_user');
  await userKey('dev', 'role_developer');
  await userKey('mod-2fa', 'role_moderator', false);
  keys.full = (await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
  keys.ro = (await createKey(db, { roleIds: ['role_api_read_only'] })).key;
  keys['ro-users'] = (await createKey(db, { roleIds: ['role_api_read_only'], scopes: ['users:read'] })).key;
  keys['full-gps'] = (await createKey(db, { roleIds: ['role_api_full_access'], scopes: ['gps:read'] })).key;
  keys.expired = (
    await createKey(db, { roleIds: ['role_api_full_access'], expiresAt: new Date(Date.now() - 60_000) })
  ).key;
  keys.inactive = (await createKey(db, { roleIds: ['role_api_full_access'], isActive: false })).key;
  const revoked = await createKey(db, { roleIds: ['role_api_full_access'] });
  keys.revoked = revoked.key;
  await db('ApiKey').where({ id: revoked.id }).delete();
  return { keys, userIds };
}
