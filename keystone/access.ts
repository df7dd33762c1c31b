import type { AuthContext } from '../core/auth/context.js';

/**
 * Keystone's session IS the AuthContext that REST builds (ARCHITECTURE.md, "Auth in one place"): every list
 * rule below asks the same can(resource, action). Nothing here decides permissions its own way.
 */
export type Session = AuthContext;

interface AccessArgs {
  session?: Session | undefined;
}

/** The full decision (not blocked by 2FA, scope AND permission). */
export const can =
  (resource: string, action: string) =>
  ({ session }: AccessArgs): boolean =>
    session?.can(resource, action) ?? false;

/** Anyone holding any credential (row filters then narrow what they see). */
export const signedIn = ({ session }: AccessArgs): boolean =>
  !!session && !session.isAnonymous && !session.blockedByTwoFactor;

export const nobody = (): boolean => false;

/**
 * A row filter for "everything with resource:action, else only my own rows" (ownerField: the relationship path
 * to the owning User, e.g. `user` or `apiKey.user`; `id` for the User list itself). Own rows still need the scope
 * (a key scoped to gps:read must not read its owner's API keys), as REST's self-service does.
 */
export const allOrOwn =
  (resource: string, action: string, ownerField: string, ownScope = `${resource}:${action}`) =>
  ({ session }: AccessArgs): boolean | Record<string, unknown> => {
    if (!session || session.blockedByTwoFactor) return false;
    if (session.can(resource, action)) return true;
    if (!session.user || !session.hasScope(ownScope)) return false;
    return ownedBy(ownerField, session.user.id);
  };

/** `user` → { user: { id: { equals } } }; `apiKey.user` → { apiKey: { user: { id: { equals } } } }; `id` → self. */
export function ownedBy(path: string, userId: string): Record<string, unknown> {
  if (path === 'id') return { id: { equals: userId } };
  return path
    .split('.')
    .reverse()
    .reduce<Record<string, unknown>>((inner, field) => ({ [field]: inner }), { id: { equals: userId } });
}
