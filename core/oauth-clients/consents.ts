import type { Knex } from 'knex';

/**
 * OAuthConsent: the scopes a user has granted a client. Recorded by the consent
 * page; a later sign-in asking for the same or fewer scopes skips the page. Clients are named by their public
 * client_id here, as the provider knows them.
 */
export function createConsentStore(db: Knex) {
  const clientRowId = (clientId: string) => db('OAuthClient').where({ client_id: clientId }).select('id');

  return {
    async scopes(userId: string, clientId: string): Promise<string[]> {
      const row = await db('OAuthConsent')
        .where({ user_id: userId })
        .whereIn('client_id', clientRowId(clientId))
        .first<{ scopes: string[] } | undefined>('scopes');
      return row?.scopes ?? [];
    },

    /** Adds scopes to the user's consent for the client (creating it); answers the full set now granted. */
    async grant(userId: string, clientId: string, scopes: readonly string[]): Promise<string[]> {
      const rows = await db.raw<{ rows: { scopes: string[] }[] }>(
        `INSERT INTO "OAuthConsent" (user_id, client_id, scopes)
           SELECT ?, c.id, ?::text[] FROM "OAuthClient" c WHERE c.client_id = ?
         ON CONFLICT (user_id, client_id) DO UPDATE
           SET scopes = ARRAY(SELECT DISTINCT s FROM unnest("OAuthConsent".scopes || EXCLUDED.scopes) s ORDER BY s)
         RETURNING scopes`,
        [userId, [...new Set(scopes)].sort(), clientId],
      );
      return rows.rows[0]?.scopes ?? [];
    },
  };
}

export type ConsentStore = ReturnType<typeof createConsentStore>;
