import type { Knex } from 'knex';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope, requireUserId } from '../auth/guards.js';
import { notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { revokeUserGrants, type GrantsRevoked } from '../tokens/grants.js';

/**
 * Connected apps (the OAuthConsent rows): the apps a person has let in. Disconnecting one
 * deletes the consent AND every grant the app holds for them — with it its refresh tokens, codes and stored
 * access tokens, and the API refuses its JWT access tokens at once (they name their grant).
 */
export interface ConnectedApp {
  id: string;
  client_id: string;
  name: string;
  description: string | null;
  logo_url: string | null;
  scopes: string[];
  created_at: Date;
  updated_at: Date;
}

const NOT_FOUND = () => notFound('connected_app.not_found', 'No connected app with this id.');

export function createConnectedAppService(deps: {
  db: Knex;
  audit: AuditLogger;
  onGrantsRevoked: GrantsRevoked;
}) {
  const { db } = deps;
  const audit = auditRecorder<'consent_revoked'>(deps.audit);

  const revokeGrants = (userId: string, clientId: string) =>
    revokeUserGrants(db, deps.onGrantsRevoked, userId, clientId);

  const apps = (userId: string) =>
    db('OAuthConsent as c')
      .join('OAuthClient as o', 'o.id', 'c.client_id')
      .where('c.user_id', userId)
      .orderBy('c.updated_at', 'desc')
      .select<ConnectedApp[]>(
        'c.id',
        'o.client_id',
        'o.name',
        'o.description',
        'o.logo_url',
        'c.scopes',
        'c.created_at',
        'c.updated_at',
      );

  async function disconnect(actor: Actor, userId: string, app: ConnectedApp): Promise<void> {
    await db('OAuthConsent').where({ id: app.id }).delete();
    const grants = await revokeGrants(userId, app.client_id);
    audit.record('consent_revoked', actor, {
      user_id: userId,
      resource_type: 'oauth_client',
      resource_id: app.client_id,
      metadata: { client_id: app.client_id, name: app.name, scopes: app.scopes, grants_revoked: grants },
    });
  }

  const owner = (auth: AuthContext, action: 'read' | 'write') => {
    const userId = requireUserId(auth);
    assertScope(auth, 'users', action);
    return userId;
  };

  return {
    list: (auth: AuthContext) => apps(owner(auth, 'read')),

    async revoke(actor: Actor, id: string): Promise<void> {
      const userId = owner(actor.auth, 'write');
      const app = (await apps(userId)).find((a) => a.id === id);
      if (!app) throw NOT_FOUND();
      await disconnect(actor, userId, app);
    },

    async revokeAll(actor: Actor): Promise<number> {
      const userId = owner(actor.auth, 'write');
      const all = await apps(userId);
      for (const app of all) await disconnect(actor, userId, app);
      return all.length;
    },
  };
}

export type ConnectedAppService = ReturnType<typeof createConnectedAppService>;
