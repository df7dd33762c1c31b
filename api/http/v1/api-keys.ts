import type { ApiKeyService } from '../../../core/api-keys/service.js';
import {
  apiKeyListSchema,
  apiKeySchema,
  apiKeyWithSecretSchema,
  createApiKeyBody,
  listApiKeysQuery,
  updateApiKeyBody,
} from '../../../schemas/api-keys.js';
import { uuidParam } from '../../../schemas/common.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * `/v1/api-keys`. Access is `authenticated`: everyone manages their own keys; the service asks for
 * api_keys:read/write/delete when the key is someone else's (404 when the caller may not see it at all).
 */
const notFound = { status: 404, code: 'api_key.not_found' } as const;
const escalation = { status: 403, code: 'auth.escalation_denied' } as const;
const systemKey = { status: 403, code: 'api_key.system_key' } as const;

export function apiKeyRoutes(service: ApiKeyService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      summary: 'List API keys: your own, or (with api_keys:read) another user’s or all',
      tag: 'api-keys',
      access: 'authenticated',
      query: listApiKeysQuery,
      response: apiKeyListSchema,
      handler: ({ auth, query }) => service.list(auth, query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Create an API key; the full key is in this response only',
      tag: 'api-keys',
      access: 'authenticated',
      body: createApiKeyBody,
      response: apiKeyWithSecretSchema,
      status: 201,
      errors: [escalation, { status: 422, code: 'role.not_found' }, { status: 422, code: 'user.not_found' }],
      async handler({ req, body }) {
        const created = await service.create(actorOf(req), body);
        return { ...created.record, key: created.key };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys/:id',
      summary: 'Get an API key (never its secret)',
      tag: 'api-keys',
      access: 'authenticated',
      params: uuidParam,
      response: apiKeySchema,
      errors: [notFound],
      handler: ({ auth, params }) => service.get(auth, params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/api-keys/:id',
      summary: 'Update name, description, scopes, roles, activity or expiry',
      tag: 'api-keys',
      access: 'authenticated',
      params: uuidParam,
      body: updateApiKeyBody,
      response: apiKeySchema,
      errors: [notFound, escalation, { status: 422, code: 'role.not_found' }],
      handler: ({ req, params, body }) => service.update(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/:id',
      summary: 'Delete (revoke) an API key; it stops working at once on every node',
      tag: 'api-keys',
      access: 'authenticated',
      params: uuidParam,
      errors: [notFound, systemKey],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/api-keys/:id/rotate',
      summary: 'Replace the secret; the old one stops working at once',
      tag: 'api-keys',
      access: 'authenticated',
      params: uuidParam,
      response: apiKeyWithSecretSchema,
      errors: [notFound, systemKey],
      async handler({ req, params }) {
        const rotated = await service.rotate(actorOf(req), params.id);
        return { ...rotated.record, key: rotated.key };
      },
    }),
  ];
}
