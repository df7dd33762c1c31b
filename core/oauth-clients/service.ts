import type { Knex } from 'knex';
import type { z } from 'zod';
import type {
  createOAuthClientBody,
  listOAuthClientsQuery,
  OAuthClientRecord,
  OAuthClientRow,
  updateOAuthClientBody,
} from '../../schemas/oauth-clients.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder, type Origin } from '../audit/recorder.js';
import type { AuthContext } from '../auth/context.js';
import { assertScope, requirePermission } from '../auth/guards.js';
import { hashSecret, randomSecret } from '../auth/secret-token.js';
import { AppError, notFound } from '../errors/index.js';
import { createOutboundTargetRule, type OutboundTargetRule } from './outbound-target.js';
import type { Actor } from '../shared/actor.js';
import { paginate } from '../shared/pagination.js';
import { isoDates } from '../shared/serialize.js';

/** Client secrets are issued and stored like API keys (hashed): see core/auth/secret-token.ts. */
const newSecret = () => randomSecret('hcs_');
const newClientId = () => randomSecret('hc_', 12);

const NOT_FOUND = () => notFound('oauth_client.not_found', 'No OAuth client with this id.');

/** Every column but client_secret: not even the hash leaves the service. */
const COLUMNS = [
  'id',
  'client_id',
  'name',
  'description',
  'logo_url',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'grant_types',
  'scopes',
  'token_endpoint_auth_method',
  'is_first_party',
  'is_active',
  'user_id',
  'created_at',
  'updated_at',
] as const;

type CreateInput = z.output<typeof createOAuthClientBody>;
type UpdateInput = z.output<typeof updateOAuthClientBody>;
type ListInput = z.output<typeof listOAuthClientsQuery>;

const toRecord = (row: OAuthClientRow): OAuthClientRecord => isoDates(row);

/** First-party clients skip consent: only super admins mark one (schemas/oauth-clients.ts). */
function assertMayMarkFirstParty(auth: AuthContext): void {
  if (auth.isSuperAdmin) return;
  throw new AppError('auth.forbidden', 403, 'Only super admins mark a client as first-party.', {
    field: 'is_first_party',
  });
}

/** The create body's cross-field rules, for the client a change would leave behind. */
function assertConsistent(
  client: Pick<OAuthClientRow, 'grant_types' | 'redirect_uris' | 'token_endpoint_auth_method'>,
) {
  if (client.grant_types.includes('authorization_code') && client.redirect_uris.length === 0) {
    throw new AppError(
      'oauth_client.inconsistent',
      409,
      'The authorization code grant needs at least one redirect URI.',
      {
        field: 'redirect_uris',
      },
    );
  }
  if (client.token_endpoint_auth_method === 'none' && client.grant_types.includes('client_credentials')) {
    throw new AppError(
      'oauth_client.inconsistent',
      409,
      'A public client (no secret) cannot use the client credentials grant.',
      {
        field: 'grant_types',
      },
    );
  }
}

/**
 * OAuth clients (permissions `oauth_clients:*`): a Developer manages their own, `oauth_clients:read` shows
 * everyone's, and only administrators (super admins) change or create other people's. The secret is shown once,
 * at creation and regeneration, and stored hashed. REST (`/v1/oauth-clients`) and GraphQL both use this service.
 */
/** What a first-party client's owner may not change on their own (see update). */
const SECURITY_FIELDS = [
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'scopes',
  'grant_types',
] as const;

