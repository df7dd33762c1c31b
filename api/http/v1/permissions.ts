import type { PermissionService } from '../../../core/rbac/permissions-service.js';
import {
  createPermissionBody,
  listPermissionsQuery,
  permissionIdParam,
  permissionListSchema,
  permissionSchema,
} from '../../../schemas/rbac.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** `/v1/permissions`. Ids are the `resource:action` names, e.g. `/v1/permissions/gps:read`. */
const notFound = { status: 404, code: 'permission.not_found' } as const;

export function permissionRoutes(service: PermissionService): AnyRoute[] {
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
