import type { OAuthClientService } from '../../../core/oauth-clients/service.js';
import { uuidParam } from '../../../schemas/common.js';
import {
  createOAuthClientBody,
  listOAuthClientsQuery,
  oauthClientListSchema,
  oauthClientSchema,
  oauthClientWithSecretSchema,
  updateOAuthClientBody,
} from '../../../schemas/oauth-clients.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * `/v1/oauth-clients`: the client service decides. Everyone with a credential may read their own
 * clients; `oauth_clients:read` shows everyone's (as GraphQL does); create/update/delete need the matching
 * `oauth_clients:*` permission, and changing someone else's client needs an administrator. The secret is in the
 * create and regenerate-secret answers only, and never stored in clear.
 */
const notFound = { status: 404, code: 'oauth_client.not_found' } as const;
const forbidden = { status: 403, code: 'auth.forbidden' } as const;
const scope = { status: 403, code: 'auth.insufficient_scope' } as const;
const inconsistent = { status: 409, code: 'oauth_client.inconsistent' } as const;

export function oauthClientRoutes(service: OAuthClientService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/oauth-clients',
      summary: 'List OAuth clients: your own, or (with oauth_clients:read) another owner’s or all',
      tag: 'oauth-clients',
      access: 'authenticated',
      query: listOAuthClientsQuery,
      response: oauthClientListSchema,
      errors: [forbidden, scope],
      handler: ({ auth, query }) => service.list(auth, query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/oauth-clients',
      summary: 'Register an OAuth client; its secret is in this response only',
      tag: 'oauth-clients',
      access: { permission: 'oauth_clients:create' },
      body: createOAuthClientBody,
      response: oauthClientWithSecretSchema,
      status: 201,
      errors: [{ status: 422, code: 'user.not_found' }],
      async handler({ req, body }) {
        const created = await service.create(actorOf(req), body);
        return { ...created.row, client_secret: created.clientSecret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/oauth-clients/:id',
      summary: 'Get an OAuth client (never its secret)',
      tag: 'oauth-clients',
      access: 'authenticated',
      params: uuidParam,
      response: oauthClientSchema,
      errors: [notFound, scope],
      handler: ({ auth, params }) => service.get(auth, params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/oauth-clients/:id',
      summary: 'Update a client’s name, URIs, grants, scopes or activity; answers the client as changed',
      tag: 'oauth-clients',
      access: 'authenticated',
      params: uuidParam,
      body: updateOAuthClientBody,
      response: oauthClientSchema,
      errors: [notFound, forbidden, scope, inconsistent],
      handler: ({ req, params, body }) => service.update(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/oauth-clients/:id',
      summary: 'Delete an OAuth client, with the consents given to it',
      tag: 'oauth-clients',
      access: 'authenticated',
      params: uuidParam,
      errors: [notFound, forbidden, scope],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/oauth-clients/:id/regenerate-secret',
      summary: 'Replace a confidential client’s secret; the new one is in this response only',
      tag: 'oauth-clients',
      access: 'authenticated',
      params: uuidParam,
      response: oauthClientWithSecretSchema,
      errors: [notFound, forbidden, scope, { status: 409, code: 'oauth_client.public' }],
      async handler({ req, params }) {
        const issued = await service.regenerateSecret(actorOf(req), params.id);
        return { ...issued.row, client_secret: issued.clientSecret };
      },
    }),
  ];
}
