import type { ConnectedAppService } from '../../../core/oauth-clients/connected-apps.js';
import { uuidParam } from '../../../schemas/common.js';
import { connectedAppListSchema } from '../../../schemas/connected-apps.js';
import { revokedCountSchema } from '../../../schemas/sessions.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** Connected apps: list them, disconnect one or all (consent and every grant and token go). */
export function connectedAppRoutes(service: ConnectedAppService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/user/connected-apps',
      summary: 'The apps you have let in and what each may see and do',
      tag: 'account',
      access: 'authenticated',
      response: connectedAppListSchema,
      handler: async ({ auth }) => ({ data: await service.list(auth) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/connected-apps/:id',
      summary: 'Disconnect an app: its consent, refresh tokens and access tokens stop working at once',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      errors: [{ status: 404, code: 'connected_app.not_found' }],
      handler: async ({ req, params }) => {
        await service.revoke(actorOf(req), params.id);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/connected-apps',
      summary: 'Disconnect every app',
      tag: 'account',
      access: 'authenticated',
      response: revokedCountSchema,
      handler: async ({ req }) => ({ revoked: await service.revokeAll(actorOf(req)) }),
    }),
  ];
}