export function createOAuthClientService(deps: {
  db: Knex;
  audit: AuditLogger;
  /**
   * Called after a client was changed, deleted or given a new secret, so caches of clients (the OIDC provider's
   * client adapter, oidc/clients.ts `forget`) drop it at once rather than at the end of their TTL.
   */
  onChange?: (clientId: string) => void;
  /** Where Heimdall may call a client (back-channel logout): the rule delivery follows too. Default: no exceptions. */
  outbound?: OutboundTargetRule;
}) {
  const changed = (clientId: string) => deps.onChange?.(clientId);
  const outbound = deps.outbound ?? createOutboundTargetRule([]);
  const assertCallable = (uri: string | null | undefined) => {
    const reason = uri ? outbound.refuseUri(uri) : undefined;
    if (reason) {
      throw new AppError('request.validation_failed', 400, 'The request body is not valid.', {
        fields: [{ in: 'body', field: 'backchannel_logout_uri', message: reason }],
      });
    }
  };
  const audit = auditRecorder<
    'client_created' | 'client_updated' | 'client_deleted' | 'client_secret_regenerated'
  >(deps.audit, { resource_type: 'oauth_client' });
  /** What every client event says about the client. */
  const aboutClient = (
    row: Pick<OAuthClientRow, 'id' | 'client_id' | 'name' | 'user_id'>,
    metadata: Record<string, unknown> = {},
  ) => ({
    user_id: row.user_id ?? undefined,
    resource_id: row.id,
    metadata: { client_id: row.client_id, name: row.name, ...metadata },
  });

  const find = (id: string): Promise<OAuthClientRow | undefined> =>
    deps
      .db('OAuthClient')
      .select(...COLUMNS)
      .where({ id })
      .first();

  /**
   * The ownership rule: a Developer (oauth_clients:*) manages their own clients, an administrator everyone's.
   * 404 when the caller may not see the client; 403 when they see it but may not change it. Seeing is the rule
   * of the GraphQL list (keystone/lists/oauth.ts `allOrOwn('oauth_clients', 'read', 'owner')`): the owner sees
   * their own (within their key's scopes), `oauth_clients:read` sees everyone's.
   */
  async function load(
    auth: AuthContext,
    id: string,
    action: 'read' | 'update' | 'delete',
  ): Promise<OAuthClientRow> {
    const row = await find(id);
    if (!row) throw NOT_FOUND();
    const own = auth.user !== null && row.user_id === auth.user.id;
    if (!own && !auth.can('oauth_clients', 'read')) throw NOT_FOUND();
    if (action === 'read') {
      assertScope(auth, 'oauth_clients', 'read');
      return row;
    }
    requirePermission(auth, 'oauth_clients', action);
    if (!own && !auth.isSuperAdmin) {
      throw new AppError('auth.forbidden', 403, 'Only administrators change other people’s OAuth clients.');
    }
    return row;
  }

  return {
    /**
     * The caller's own clients by default (as `GET /v1/api-keys`); `all`, or another owner's `user_id`, needs
     * oauth_clients:read — the same clients the GraphQL `oAuthClients` query shows the caller.
     */
    async list(auth: AuthContext, input: ListInput) {
      const self = auth.user?.id;
      const others = input.all === true || (input.user_id !== undefined && input.user_id !== self) || !self;
      if (others) requirePermission(auth, 'oauth_clients', 'read');
      else assertScope(auth, 'oauth_clients', 'read');
      const query = deps.db('OAuthClient').select(...COLUMNS);
      const userId = input.all === true ? undefined : (input.user_id ?? self);
      if (userId !== undefined) query.where('user_id', userId);
      if (input.is_active !== undefined) query.where('is_active', input.is_active);
      if (input.q) query.whereILike('name', `%${input.q.replace(/[\\%_]/g, '\\$&')}%`);
      const page = await paginate<OAuthClientRow>(query, input, input.sort, 'id');
      return { data: page.data.map(toRecord), pagination: page.pagination };
    },

    async get(auth: AuthContext, id: string): Promise<OAuthClientRecord> {
      return toRecord(await load(auth, id, 'read'));
    },

    async create(actor: Actor, input: CreateInput) {
      const { auth } = actor;
      requirePermission(auth, 'oauth_clients', 'create');
      assertCallable(input.backchannel_logout_uri);
      if (input.is_first_party) assertMayMarkFirstParty(auth);
      const ownerId = input.user_id === undefined ? (auth.user?.id ?? null) : input.user_id;
      if (ownerId !== (auth.user?.id ?? null)) {
        // As for changes (load): only administrators act on other people's clients, creating one included.
        if (!auth.isSuperAdmin || !auth.can('oauth_clients', 'update')) {
          throw new AppError('auth.forbidden', 403, 'Only administrators create clients for other people.', {
            required: 'oauth_clients:update',
          });
        }
      }
      if (ownerId && ownerId !== auth.user?.id) {
        const owner = await deps.db('User').where({ id: ownerId }).whereNull('deleted_at').first('id');
        if (!owner)
          throw new AppError('user.not_found', 422, 'The owner does not exist.', { unknown: [ownerId] });
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
          is_first_party: input.is_first_party,
          user_id: ownerId,
        } as never)
        .returning([...COLUMNS]);
      audit.record(
        'client_created',
        actor,
        aboutClient(row!, {
          redirect_uris: input.redirect_uris,
          grant_types: input.grant_types,
          is_first_party: input.is_first_party,
        }),
      );
      return { row: toRecord(row as OAuthClientRow), clientSecret: secret };
    },

    /** Answers the client as it is after the change. */
    async update(actor: Actor, id: string, input: UpdateInput): Promise<OAuthClientRecord> {
      const row = await load(actor.auth, id, 'update');
      assertCallable(input.backchannel_logout_uri);
      if (input.is_first_party !== undefined && input.is_first_party !== row.is_first_party) {
        assertMayMarkFirstParty(actor.auth);
      }
      // A first-party client skips consent: where it may send codes and what it may ask for is then an
      // administrator's decision, or its owner could turn it into a silent account-takeover tool.
      const locked = SECURITY_FIELDS.filter((f) => input[f] !== undefined);
      if (row.is_first_party && locked.length > 0 && !actor.auth.isSuperAdmin) {
        throw new AppError(
          'oauth_client.first_party_locked',
          403,
          'Only a super admin changes the redirect URIs, scopes or grant types of a first-party client.',
          { fields: locked },
        );
      }
      assertConsistent({ ...row, ...input });
      await deps.db('OAuthClient').where({ id }).update(input);
      changed(row.client_id);
      audit.record('client_updated', actor, aboutClient(row, { changed: Object.keys(input) }));
      return toRecord((await find(id))!);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      const row = await load(actor.auth, id, 'delete');
      await deps.db('OAuthClient').where({ id }).delete();
      changed(row.client_id);
      audit.record('client_deleted', actor, aboutClient(row));
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
      changed(row.client_id);
      audit.record('client_secret_regenerated', actor, aboutClient(row));
      return { row: toRecord((await find(id))!), clientSecret: secret };
    },

    /**
     * A client of Heimdall's own (the admin panel): public (PKCE, no secret), first-party, owned by nobody.
     * Created at start-up, or brought back to `spec` when an operator changed it or the public URL moved; the
     * platform itself is the actor (`origin`).
     */
    async provisionBuiltIn(
      origin: Origin,
      spec: Pick<
        OAuthClientRow,
        'client_id' | 'name' | 'redirect_uris' | 'post_logout_redirect_uris' | 'grant_types' | 'scopes'
      >,
    ): Promise<void> {
      const wanted = {
        ...spec,
        token_endpoint_auth_method: 'none',
        client_secret: null,
        is_first_party: true,
        is_active: true,
      };
      const current = await deps
        .db<OAuthClientRow>('OAuthClient')
        .where({ client_id: spec.client_id })
        .first();
      if (!current) {
        const [row] = await deps
          .db<OAuthClientRow>('OAuthClient')
          .insert({ ...wanted, description: 'Built in: the admin panel at /admin.' } as never)
          .onConflict('client_id')
          .ignore()
          .returning([...COLUMNS]);
        if (row)
          audit.record('client_created', origin, aboutClient(row as OAuthClientRow, { built_in: true }));
        return;
      }
      const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
        (k) => JSON.stringify(current[k as keyof OAuthClientRow] ?? null) !== JSON.stringify(wanted[k]),
      );
      if (differs.length === 0) return;
      await deps.db('OAuthClient').where({ id: current.id }).update(wanted);
      changed(current.client_id);
      audit.record('client_updated', origin, aboutClient(current, { changed: differs, built_in: true }));
    },
  };
}

export type OAuthClientService = ReturnType<typeof createOAuthClientService>;
