import type { UserService } from '../../../core/users/service.js';
import { uuidParam } from '../../../schemas/common.js';
import { listUsersQuery, roleArraySchema, userListSchema, userRoleParams } from '../../../schemas/rbac.js';
import {
  assignRoleBody,
  banUserBody,
  privacyModeBody,
  updateUserBody,
  userSchema,
} from '../../../schemas/users.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** `/v1/users`. Reading yourself needs no permission; the service answers 404 for users you may not see. */
const notFound = { status: 404, code: 'user.not_found' } as const;
const escalation = { status: 403, code: 'auth.escalation_denied' } as const;
const lastSuperAdmin = { status: 409, code: 'user.last_super_admin' } as const;

export function userRoutes(service: UserService): AnyRoute[] {
  return [
    defineRoute({
      method: 'patch',
      path: '/v1/user/privacy',
      summary:
        'Turn your privacy mode on or off (hides your email, picture and activity from others without users:read)',
      tag: 'account',
      access: 'authenticated',
      body: privacyModeBody,
      response: userSchema,
      errors: [
        { status: 403, code: 'auth.user_required' },
        { status: 403, code: 'auth.insufficient_scope' },
      ],
      handler: ({ req, body }) => service.setPrivacyMode(actorOf(req), body.privacy_mode),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users',
      summary:
        'List users (search username, email or id; filter by role, ban, 2FA, creation time; sort; paginate)',
      tag: 'users',
      access: { permission: 'users:read' },
      query: listUsersQuery,
      response: userListSchema,
      handler: ({ query }) => service.list(query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/:id',
      summary: 'Get a user (yourself without users:read)',
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      response: userSchema,
      errors: [notFound],
      handler: ({ auth, params }) => service.get(auth, params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/users/:id',
      summary: 'Update a user (users:write)',
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      body: updateUserBody,
      response: userSchema,
      errors: [notFound, { status: 409, code: 'user.username_taken' }, { status: 409, code: 'user.deleted' }],
      handler: ({ req, params, body }) => service.update(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id',
      summary: 'Delete a user (soft delete; their credentials stop working at once) (users:delete)',
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      errors: [notFound, escalation, lastSuperAdmin],
      handler: ({ req, params }) => service.remove(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/:id/roles',
      summary: "A user's roles (yours without users:read)",
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      response: roleArraySchema,
      errors: [notFound],
      handler: async ({ auth, params }) => ({ data: await service.roles(auth, params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/users/:id/roles',
      summary: 'Assign a role (users:write; you must hold every permission of the role)',
      tag: 'users',
      access: 'authenticated',
      params: uuidParam,
      body: assignRoleBody,
      response: roleArraySchema,
      errors: [
        notFound,
        escalation,
        { status: 422, code: 'role.not_found' },
        { status: 409, code: 'user.deleted' },
      ],
      handler: async ({ req, params, body }) => ({
        data: await service.addRole(actorOf(req), params.id, body.role_id),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id/roles/:roleId',
      summary: 'Remove a role from a user (users:write)',
      tag: 'users',
      access: 'authenticated',
      params: userRoleParams,
      errors: [notFound, escalation, lastSuperAdmin, { status: 404, code: 'user.role_not_assigned' }],
      handler: ({ req, params }) => service.removeRole(actorOf(req), params.id, params.roleId),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/users/:id/ban',
      summary: 'Ban a user: their credentials stop working at once, until expires_at or until lifted',
      tag: 'users',
      access: { permission: 'users:ban' },
      params: uuidParam,
      body: banUserBody,
      response: userSchema,
      errors: [
        notFound,
        escalation,
        lastSuperAdmin,
        { status: 409, code: 'user.deleted' },
        { status: 409, code: 'user.cannot_ban_self' },
      ],
      handler: ({ req, params, body }) => service.ban(actorOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id/ban',
      summary: 'Lift a ban (nothing to do if the user is not banned)',
      tag: 'users',
      access: { permission: 'users:ban' },
      params: uuidParam,
      errors: [notFound],
      handler: ({ req, params }) => service.unban(actorOf(req), params.id),
    }),
  ];
}
