import { createAuthContext, type AuthContext } from '../auth/context.js';
import type { AuthQueries } from '../auth/queries.js';
import { createSubjectLoader, refused, userCredentialData } from '../auth/subjects.js';
import { apiScopes } from '../tokens/access-tokens.js';

/**
 * Privacy mode, decided here once for REST, GraphQL and Heimdall ID's claims. A person who turns it on keeps
 * their email address, their picture and their activity (when and with which account they last signed in) from
 * every viewer who is neither the person nor entitled to read every user (`users:read`): other people, and apps
 * that are not first-party.
 */

/** Who looks at a person: who they are, if a person, and whether they may read every user. */
export interface Viewer {
  userId: string | null;
  readsAllUsers: boolean;
}

/** A caller of REST or GraphQL, as a viewer. */
export const viewerOf = (auth: AuthContext): Viewer => ({
  userId: auth.user?.id ?? null,
  readsAllUsers: auth.can('users', 'read'),
});

/** The person themselves (the account pages, for instance). */
export const selfViewer = (userId: string): Viewer => ({ userId, readsAllUsers: false });

/** The fields privacy mode withholds, by the names REST gives them. */
export const PRIVATE_FIELDS = ['email', 'avatar_url', 'last_login_at'] as const;

/** The viewer sees everything of the person `subjectId`, whether or not privacy mode is on. */
export const seesRegardless = (viewer: Viewer, subjectId: string): boolean =>
  viewer.readsAllUsers || viewer.userId === subjectId;

/** The viewer sees the person's private fields. */
export const seesPrivateFields = (viewer: Viewer, subject: { id: string; privacy_mode: boolean }): boolean =>
  !subject.privacy_mode || seesRegardless(viewer, subject.id);

/**
 * As `seesPrivateFields`, for a caller that holds only the person's id: `privacyMode` is asked only when the
 * viewer is not entitled anyway (GraphQL field rules read it per item).
 */
export async function seesPrivateFieldsOf(
  viewer: Viewer,
  subjectId: string,
  privacyMode: () => Promise<boolean>,
): Promise<boolean> {
  if (seesRegardless(viewer, subjectId)) return true;
  return seesPrivateFields(viewer, { id: subjectId, privacy_mode: await privacyMode() });
}

/** The person as the viewer may see them: the private fields it holds are null when withheld. */
export function visibleProfile<T extends { id: string; privacy_mode: boolean }>(
  viewer: Viewer,
  subject: T,
): T {
  if (seesPrivateFields(viewer, subject)) return subject;
  const masked: Record<string, unknown> = { ...subject };
  for (const field of PRIVATE_FIELDS) {
    if (field in masked) masked[field] = null;
  }
  return masked as T;
}

/** As `visibleProfile`, for a viewer that costs a lookup: it is looked up only for a person in privacy mode. */
export async function visibleProfileTo<T extends { id: string; privacy_mode: boolean }>(
  viewer: () => Promise<Viewer>,
  subject: T,
): Promise<T> {
  return subject.privacy_mode ? visibleProfile(await viewer(), subject) : subject;
}

/**
 * An OAuth client, as a viewer of the people who sign in to it. A first-party client is Heimdall's own and sees
 * everything. Any other client reads every user only as its client-credentials token would: its owner holds
 * `users:read` and the client registered an API scope that covers it (`api`, `users:read`, …). Signing in to an
 * app does not make the app the person: it is another party.
 */
export function createClientViewers(queries: AuthQueries) {
  const subjects = createSubjectLoader(queries);
  return async (client: { clientId: string; firstParty: boolean; apiScopes: string[] }): Promise<Viewer> => {
    if (client.firstParty) return { userId: null, readsAllUsers: true };
    const row = await queries.findOAuthClient(client.clientId);
    const owner = row?.user_id ? await subjects.user(row.user_id) : undefined;
    if (!owner || refused(owner)) return { userId: null, readsAllUsers: false };
    const auth = createAuthContext({
      ...userCredentialData(owner, owner.twoFactorEnabled),
      scopes: apiScopes(client.apiScopes),
    });
    return { userId: null, readsAllUsers: auth.can('users', 'read') };
  };
}

export type ClientViewers = ReturnType<typeof createClientViewers>;
