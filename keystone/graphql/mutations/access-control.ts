import type { Actor } from '../../../core/shared/actor.js';
import { createPermissionBody, createRoleBody, updateRoleBody } from '../../../schemas/rbac.js';
import { schemaInput } from '../schema-args.js';
import { schemaInputType } from '../schema-fields.js';
import { actorOf, itemRef, type MutationModule } from './common.js';
import { viaService } from './via-service.js';

/** Roles and permissions (the role and permission services, as REST). */
export const accessControlMutations: MutationModule = (builder, services) => {
  const Role = itemRef(builder, 'Role');
  const Permission = itemRef(builder, 'Permission');
  const NewRole = schemaInputType(builder, 'NewRole', createRoleBody, {
    descriptions: { id: 'role_… (derived from the name when omitted)' },
  });
  const RoleChanges = schemaInputType(builder, 'RoleChanges', updateRoleBody);
  const NewPermission = schemaInputType(builder, 'NewPermission', createPermissionBody);

  builder.mutationFields((t) => {
    /** Gives a role a permission or takes one away (both ids required); answers the role. */
    const rolePermission = (
      change: (actor: Actor, roleId: string, permissionId: string) => Promise<unknown>,
    ) =>
      t.field({
        type: Role,
        nullable: true,
        args: { roleId: t.arg.id({ required: true }), permissionId: t.arg.id({ required: true }) },
        resolve: (_root, { roleId, permissionId }, context) =>
          viaService(context, {
            run: (actor) => change(actor, String(roleId), String(permissionId)),
            readBack: ['Role', () => String(roleId)],
          }),
      });
    return {
      createRole: t.field({
        type: Role,
        nullable: true,
        args: { data: t.arg({ type: NewRole, required: true }) },
        resolve: (_root, { data }, context) =>
          viaService(context, {
            input: () => schemaInput(createRoleBody, data),
            run: (actor, input) => services().roles.create(actor, input),
            readBack: ['Role', (role) => role.id],
          }),
      }),
      updateRole: t.field({
        type: Role,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: RoleChanges, required: true }) },
        resolve: (_root, { id, data }, context) =>
          viaService(context, {
            input: () => schemaInput(updateRoleBody, data),
            run: (actor, input) => services().roles.update(actor, String(id), input),
            readBack: ['Role', () => String(id)],
          }),
      }),
      deleteRole: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().roles.remove(actorOf(session), String(id));
          return id;
        },
      }),
      addRolePermission: rolePermission((actor, roleId, permissionId) =>
        services().roles.addPermission(actor, roleId, permissionId),
      ),
      removeRolePermission: rolePermission((actor, roleId, permissionId) =>
        services().roles.removePermission(actor, roleId, permissionId),
      ),
      createPermission: t.field({
        type: Permission,
        nullable: true,
        args: { data: t.arg({ type: NewPermission, required: true }) },
        resolve: (_root, { data }, context) =>
          viaService(context, {
            input: () => schemaInput(createPermissionBody, data),
            run: (actor, input) => services().permissions.create(actor, input),
            readBack: ['Permission', (permission) => permission.id],
          }),
      }),
      deletePermission: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().permissions.remove(actorOf(session), String(id));
          return id;
        },
      }),
    };
  });
};
