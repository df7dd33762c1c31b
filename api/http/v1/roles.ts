import type { RoleService } from '../../../core/rbac/roles-service.js';
import {
  createRoleBody,
  listRolesQuery,
  permissionArraySchema,
  roleIdParam,
  roleListSchema,
  rolePermissionBody,
  rolePermissionParams,
  roleSchema,
  updateRoleBody,
} from '../../../schemas/rbac.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** `/v1/roles`. */
const notFound = { status: 404, code: 'role.not_found' } as const;
const systemRole = { status: 403, code: 'role.system_role' } as const;
const escalation = { status: 403, code: 'auth.escalation_denied' } as const;

export function roleRoutes(service: RoleService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/roles',
      summary: 'List roles',
      tag: 'roles',
      access: { permission: 'roles:read' },
      query: listRolesQuery,
      response: roleListSchema,
      handler: ({ query }) => service.list(query),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/roles',
      summary: 'Create a role (only with permissions you hold)',
      tag: 'roles',
      access: { permission: 'roles:write' },
      body: createRoleBody,
      response: roleSchema,
      status: 201,
      errors: [
        escalation,
        { status: 409, code: 'role.exists' },
        { status: 409, code: 'role.name_taken' },
        { status: 422, code: 'permission.not_found' },
      ],
      handler: ({ req, body }) => service.create(actorOf(req), body),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/roles/:id',
      summary: 'Get a role',
      tag: 'roles',
      access: { permission: 'roles:read' },
      params: roleIdParam,
      response: roleSchema,
      errors: [notFound],
      handler: ({ params }) => service.get(params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/roles/:id',
      summary: 'Update a role (system roles: super admins only)',
      tag: 'roles',
      access: { permission: 'roles:write' },
      params: roleIdParam,
      body: updateRoleBody,
      response: roleSchema,
      errors: [
        notFound,
        systemRole,
        escalation,
        { status: 409, code: 'role.name_taken' },
        { status: 409, code: 'user.last_super_admin' },
      ],
      handler: ({ req, params, body }) => service.update(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/roles/:id',
      summary: 'Delete a role (system roles: super admins only; never Super Admin)',
      tag: 'roles',
      access: { permission: 'roles:delete' },
      params: roleIdParam,
      errors: [
        notFound,
        systemRole,
        { status: 409, code: 'role.protected' },
        { status: 409, code: 'user.last_super_admin' },
      ],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/roles/:id/permissions',
      summary: "A role's permissions",
      tag: 'roles',
      access: { permission: 'roles:read' },
      params: roleIdParam,
      response: permissionArraySchema,
      errors: [notFound],
      handler: async ({ params }) => ({ data: await service.permissions(params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/roles/:id/permissions',
      summary: 'Add a permission to a role (only one you hold)',
      tag: 'roles',
      access: { permission: 'roles:write' },
      params: roleIdParam,
      body: rolePermissionBody,
      response: permissionArraySchema,
      errors: [notFound, systemRole, escalation, { status: 422, code: 'permission.not_found' }],
      handler: async ({ req, params, body }) => ({
        data: await service.addPermission(actorOf(req), params.id, body.permission_id),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/roles/:id/permissions/:permId',
      summary: 'Remove a permission from a role',
      tag: 'roles',
      access: { permission: 'roles:write' },
      params: rolePermissionParams,
      errors: [
        notFound,
        systemRole,
        { status: 404, code: 'role.permission_not_assigned' },
        { status: 409, code: 'user.last_super_admin' },
      ],
      handler: ({ req, params }) => service.removePermission(actorOf(req), params.id, params.permId),
    }),
  ];
}
