import type { ActionContext, ActionRequest } from 'adminjs';
import type { PermissionService } from '../../core/rbac/permissions-service.js';
import type { RoleService } from '../../core/rbac/roles-service.js';
import { AppError } from '../../core/errors/index.js';
import { requirePermission } from '../../core/auth/guards.js';
import { validateInput } from '../../core/shared/validation.js';
import {
  createPermissionBody,
  createRoleBody,
  listPermissionsQuery,
  listRolesQuery,
  updateRoleBody,
  type PermissionRecord,
  type RoleRecord,
} from '../../schemas/rbac.js';
import { builtInActions, formAction, isChecked, listOf, onlyWith, optionalText } from './actions.js';
import {
  refusalOf,
  requireActor,
  restPage,
  ServiceResource,
  textFilter,
  type ResourceBackend,
} from './service-resource.js';

/** Every permission of the catalogue, page by page (REST's page size is bounded). */
export async function allPermissions(permissions: PermissionService): Promise<PermissionRecord[]> {
  const all: PermissionRecord[] = [];
  for (let page = 1; ; page += 1) {
    const input = validateInput(listPermissionsQuery, { page: String(page), per_page: '100' }, 'query');
    const batch = await permissions.list(input);
    all.push(...batch.data);
    if (batch.data.length < 100) return all;
  }
}

/** Every role as a choice for a form (id → name), in REST's order. */
export async function roleChoices(roles: RoleService): Promise<{ value: string; label: string }[]> {
  const page = await roles.list(validateInput(listRolesQuery, { per_page: '100' }, 'query'));
  return page.data.map((r) => ({ value: r.id, label: r.name }));
}

function rolesBackend(roles: RoleService): ResourceBackend<RoleRecord> {
  return {
    id: 'Roles',
    properties: [
      { path: 'id', isId: true, isSortable: true },
      { path: 'name', isTitle: true, isSortable: true },
      { path: 'description' },
      { path: 'is_system', type: 'boolean' },
      { path: 'requires_two_factor', type: 'boolean' },
      { path: 'permission_ids', isArray: true },
      { path: 'created_at', type: 'datetime', isSortable: true },
    ],
    toParams: (r) => ({ ...r }),
    async list(actor, query) {
      requirePermission(actor.auth, 'roles', 'read');
      const system = textFilter(query, 'is_system');
      const input = validateInput(
        listRolesQuery,
        {
          ...restPage(query, ['name', 'created_at', 'id']),
          ...(textFilter(query, 'name') ? { q: textFilter(query, 'name') } : {}),
          ...(system ? { is_system: system } : {}),
        },
        'filters',
      );
      const page = await roles.list(input);
      return { rows: page.data, total: page.pagination.total };
    },
    async get(actor, id) {
      requirePermission(actor.auth, 'roles', 'read');
      return roles.get(id);
    },
  };
}

/**
 * A role's permissions as the matrix shows them: the catalogue by resource, what the role holds, and the
 * version of that set, which the save sends back so that a concurrent edit is refused rather than lost.
 */
async function matrix(roles: RoleService, permissions: PermissionService, roleId: string) {
  const [set, catalogue] = await Promise.all([roles.permissionSet(roleId), allPermissions(permissions)]);
  return {
    version: set.version,
    granted: set.permission_ids,
    catalogue: catalogue.map((p) => ({
      id: p.id,
      resource: p.resource,
      action: p.action,
      description: p.description,
    })),
  };
}

