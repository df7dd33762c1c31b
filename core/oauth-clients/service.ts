import type { Knex } from 'knex';
import type { z } from 'zod';
import type {
  createOAuthClientBody,
  OAuthClientRow,
  updateOAuthClientBody,
} from '../../schemas/oauth-clients.js';
import type { AuditLogger } from '../audit/index.js';
import type { AuthContext } from '../auth/context.js';
import { requirePermission } from '../auth/guards.js';
import { hashSecret, randomSecret } from '../auth/secret-token.js';
import { AppError, notFound } from '../errors/index.js';
import { auditMeta, type Actor } from '../shared/actor.js';

/** Client secrets are issued and stored like API keys (seed 004: hashed): see core/auth/secret-token.ts. */
const newSecret = () => randomSecret('hcs_');
const newClientId = () => randomSecret('hc_', 12);

const NOT_FOUND = () => notFound('oauth_client.not_found', 'No OAuth client with this id.');

/**
 * OAuth clients (seed 004 `oauth_clients:*`): a Developer manages their own, `oauth_clients:read/update/delete`
 * reach everyone's. The secret is shown once, at creation and regeneration. GraphQL uses this service now; the
 * OIDC issue's REST routes and provider use the same one.
 */
export function createOAuthClientService(deps: { db: Knex; audit: AuditLogger }) {
  const record = (
    event: 'client_created' | 'client_updated' | 'client_deleted' | 'client_secret_regenerated',
    actor: Actor,
    row: OAuthClientRow,
    metadata: Record<string, unknown> = {},
  ) =>
    deps.audit.record({
      event_type: event,
      user_id: row.user_id ?? undefined,
      resource_type: 'oauth_client',
      resource_id: row.id,
      metadata: { client_id: row.client_id, name: row.name, ...metadata },
      ...auditMeta(actor),
    });

  /**
   * The rule of issue 6: a Developer (oauth_clients:*) manages their own clients, an administrator everyone's.
   * 404 when the caller may not see the client; 403 when they see it but may not change it.
   */
  async function load(auth: AuthContext, id: string, action: 'update' | 'delete'): Promise<OAuthClientRow> {
    const row = await deps.db<OAuthClientRow>('OAuthClient').where({ id }).first();
    if (!row) throw NOT_FOUND();
    const own = auth.user !== null && row.user_id === auth.user.id;
    if (!own && !auth.can('oauth_clients', 'read')) throw NOT_FOUND();
    requirePermission(auth, 'oauth_clients', action);
    if (!own && !auth.isSuperAdmin) {
      throw new AppError('auth.forbidden', 403, 'Only administrators change other people’s OAuth clients.');
    }
    return row;
  }

  return {
    async create(actor: Actor, input: z.output<typeof createOAuthClientBody>) {
      const { auth } = actor;
      requirePermission(auth, 'oauth_clients', 'create');
      const ownerId = input.user_id === undefined ? (auth.user?.id ?? null) : input.user_id;
      if (ownerId !== (auth.user?.id ?? null) && !auth.can('oauth_clients', 'update')) {
        throw new AppError(
          'auth.forbidden',
          403,
          'You need oauth_clients:update to create clients for others.',
          {
            required: 'oauth_clients:update',
          },
        );
      }
      const secret = input.token_endpoint_auth_method === 'none' ? null : newSecret();
      const [row] = await deps
        .db<OAuthClientRow>('OAuthClient')
        .insert({
          client_id: newClientId(),
          client_secret: secret && hashSecret(secret),
          name: input.name,
          description: input.description ?? null,
          logo_url: input.logo_url ?? null,
          redirect_uris: input.redirect_uris,
          post_logout_redirect_uris: input.post_logout_redirect_uris,
          backchannel_logout_uri: input.backchannel_logout_uri ?? null,
          grant_types: input.grant_types,
          scopes: input.scopes,
          token_endpoint_auth_method: input.token_endpoint_auth_method,
          is_active: input.is_active,
          user_id: ownerId,
        } as never)
        .returning(['id', 'client_id', 'name', 'user_id', 'token_endpoint_auth_method']);
      record('client_created', actor, row!, {
        redirect_uris: input.redirect_uris,
        grant_types: input.grant_types,
      });
      return { row: row!, clientSecret: secret };
    },

    async update(actor: Actor, id: string, input: z.output<typeof updateOAuthClientBody>) {
      const row = await load(actor.auth, id, 'update');
      await deps.db('OAuthClient').where({ id }).update(input);
      record('client_updated', actor, row, { changed: Object.keys(input) });
      return row;
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const row = await load(actor.auth, id, 'delete');
      await deps.db('OAuthClient').where({ id }).delete();
      record('client_deleted', actor, row);
    },

    async regenerateSecret(actor: Actor, id: string) {
      const row = await load(actor.auth, id, 'update');
      if (row.token_endpoint_auth_method === 'none') {
        throw new AppError('oauth_client.public', 409, 'A public client has no secret.');
      }
      const secret = newSecret();
      await deps
        .db('OAuthClient')
        .where({ id })
        .update({ client_secret: hashSecret(secret) });
      record('client_secret_regenerated', actor, row);
      return { row, clientSecret: secret };
    },
  };
}

export type OAuthClientService = ReturnType<typeof createOAuthClientService>;
