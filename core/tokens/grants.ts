import type { Knex } from 'knex';
import { prepared } from '../db/prepared.js';

/**
 * Grants as the OpenID provider stores them ("OidcPayload", model Grant): deleting one deletes everything issued
 * within it (codes, refresh tokens, stored access tokens, device codes), and the API refuses the JWT access
 * tokens that name it. Used by reuse detection in the adapter, connected apps and password resets alike.
 */

/**
 * An "OidcPayload" row counts while it has no expiry or has not reached it; the scheduler deletes the others
 * later (`deleteExpiredOidcRows`). SQL, for the statements that read rows (the adapter's, the grant check).
 */
export const LIVE_OIDC_ROW = '(expires_at IS NULL OR expires_at > now())';

const GRANT_ALIVE = prepared(
  `SELECT 1 FROM "OidcPayload" WHERE model = 'Grant' AND id = $1 AND ${LIVE_OIDC_ROW}`,
);

/**
 * Whether a grant still stands (neither revoked nor expired). Every API request with a JWT access token asks,
 * so it is a prepared statement.
 */
export async function grantAlive(db: Knex, grantId: string): Promise<boolean> {
  return (await GRANT_ALIVE(db, [grantId])).rowCount > 0;
}

/**
 * Tells every node that grants were revoked (an auth-cache `grants_revoked` event), so that open connections
 * holding their access tokens (realtime, GraphQL over WebSocket) check them again and close. Every path that
 * deletes grants calls it: oidc-provider's own revocations reach it through its `grant.revoked` event.
 */
export type GrantsRevoked = (userId: string | null) => void;

/**
 * Deletes these grants with everything issued within them, then tells `notify` (with whose they were, when known)
 * if there were any: every deletion of grants is heard, whichever path made it.
 */
export async function deleteGrants(
  db: Knex,
  grantIds: readonly string[],
  notify: GrantsRevoked | undefined,
  userId: string | null = null,
): Promise<void> {
  if (grantIds.length === 0) return;
  await db('OidcPayload')
    .whereIn('grant_id', grantIds)
    .orWhere((q) => q.where({ model: 'Grant' }).whereIn('id', grantIds))
    .delete();
  notify?.(userId);
}

/**
 * Deletes the grants (and everything issued within them: codes, refresh tokens, stored access tokens) a user
 * gave one client, or every client when `clientId` is omitted (after a password reset), and tells `notify`
 * when there were any. Answers how many.
 */
export async function revokeUserGrants(
  db: Knex,
  notify: GrantsRevoked,
  userId: string,
  clientId?: string,
): Promise<number> {
  const grants = await db('OidcPayload')
    .where({ model: 'Grant' })
    .whereRaw(`payload->>'accountId' = ?`, [userId])
    .modify((q) => {
      if (clientId) q.whereRaw(`payload->>'clientId' = ?`, [clientId]);
    })
    .pluck<string[]>('id');
  await deleteGrants(db, grants, notify, userId);
  return grants.length;
}
