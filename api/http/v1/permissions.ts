import {
  explainSubjectOf,
  requireExplainAccess,
  type PermissionExplainer,
} from '../../../core/rbac/explain.js';
import type { PermissionService } from '../../../core/rbac/permissions-service.js';
import {
  createPermissionBody,
  explainPermissionQuery,
  listPermissionsQuery,
  permissionIdParam,
  permissionListSchema,
  permissionExplanationSchema,
  permissionSchema,
} from '../../../schemas/rbac.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** `/v1/permissions`. Ids are the `resource:action` names, e.g. `/v1/permissions/gps:read`. */
const notFound = { status: 404, code: 'permission.not_found' } as const;

export function permissionRoutes(service: PermissionService, explainer: PermissionExplainer): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/permissions',
      summary: 'List permissions',
      tag: 'permissions',
      access: { permission: 'permissions:read' },
      query: listPermissionsQuery,
      response: permissionListSchema,
      handler: ({ query }) => service.list(query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/permissions',
      summary: 'Create a permission',
      tag: 'permissions',
      access: { permission: 'permissions:write' },
      body: createPermissionBody,
      response: permissionSchema,
      status: 201,
      errors: [{ status: 409, code: 'permission.exists' }],
      handler: ({ req, body }) => service.create(actorOf(req), body),
    }),
    // Before /v1/permissions/:id, which would take `explain` for an id.
    defineRoute({
      method: 'get',
      path: '/v1/permissions/explain',
      summary: 'Explain whether a user or an API key may do resource:action, and why',
      tag: 'permissions',
      access: { permission: 'permissions:read' },
      query: explainPermissionQuery,
      response: permissionExplanationSchema,
      errors: [
        { status: 404, code: 'user.not_found' },
        { status: 404, code: 'api_key.not_found' },
      ],
      handler: ({ auth, query }) => {
        const subject = explainSubjectOf(query);
        requireExplainAccess(auth, subject);
        return explainer.explain(subject, query.permission);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/permissions/:id',
      summary: 'Get a permission',
      tag: 'permissions',
      access: { permission: 'permissions:read' },
      params: permissionIdParam,
      response: permissionSchema,
      errors: [notFound],
      handler: ({ params }) => service.get(params.id),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/permissions/:id',
      summary: 'Delete a permission (not the built-in ones)',
      tag: 'permissions',
      access: { permission: 'permissions:delete' },
      params: permissionIdParam,
      errors: [
        notFound,
        { status: 409, code: 'permission.built_in' },
        { status: 409, code: 'user.last_super_admin' },
      ],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
  ];
}
