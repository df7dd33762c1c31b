import { requireSignedIn } from '../../../core/auth/guards.js';
import type { Actor } from '../../../core/shared/actor.js';
import type { Session } from '../../access.js';
import { actorFrom } from '../../session.js';
import type { Builder, ExtensionServices } from '../builder.js';

/** What each mutation module gets: the schema builder and the services REST calls too. */
export interface MutationModule {
  (builder: Builder, services: () => ExtensionServices): void;
}

export type Item = { id: string };
export type ListKey = 'User' | 'Role' | 'Permission' | 'ApiKey' | 'Setting' | 'Platform' | 'OAuthClient';

/**
 * A Keystone list's item type, declared by name with its id only: a mutation can answer one, and the merged
 * schema resolves its other fields with Keystone's own resolvers (the value is the row). Each name once.
 */
export const itemRef = (builder: Builder, name: ListKey) =>
  builder.objectRef<Item>(name).implement({ fields: (t) => ({ id: t.exposeID('id') }) });

/** The item read back through Keystone under the caller's own access rules (null when they may not see it). */
export const readBack = (context: unknown, list: ListKey, id: string): Promise<Item | null> =>
  (context as { db: Record<ListKey, { findOne(a: { where: { id: string } }): Promise<Item | null> }> }).db[
    list
  ].findOne({ where: { id } });

/** The caller as the services need it: AuthContext plus the request's address and user agent (audit). */
export function actorOf(session: Session | undefined): Actor {
  requireSignedIn(session);
  return actorFrom(session);
}