export function rolesResource(services: { roles: RoleService; permissions: PermissionService }) {
  const { roles, permissions } = services;
  return {
    resource: new ServiceResource(rolesBackend(roles)),
    options: {
      navigation: { name: 'access', icon: 'Shield' },
      listProperties: ['name', 'id', 'is_system', 'requires_two_factor', 'created_at'],
      filterProperties: ['name', 'is_system'],
      actions: {
        ...builtInActions('roles', { search: true }),
        createRole: formAction({
          actionType: 'resource',
          icon: 'Plus',
          permission: ['roles', 'write'],
          fields: () => [
            { name: 'name', type: 'text', required: true, maxLength: 64 },
            { name: 'description', type: 'textarea', maxLength: 500 },
            { name: 'requires_two_factor', type: 'checkbox' },
          ],
          async run(actor, payload) {
            const body = validateInput(
              createRoleBody,
              {
                name: payload.name,
                ...(optionalText(payload.description) ? { description: payload.description } : {}),
                requires_two_factor: isChecked(payload.requires_two_factor),
              },
              'form',
            );
            const role = await roles.create(actor, body);
            return { message: 'roleCreated', then: 'show', recordId: role.id };
          },
        }),
        editRole: formAction({
          actionType: 'record',
          icon: 'Edit',
          permission: ['roles', 'write'],
          fields: () => [
            { name: 'name', type: 'text', required: true, maxLength: 64, fromRecord: true },
            { name: 'description', type: 'textarea', maxLength: 500, fromRecord: true },
            { name: 'requires_two_factor', type: 'checkbox', fromRecord: true },
          ],
          async run(actor, payload, record) {
            const body = validateInput(
              updateRoleBody,
              {
                name: payload.name,
                description: optionalText(payload.description) ?? null,
                requires_two_factor: isChecked(payload.requires_two_factor),
              },
              'form',
            );
            await roles.update(actor, String(record!.id()), body);
            return { message: 'roleUpdated', then: 'show' };
          },
        }),
        deleteRole: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['roles', 'delete'],
          variant: 'danger',
          intro: 'deleteRoleIntro',
          async run(actor, _payload, record) {
            await roles.remove(actor, String(record!.id()));
            return { message: 'roleDeleted', then: 'list' };
          },
        }),
        permissions: {
          actionType: 'record' as const,
          icon: 'Grid',
          component: 'PermissionMatrix',
          ...onlyWith('roles', 'read'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
            const actor = requireActor(context);
            const id = String(context.record!.id());
            const record = context.record!.toJSON(context.currentAdmin);
            const editable = actor.auth.can('roles', 'write');
            if (request.method === 'post') {
              try {
                if (!editable) throw new AppError('auth.forbidden', 403, 'You may not change roles.');
                const payload = (request.payload ?? {}) as Record<string, unknown>;
                await roles.setPermissions(
                  actor,
                  id,
                  listOf(payload.permission_ids),
                  String(payload.version ?? ''),
                );
              } catch (err) {
                return {
                  record,
                  editable,
                  ...(await matrix(roles, permissions, id)),
                  notice: { message: refusalOf(err).message, type: 'error' },
                };
              }
              return {
                record,
                editable,
                ...(await matrix(roles, permissions, id)),
                notice: { message: 'permissionsSaved', type: 'success' },
              };
            }
            return { record, editable, ...(await matrix(roles, permissions, id)) };
          },
        },
      },
    },
  };
}

function permissionsBackend(permissions: PermissionService): ResourceBackend<PermissionRecord> {
  return {
    id: 'Permissions',
    properties: [
      { path: 'id', isId: true, isTitle: true, isSortable: true },
      { path: 'resource', isSortable: true },
      { path: 'action' },
      { path: 'description' },
      { path: 'admin_only', type: 'boolean' },
      { path: 'display_order', type: 'number', isSortable: true },
      { path: 'created_at', type: 'datetime', isSortable: true },
    ],
    toParams: (p) => ({ ...p }),
    async list(actor, query) {
      requirePermission(actor.auth, 'permissions', 'read');
      const input = validateInput(
        listPermissionsQuery,
        {
          ...restPage(query, ['resource', 'id', 'display_order', 'created_at']),
          ...(textFilter(query, 'resource') ? { resource: textFilter(query, 'resource') } : {}),
          ...(textFilter(query, 'id') ? { q: textFilter(query, 'id') } : {}),
        },
        'filters',
      );
      const page = await permissions.list(input);
      return { rows: page.data, total: page.pagination.total };
    },
    async get(actor, id) {
      requirePermission(actor.auth, 'permissions', 'read');
      return permissions.get(id);
    },
  };
}

export function permissionsResource(services: { permissions: PermissionService }) {
  const { permissions } = services;
  return {
    resource: new ServiceResource(permissionsBackend(permissions)),
    options: {
      navigation: { name: 'access', icon: 'Lock' },
      listProperties: ['id', 'resource', 'action', 'description', 'admin_only'],
      filterProperties: ['id', 'resource'],
      actions: {
        ...builtInActions('permissions', { search: true }),
        createPermission: formAction({
          actionType: 'resource',
          icon: 'Plus',
          permission: ['permissions', 'write'],
          intro: 'createPermissionIntro',
          fields: () => [
            { name: 'resource', type: 'text', required: true, maxLength: 64 },
            { name: 'action', type: 'text', required: true, maxLength: 64 },
            { name: 'description', type: 'textarea', maxLength: 500 },
          ],
          async run(actor, payload) {
            const body = validateInput(
              createPermissionBody,
              {
                resource: payload.resource,
                action: payload.action,
                ...(optionalText(payload.description) ? { description: payload.description } : {}),
              },
              'form',
            );
            const created = await permissions.create(actor, body);
            return { message: 'permissionCreated', then: 'show', recordId: created.id };
          },
        }),
        deletePermission: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['permissions', 'delete'],
          variant: 'danger',
          intro: 'deletePermissionIntro',
          async run(actor, _payload, record) {
            await permissions.remove(actor, String(record!.id()));
            return { message: 'permissionDeleted', then: 'list' };
          },
        }),
      },
    },
  };
}
