import type { AuthContext } from '../core/auth/context.js';
import { assertScope, requirePermission, requireSignedIn } from '../core/auth/guards.js';
import { AppError } from '../core/errors/index.js';
import { seesPrivateFieldsOf, viewerOf } from '../core/users/visibility.js';

/**
 * Keystone's session IS the AuthContext that REST builds (one AuthContext for every entry point): every list
 * rule below asks the same can(resource, action), and refuses with the same errors REST answers
 * (auth.required, auth.two_factor_required, auth.insufficient_scope, auth.forbidden). Nothing here decides
 * permissions its own way.
 */
export type Session = AuthContext;

interface AccessArgs {
  session?: Session | undefined;
}

/**
 * Keystone keeps only the message of an error thrown by an access rule, so a refusal travels as a marked
 * message that the GraphQL error formatter turns back into the AppError's code and text.
 */
export const REFUSAL_MARK = 'heimdall-refusal:';

export function refusalFrom(message: string): AppError | undefined {
  const at = message.indexOf(REFUSAL_MARK);
  if (at < 0) return undefined;
  try {
    const {
      code,
      status,
      message: text,
      details,
    } = JSON.parse(message.slice(at + REFUSAL_MARK.length).split('\n')[0]!);
    return new AppError(code, status, text, details);
  } catch {
    return undefined;
  }
}

function refusing<A extends unknown[], R>(rule: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return rule(...args);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const { code, status, message, details } = err;
      throw new Error(REFUSAL_MARK + JSON.stringify({ code, status, message, details }));
    }
  };
}

/** The caller may do resource:action (credential, 2FA, scope and permission), or the operation fails. */
export const can = (resource: string, action: string) =>
  refusing(({ session }: AccessArgs): boolean => {
    requireSignedIn(session);
    requirePermission(session, resource, action);
    return true;
  });

/** Any credential; the list's row filter then decides which rows. */
export const signedIn = refusing(({ session }: AccessArgs): boolean => {
  requireSignedIn(session);
  return true;
});

/**
 * A row filter for "everything with resource:action, else only my own rows" (ownerField: the relationship path
 * to the owning User, e.g. `user` or `apiKey.user`; `id` for the User list itself). Own rows still need the
 * scope (a key scoped to gps:read must not read its owner's API keys), as REST's self-service does.
 */
export const allOrOwn = (resource: string, action: string, ownerField: string) =>
  refusing(({ session }: AccessArgs): boolean | Record<string, unknown> => {
    requireSignedIn(session);
    if (session.can(resource, action)) return true;
    if (!session.user) requirePermission(session, resource, action); // a system key without it: refused
    assertScope(session, resource, action);
    return ownedBy(ownerField, session.user!.id);
  });

/** The catalogue's resource:read/write/delete permissions, as Keystone's per-operation rules. */
export const byPermission = (resource: string) => ({
  query: can(resource, 'read'),
  create: can(resource, 'write'),
  update: can(resource, 'write'),
  delete: can(resource, 'delete'),
});

/** As byPermission, except that rows of your own (`ownerField`) are readable without resource:read. */
export const ownOrByPermission = (resource: string, ownerField: string) => ({
  operation: { ...byPermission(resource), query: signedIn },
  filter: { query: allOrOwn(resource, 'read', ownerField) },
});

/** `user` → { user: { id: { equals } } }; `apiKey.user` → { apiKey: { user: { id: { equals } } } }; `id` → self. */
export function ownedBy(path: string, userId: string): Record<string, unknown> {
  if (path === 'id') return { id: { equals: userId } };
  return path
    .split('.')
    .reverse()
    .reduce<Record<string, unknown>>((inner, field) => ({ [field]: inner }), { id: { equals: userId } });
}

/**
 * Lists whose changes have side effects in the shared services (audit events, cache invalidation, escalation
 * guards) are served read-only until their mutations run through those services.
 */
/**
 * Access for a list only the services write: any credential may query, and sees the rows `allOrOwn(resource,
 * 'read', ownerField)` lets through; nothing is created, changed or deleted through Keystone.
 */
export const readOwnOrAll = (resource: string, ownerField: string) => ({
  operation: { query: signedIn, create: () => false, update: () => false, delete: () => false },
  filter: { query: allOrOwn(resource, 'read', ownerField) },
});

export const READ_ONLY = { omit: { create: true, update: true, delete: true } } as const;

/**
 * Lists keyed by a name the caller chooses (Setting, Platform): Keystone's `string` id has no create input,
 * so their create is a Heimdall mutation taking the id (keystone/graphql/mutations/named-rows.ts); update and
 * delete stay.
 */
export const NAMED_ROWS = { omit: { create: true } } as const;

interface PrivacyModeLookup {
  prisma: { user: { findUnique(args: object): Promise<{ privacyMode: boolean } | null> } };
}

/**
 * Read access for a field privacy mode withholds (core/users/visibility.ts): `ownerOf` names the person an item
 * belongs to. A viewer who may not see it reads null; the person's privacy mode is looked up only for such a
 * viewer (the list rules let few through).
 */
export const privateField = (ownerOf: (item: Record<string, unknown>) => unknown) => ({
  read: {
    item: async (args: {
      session?: Session | undefined;
      item: object;
      context: unknown;
    }): Promise<boolean> => {
      if (!args.session) return false;
      const userId = String(ownerOf(args.item as Record<string, unknown>));
      const { prisma } = args.context as PrivacyModeLookup;
      return seesPrivateFieldsOf(viewerOf(args.session), userId, async () => {
        const user = await prisma.user.findUnique({ where: { id: userId }, select: { privacyMode: true } });
        return user?.privacyMode ?? true;
      });
    },
    // Filters and sorts run over rows the list rules let through: a viewer without users:read has only their own.
    filter: () => true,
    order: () => true,
  },
});
